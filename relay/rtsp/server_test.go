package rtsp

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os/exec"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/lubo-edge/lubo/internal/testkit"
	"github.com/lubo-edge/lubo/relay"
)

// testLogger keeps test output quiet unless -v asks for it.
func testLogger(t testing.TB) *slog.Logger {
	if testing.Verbose() {
		return slog.New(slog.NewTextHandler(testWriter{t}, &slog.HandlerOptions{Level: slog.LevelDebug}))
	}
	return slog.New(slog.NewTextHandler(io.Discard, nil))
}

type testWriter struct{ t testing.TB }

func (w testWriter) Write(p []byte) (int, error) {
	w.t.Log(strings.TrimSpace(string(p)))
	return len(p), nil
}

// startServer listens on 127.0.0.1:0 and serves streams until the test ends.
func startServer(t *testing.T, opts ServerOptions, streams map[string]*relay.Stream) *Server {
	t.Helper()
	opts.Lookup = func(id string) (*relay.Stream, bool) {
		s, ok := streams[id]
		return s, ok
	}
	if opts.Logger == nil {
		opts.Logger = testLogger(t)
	}
	srv := NewServer(opts)
	if err := srv.Listen("127.0.0.1:0"); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- srv.Run(ctx) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("server Run: %v", err)
		}
	})
	return srv
}

func serverURL(srv *Server, path string) string {
	return fmt.Sprintf("rtsp://%s/%s", srv.Addr(), path)
}

func run(t *testing.T, name string, args ...string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	out, err := exec.CommandContext(ctx, name, args...).CombinedOutput()
	if err != nil {
		t.Fatalf("%s %v: %v\n%s", name, args, err, out)
	}
	return string(out)
}

// TestServerPlayersFFmpeg has ffprobe and ffmpeg, as independent players,
// read every codec combination over TCP and UDP.
func TestServerPlayersFFmpeg(t *testing.T) {
	cases := []struct {
		clip      clipKind
		transport string
		want      []string // codec_name,width,height per stream
	}{
		{clipH264AAC, "tcp", []string{"h264,320,240", "aac"}},
		{clipH264AAC, "udp", []string{"h264,320,240", "aac"}},
		{clipH265PCMA, "tcp", []string{"hevc,320,240", "pcm_alaw"}},
		{clipH265PCMA, "udp", []string{"hevc,320,240", "pcm_alaw"}},
		{clipH264PCMU, "tcp", []string{"h264,320,240", "pcm_mulaw"}},
		{clipH264BAAC, "tcp", []string{"h264,320,240", "aac"}},
	}
	for _, tc := range cases {
		t.Run(string(tc.clip)+"/"+tc.transport, func(t *testing.T) {
			c := loadClip(t, tc.clip)
			t.Parallel()
			st := startStream(t, "ch", c.source(), relay.StreamOptions{Logger: testLogger(t)})
			srv := startServer(t, ServerOptions{}, map[string]*relay.Stream{"ch": st})
			u := serverURL(srv, "ch")

			out := run(t, "ffprobe", "-v", "error", "-rtsp_transport", tc.transport,
				"-show_entries", "stream=codec_name,width,height", "-of", "csv=p=0", u)
			got := strings.Fields(out)
			slices.Sort(got)
			want := slices.Sorted(slices.Values(tc.want))
			if !slices.Equal(got, want) {
				t.Errorf("ffprobe streams = %q, want %q", got, want)
			}

			out = run(t, "ffmpeg", "-hide_banner", "-nostdin", "-v", "error", "-rtsp_transport", tc.transport,
				"-i", u, "-t", "3", "-f", "null", "-")
			if strings.TrimSpace(out) != "" {
				t.Errorf("ffmpeg decoding the served stream complained:\n%s", out)
			}
		})
	}
}

func TestServerUnknownChannelIs404(t *testing.T) {
	srv := startServer(t, ServerOptions{UDPRTPPort: -1}, map[string]*relay.Stream{})
	cmd := exec.Command("ffprobe", "-v", "error", "-rtsp_transport", "tcp", serverURL(srv, "nope"))
	out, err := cmd.CombinedOutput()
	if err == nil {
		t.Fatalf("ffprobe of an unknown channel succeeded:\n%s", out)
	}
	if !strings.Contains(string(out), "404") {
		t.Errorf("ffprobe output does not mention 404:\n%s", out)
	}
}

// TestServerNoMediaIs503 covers a channel whose source never delivers.
func TestServerNoMediaIs503(t *testing.T) {
	silent := relay.SourceFunc(func(ctx context.Context, out relay.Publisher) error {
		<-ctx.Done()
		return nil
	})
	st := startStream(t, "dead", silent, relay.StreamOptions{Logger: testLogger(t)})
	srv := startServer(t, ServerOptions{DescribeTimeout: 300 * time.Millisecond, UDPRTPPort: -1},
		map[string]*relay.Stream{"dead": st})
	out, err := exec.Command("ffprobe", "-v", "error", "-rtsp_transport", "tcp", serverURL(srv, "dead")).CombinedOutput()
	if err == nil {
		t.Fatalf("ffprobe of a channel without media succeeded:\n%s", out)
	}
	if !strings.Contains(string(out), "503") {
		t.Errorf("ffprobe output does not mention 503:\n%s", out)
	}
	testkit.WaitFor(t, "reader detached after the failed DESCRIBE", func() bool { return st.ReaderCount() == 0 })
}
