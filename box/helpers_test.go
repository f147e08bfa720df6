package box

import (
	"context"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"testing"

	"github.com/lubo-edge/lubo/configs"
	"github.com/lubo-edge/lubo/daemon"
	"github.com/lubo-edge/lubo/internal/testkit"
)

// testBox is a running box of a test.
type testBox struct {
	d    *daemon.Daemon
	base string // http://host:port
	dir  string
	path string // the config file
	logs *testkit.LogBuffer
	stop func() // ends Run and fails the test on its error; safe to call twice
}

// startTestBox writes doc as dir/lubo.yaml, loads it and runs the box on
// it (watching the file) until the test ends or stop is called.
func startTestBox(t *testing.T, dir, doc string) *testBox {
	t.Helper()
	path := filepath.Join(dir, "lubo.yaml")
	if err := os.WriteFile(path, []byte(doc), 0o600); err != nil {
		t.Fatal(err)
	}
	cfg, err := configs.Load(path)
	if err != nil {
		t.Fatal(err)
	}
	b := &testBox{dir: dir, path: path, logs: &testkit.LogBuffer{}}
	ready := make(chan *daemon.Daemon, 1)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		done <- Run(ctx, Options{Config: cfg, ConfigPath: path, Logger: b.logs.Logger(), Version: "test", Ready: func(d *daemon.Daemon) { ready <- d }})
	}()
	select {
	case b.d = <-ready:
	case err := <-done:
		cancel()
		t.Fatalf("box did not start: %v", err)
	}
	b.base = "http://" + b.d.HTTPAddr().String()
	stopped := false
	b.stop = func() {
		if stopped {
			return
		}
		stopped = true
		cancel()
		if err := <-done; err != nil {
			t.Errorf("box: %v", err)
		}
	}
	t.Cleanup(b.stop)
	return b
}

// httpGet returns the body of a GET that must answer 200.
func httpGet(t *testing.T, url string) string {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: %s %v", url, resp.Status, err)
	}
	return string(body)
}
