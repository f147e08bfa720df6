package push

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/lubo-edge/lubo/internal/testkit"
	"github.com/lubo-edge/lubo/relay"
	"github.com/lubo-edge/lubo/relay/mp4file"
)

// rtmpModule is where Debian's libnginx-mod-rtmp puts the module.
const rtmpModule = "/usr/lib/nginx/modules/ngx_rtmp_module.so"

// ingest is a real nginx-rtmp on a port the test chose, that the test can
// kill and start again on the same port.
type nginxIngest struct {
	t    *testing.T
	dir  string
	port int
	cmd  *exec.Cmd
	done chan error
}

// startNginx starts nginx with the RTMP module on a free port. It skips
// only when nginx or the module is not installed (scripts/deps.sh installs
// both, so CI never skips).
func startNginx(t *testing.T) *nginxIngest {
	t.Helper()
	if _, err := exec.LookPath("nginx"); err != nil {
		t.Skip("nginx is not installed (apt-get install nginx-light libnginx-mod-rtmp, or scripts/deps.sh)")
	}
	if _, err := os.Stat(rtmpModule); err != nil {
		t.Skipf("the nginx RTMP module is not installed at %s (apt-get install libnginx-mod-rtmp, or scripts/deps.sh)", rtmpModule)
	}
	n := &nginxIngest{t: t, dir: t.TempDir(), port: freePort(t)}
	conf := fmt.Sprintf(`load_module %s;
daemon off;
master_process off;
pid %s/nginx.pid;
error_log %s/error.log info;
events { worker_connections 128; }
rtmp {
  server {
    listen 127.0.0.1:%d;
    application live { live on; }
  }
}
`, rtmpModule, n.dir, n.dir, n.port)
	if err := os.WriteFile(filepath.Join(n.dir, "nginx.conf"), []byte(conf), 0o644); err != nil {
		t.Fatal(err)
	}
	n.start()
	t.Cleanup(n.stop)
	return n
}

func (n *nginxIngest) addr() string { return "127.0.0.1:" + strconv.Itoa(n.port) }

// start runs nginx and waits until it accepts connections.
func (n *nginxIngest) start() {
	n.t.Helper()
	n.cmd = exec.Command("nginx", "-p", n.dir, "-e", filepath.Join(n.dir, "error.log"), "-c", filepath.Join(n.dir, "nginx.conf"))
	var out bytes.Buffer
	n.cmd.Stdout, n.cmd.Stderr = &out, &out
	if err := n.cmd.Start(); err != nil {
		n.t.Fatalf("nginx: %v", err)
	}
	n.done = make(chan error, 1)
	go func(cmd *exec.Cmd) { n.done <- cmd.Wait() }(n.cmd)
	testkit.WaitFor(n.t, "nginx to accept on "+n.addr(), func() bool {
		select {
		case err := <-n.done:
			log, _ := os.ReadFile(filepath.Join(n.dir, "error.log"))
			n.t.Fatalf("nginx exited: %v\n%s\n%s", err, out.String(), log)
		default:
		}
		c, err := net.DialTimeout("tcp", n.addr(), time.Second)
		if err != nil {
			return false
		}
		c.Close()
		return true
	})
}

// stop kills nginx and waits for it; idempotent.
func (n *nginxIngest) stop() {
	if n.cmd == nil {
		return
	}
	_ = n.cmd.Process.Kill()
	<-n.done
	n.cmd = nil
}

// freePort finds a port nothing listens on.
func freePort(t *testing.T) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

type probeStream struct {
	CodecType string `json:"codec_type"`
	CodecName string `json:"codec_name"`
	Width     int    `json:"width"`
	Height    int    `json:"height"`
}

