package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/lubo-edge/lubo/configs"
	"github.com/lubo-edge/lubo/daemon"
	"github.com/lubo-edge/lubo/internal/testkit"
	"github.com/lubo-edge/lubo/testdata/testmedia"
)

// startLubo runs a daemon with one file channel c1 and returns its URL.
func startLubo(t *testing.T) string {
	t.Helper()
	clip := testmedia.Require(t, "h264_aac.mp4")
	cfg, err := configs.Parse([]byte(fmt.Sprintf(`
data_dir: %s
http: {listen: "127.0.0.1:0"}
rtsp: {listen: ""}
channels:
  - {id: c1, source: "file://%s", on_demand: true}
record: {slice: 0s, snapshot_interval: 0s}
`, t.TempDir(), clip)), "test.yaml")
	if err != nil {
		t.Fatal(err)
	}
	d, err := daemon.New(cfg, daemon.Options{Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		t.Fatal(err)
	}
	if err := d.Listen(); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- d.Run(ctx, nil) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("daemon: %v", err)
		}
	})
	return "http://" + d.HTTPAddr().String()
}

func runCLI(args ...string) (int, string, string) {
	var out, errb bytes.Buffer
	code := run(args, &out, &errb)
	return code, out.String(), errb.String()
}

// lubo record start/stop drive a running lubo and say clearly what went
// wrong.
func TestRecordCommand(t *testing.T) {
	addr := startLubo(t)
	for _, c := range []struct {
		args []string
		code int
		want string
	}{
		{[]string{"record"}, 2, "usage:"},
		{[]string{"record", "start"}, 2, "-channel is required"},
		{[]string{"record", "start", "-channel", "nope", "-addr", addr}, 1, `no such channel: "nope"`},
		{[]string{"record", "start", "-channel", "c1", "-duration", "forever", "-addr", addr}, 1, "accepted: a duration like 45m"},
		{[]string{"record", "stop", "-channel", "c1", "-addr", addr}, 1, "no manual recording"},
		{[]string{"record", "start", "-channel", "c1", "-duration", "1m", "-addr", addr}, 0, "recording c1 until"},
		{[]string{"record", "start", "-channel", "c1", "-addr", addr}, 1, "already recording"},
	} {
		code, out, errs := runCLI(c.args...)
		if code != c.code || !strings.Contains(out+errs, c.want) {
			t.Errorf("lubo %s: exit %d %q %q, want %d with %q", strings.Join(c.args, " "), code, out, errs, c.code, c.want)
		}
	}
	// Stop once something was recorded (an empty recording is not kept).
	testkit.WaitFor(t, "a second recorded", func() bool {
		resp, err := http.Get(addr + "/api/records?state=recording")
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var list struct {
			Records []struct {
				Duration int64 `json:"duration_ns"`
			} `json:"records"`
		}
		return json.NewDecoder(resp.Body).Decode(&list) == nil && len(list.Records) == 1 && list.Records[0].Duration >= int64(time.Second)
	})
	if code, out, errs := runCLI("record", "stop", "-channel", "c1", "-addr", addr); code != 0 || !strings.Contains(out, "stopping") {
		t.Fatalf("stop: exit %d %q %q", code, out, errs)
	}
	testkit.WaitFor(t, "the recording listed as complete", func() bool {
		resp, err := http.Get(addr + "/api/records?state=complete")
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var list struct{ Total int }
		return json.NewDecoder(resp.Body).Decode(&list) == nil && list.Total == 1
	})
}
