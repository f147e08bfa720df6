package daemon

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/lubo-edge/lubo/configs"
	"github.com/lubo-edge/lubo/internal/judge"
	"github.com/lubo-edge/lubo/relay"
	"github.com/lubo-edge/lubo/testdata/testmedia"
)

// box is a running daemon in the test process.
type box struct {
	d      *Daemon
	http   string // http://127.0.0.1:port
	rtsp   string // rtsp://127.0.0.1:port
	update chan *configs.Config
}

// startBox runs a daemon on loopback ports with the given channels YAML.
func startBox(t *testing.T, channels string) *box {
	t.Helper()
	return startBoxWith(t, channels, Options{Backoff: relay.Backoff{Min: 20 * time.Millisecond, Max: 100 * time.Millisecond}})
}

func startBoxWith(t *testing.T, channels string, opts Options) *box {
	t.Helper()
	cfg, err := configs.Parse([]byte(fmt.Sprintf(`
data_dir: %s
http: {listen: "127.0.0.1:0"}
rtsp: {listen: "127.0.0.1:0"}
channels:
%s`, t.TempDir(), channels)), "test.yaml")
	if err != nil {
		t.Fatal(err)
	}
	return startBoxConfigWith(t, cfg, opts)
}

// startBoxConfig runs a daemon on cfg for the test.
func startBoxConfig(t *testing.T, cfg *configs.Config) *box {
	t.Helper()
	return startBoxConfigWith(t, cfg, Options{Backoff: relay.Backoff{Min: 20 * time.Millisecond, Max: 100 * time.Millisecond}})
}

func startBoxConfigWith(t *testing.T, cfg *configs.Config, opts Options) *box {
	t.Helper()
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	if testing.Verbose() {
		log = slog.New(slog.NewTextHandler(os.Stderr, nil))
	}
	opts.Logger = log
	d, err := New(cfg, opts)
	if err != nil {
		t.Fatal(err)
	}
	if err := d.Listen(); err != nil {
		t.Fatal(err)
	}
	b := &box{d: d, http: "http://" + d.HTTPAddr().String(), rtsp: "rtsp://" + d.RTSPAddr().String(), update: make(chan *configs.Config)}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- d.Run(ctx, b.update) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("daemon: %v", err)
		}
	})
	return b
}

func fileChannel(id, clip string, onDemand bool) string {
	return fmt.Sprintf("  - {id: %s, source: \"file://%s\", on_demand: %v}\n", id, clip, onDemand)
}

func get(t *testing.T, url string) (int, string) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, string(body)
}

func TestLiveOutputsDecode(t *testing.T) {
	h264 := testmedia.Require(t, "h264_aac.mp4")
	h265 := testmedia.Require(t, "h265_aac.mp4")
	b := startBox(t, fileChannel("c264", h264, true)+fileChannel("c265", h265, false))
	cases := []struct {
		name  string
		url   string
		extra []string
		want  []string
	}{
		{"flv h264", b.http + "/live/c264.flv", nil, []string{"h264", "aac"}},
		{"hls h264", b.http + "/hls/c264/index.m3u8", nil, []string{"h264", "aac"}},
		{"hls h265", b.http + "/hls/c265/index.m3u8", nil, []string{"hevc", "aac"}},
		{"rtsp h264 tcp", b.rtsp + "/c264", []string{"-rtsp_transport", "tcp"}, []string{"h264", "aac"}},
		{"rtsp h265 udp", b.rtsp + "/c265", []string{"-rtsp_transport", "udp"}, []string{"hevc", "aac"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := judge.Streams(t, c.url, c.extra...)
			slices.Sort(got)
			want := slices.Clone(c.want)
			slices.Sort(want)
			if !slices.Equal(got, want) {
				t.Fatalf("ffprobe found %v, want %v", got, want)
			}
			if errs := judge.DecodeErrors(t, c.url, 3*time.Second, c.extra...); errs != "" {
				t.Fatalf("ffmpeg decode errors:\n%s", errs)
			}
		})
	}
}

func TestUnknownChannel(t *testing.T) {
	b := startBox(t, fileChannel("c1", testmedia.Require(t, "h264_aac.mp4"), true))
	for _, path := range []string{"/live/nope.flv", "/hls/nope/index.m3u8", "/live/c1.mp4"} {
		code, body := get(t, b.http+path)
		if code != http.StatusNotFound {
			t.Errorf("%s: status %d, want 404", path, code)
		}
		if !strings.Contains(body, "nope") && !strings.Contains(body, ".flv") {
			t.Errorf("%s: body %q does not say what was wrong", path, body)
		}
	}
}

func TestHealthzAndMetrics(t *testing.T) {
	b := startBox(t, fileChannel("c1", testmedia.Require(t, "h264_aac.mp4"), false))
	if code, body := get(t, b.http+"/healthz"); code != 200 || strings.TrimSpace(body) != "ok" {
		t.Fatalf("healthz: %d %q", code, body)
	}
	// Watch the channel for a moment so the counters move.
	if errs := judge.DecodeErrors(t, b.http+"/live/c1.flv", time.Second); errs != "" {
		t.Fatal(errs)
	}
	_, metrics := get(t, b.http+"/metrics")
	for _, want := range []string{
		`lubo_source_up{channel="c1",stream="main"} 1`,
		`lubo_received_frames_total{channel="c1",stream="main"}`,
		`lubo_received_bytes_total{channel="c1",stream="main"}`,
		`lubo_source_reconnects_total{channel="c1",stream="main"} 0`,
		`lubo_readers{channel="c1",stream="main"}`,
		`lubo_dropped_frames_total{channel="c1",stream="main"}`,
		"\nlubo_rtsp_connections_refused_total 0\n", "\nlubo_rtsp_connections_idle_closed_total 0\n", "\nlubo_config_stale 0\n",
		`process_resident_memory_bytes`,
		`go_goroutines`,
	} {
		if !strings.Contains(metrics, want) {
			t.Errorf("metrics lack %q", want)
		}
	}
	if strings.Contains(metrics, `lubo_received_frames_total{channel="c1",stream="main"} 0`) {
		t.Error("no frames counted for a running channel")
	}
}