// probe has ffprobe read url back and returns its streams.
func probe(t *testing.T, url string) []probeStream {
	t.Helper()
	out, err := exec.Command("ffprobe", "-v", "error", "-rw_timeout", "15000000", "-show_streams", "-of", "json", url).Output()
	if err != nil {
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			t.Fatalf("ffprobe %s: %v\n%s", url, err, ee.Stderr)
		}
		t.Fatalf("ffprobe %s: %v", url, err)
	}
	var res struct {
		Streams []probeStream `json:"streams"`
	}
	if err := json.Unmarshal(out, &res); err != nil {
		t.Fatalf("ffprobe output: %v\n%s", err, out)
	}
	return res.Streams
}

func findStream(streams []probeStream, kind string) *probeStream {
	for i := range streams {
		if streams[i].CodecType == kind {
			return &streams[i]
		}
	}
	return nil
}

// checkReadBack judges what the ingest serves: ffprobe finds H.264 video of
// the given size and AAC audio, and ffmpeg decodes 3 s of it without a
// single error.
func checkReadBack(t *testing.T, url string, width, height int) {
	t.Helper()
	streams := probe(t, url)
	if v := findStream(streams, "video"); v == nil || v.CodecName != "h264" || v.Width != width || v.Height != height {
		t.Errorf("ffprobe video of %s: %+v, want h264 %dx%d", url, v, width, height)
	}
	if a := findStream(streams, "audio"); a == nil || a.CodecName != "aac" {
		t.Errorf("ffprobe audio of %s: %+v, want aac", url, a)
	}
	cmd := exec.Command("ffmpeg", "-nostdin", "-v", "error", "-rw_timeout", "15000000", "-t", "3", "-i", url, "-f", "null", "-")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Run(); err != nil || stderr.Len() > 0 {
		t.Errorf("ffmpeg decode of %s: %v\n%s", url, err, stderr.String())
	}
}

// camera is a fake IP camera: it loops an MP4 clip in real time, and the
// test can make it drop its session (a camera reboot), after which the
// Stream reconnects and the next session plays the next clip in clips.
type camera struct {
	clips []string
	kill  chan struct{}

	mu       sync.Mutex
	sessions int
}

func newCamera(clips ...string) *camera {
	return &camera{clips: clips, kill: make(chan struct{})}
}

func (c *camera) Run(ctx context.Context, out relay.Publisher) error {
	c.mu.Lock()
	clip := c.clips[c.sessions%len(c.clips)]
	c.sessions++
	c.mu.Unlock()
	sctx, cancel := context.WithCancel(ctx)
	defer cancel()
	done := make(chan error, 1)
	go func() { done <- mp4file.NewSource(clip, mp4file.WithLogger(quiet)).Run(sctx, out) }()
	select {
	case err := <-done:
		return err
	case <-c.kill:
		cancel()
		<-done
		return errors.New("camera rebooted")
	}
}

// reboot ends the camera's current session.
func (c *camera) reboot() { c.kill <- struct{}{} }

// quiet takes the log lines of the parts a test does not judge by them.
var quiet = slog.New(slog.DiscardHandler)

// runStream runs a Stream over src until the test ends.
func runStream(t *testing.T, id string, src relay.Source, opts relay.StreamOptions) *relay.Stream {
	t.Helper()
	if opts.Logger == nil {
		opts.Logger = quiet
	}
	s := relay.NewStream(id, src, opts)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- s.Run(ctx) }()
	t.Cleanup(func() { cancel(); <-done })
	return s
}

// runManager runs m until the test ends.
func runManager(t *testing.T, m *Manager) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); m.Run(ctx) }()
	t.Cleanup(func() { cancel(); <-done })
}

// lookupOf serves the given streams by id.
func lookupOf(streams ...*relay.Stream) func(string) (*relay.Stream, bool) {
	return func(id string) (*relay.Stream, bool) {
		for _, s := range streams {
			if s.ID == id {
				return s, true
			}
		}
		return nil, false
	}
}

// statusOf is the one push of channel in m.
func statusOf(t *testing.T, m *Manager, channel string) Status {
	t.Helper()
	var found []Status
	for _, st := range m.List() {
		if st.Channel == channel {
			found = append(found, st)
		}
	}
	if len(found) != 1 {
		t.Fatalf("pushes of %s: %+v, want one", channel, found)
	}
	return found[0]
}
