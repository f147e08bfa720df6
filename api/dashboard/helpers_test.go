package dashboard

import (
	"bytes"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"sync"
	"testing"

	"github.com/lubo-edge/lubo/api"
	"github.com/lubo-edge/lubo/configs"
	"github.com/lubo-edge/lubo/internal/testkit"
	"github.com/lubo-edge/lubo/recorder"
	"github.com/lubo-edge/lubo/recorder/snapshot"
	"github.com/lubo-edge/lubo/relay"
	"github.com/lubo-edge/lubo/relay/rtsp"
	"github.com/lubo-edge/lubo/storage"
)

// baseYAML is the installer's file of the tests: two channels and a
// Monday course on c101.
const baseYAML = `
data_dir: /tmp/unused
timezone: Asia/Shanghai
channels:
  - id: c101
    name: 一年级一班
    source: rtsp://admin:file-pass@10.0.0.64/Streaming/Channels/101
  - id: c102
    source: rtsp://10.0.0.65/ch1
schedule:
  - {channel: c101, weekday: 1, start: "08:00:00", duration: 45m, subject: 语文, teacher: 张老师}
`

// env is a Handler over a real store, composing its overlay into a real
// config as the box does.
type env struct {
	t    testing.TB
	path string
	db   *storage.DB
	h    *Handler
	srv  *httptest.Server
	logs *testkit.LogBuffer

	mu  sync.Mutex
	cfg *configs.Config
}

func newEnv(t testing.TB) *env {
	t.Helper()
	return openEnv(t, filepath.Join(t.TempDir(), "lubo.db"))
}

// openEnv opens (or reopens) the store at path and serves a Handler on it.
func openEnv(t testing.TB, path string) *env {
	t.Helper()
	db, err := storage.Open(path, storage.Options{Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	e := &env{t: t, path: path, db: db, logs: &testkit.LogBuffer{}}
	e.recompose()
	e.h, err = New(Options{Config: e.config, DB: db, Changed: e.recompose, Logger: e.logs.Logger(), Version: "test"})
	if err != nil {
		t.Fatal(err)
	}
	e.srv = httptest.NewServer(e.h)
	t.Cleanup(func() { e.close() })
	return e
}

func (e *env) close() {
	if e.srv == nil {
		return
	}
	e.srv.Close()
	e.srv = nil
	if err := e.db.Close(); err != nil {
		e.t.Error(err)
	}
}

func (e *env) config() *configs.Config {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.cfg
}

// recompose is what the box's composer does on Changed.
func (e *env) recompose() {
	base, err := configs.Parse([]byte(baseYAML), "test.yaml")
	if err != nil {
		e.t.Fatal(err)
	}
	o, err := Overlay(e.db)
	if err != nil {
		e.t.Fatal(err)
	}
	cfg, _ := configs.Compose(base, o)
	e.mu.Lock()
	e.cfg = cfg
	e.mu.Unlock()
}

// do sends a JSON request and decodes the JSON answer into out (if set).
func (e *env) do(method, path string, body any, out any) (int, string) {
	e.t.Helper()
	var rd io.Reader
	if body != nil {
		if s, ok := body.(string); ok {
			rd = bytes.NewBufferString(s)
		} else {
			raw, err := json.Marshal(body)
			if err != nil {
				e.t.Fatal(err)
			}
			rd = bytes.NewReader(raw)
		}
	}
	req, err := http.NewRequest(method, e.srv.URL+path, rd)
	if err != nil {
		e.t.Fatal(err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		e.t.Fatal(err)
	}
	if out != nil && len(raw) > 0 {
		if err := json.Unmarshal(raw, out); err != nil {
			e.t.Fatalf("%s %s: answer %q is not JSON: %v", method, path, raw, err)
		}
	}
	return resp.StatusCode, string(raw)
}

// fakeBox is a running box without channels or a recorder.
type fakeBox struct{}

func (fakeBox) Channels() []api.ChannelInfo             { return nil }
func (fakeBox) LiveStream(string) (*relay.Stream, bool) { return nil, false }
func (fakeBox) WebStream(string) (*relay.Stream, bool)  { return nil, false }
func (fakeBox) HLS(string) (http.Handler, bool)         { return nil, false }
func (fakeBox) Recorder() *recorder.Recorder            { return nil }
func (fakeBox) Snapshots() *snapshot.Snapshotter        { return nil }
func (fakeBox) Clouds() []api.CloudStatus               { return nil }
func (fakeBox) ConfigFile() configs.FileStatus          { return configs.FileStatus{} }
func (fakeBox) RTSPConns() rtsp.ConnStats               { return rtsp.ConnStats{} }
