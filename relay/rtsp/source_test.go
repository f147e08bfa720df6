package rtsp

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/bluenviron/gortsplib/v4/pkg/auth"

	"github.com/lubo-edge/lubo/internal/testkit"
	"github.com/lubo-edge/lubo/media"
	"github.com/lubo-edge/lubo/relay"
)

// recorder keeps what a source publishes (testkit.Collector).
type recorder = testkit.Collector

// newRecorder closes Reached once want video and want audio frames arrived.
func newRecorder(want int) *recorder { return testkit.NewCollector(testkit.EachKind(want), nil) }

// running is a source run in the background.
type running struct {
	cancel context.CancelFunc
	done   chan struct{} // closed when Run returned; err is then set
	err    error
}

// runSource runs src in the background until stopped.
func runSource(src relay.Source, out relay.Publisher) *running {
	ctx, cancel := context.WithCancel(context.Background())
	r := &running{cancel: cancel, done: make(chan struct{})}
	go func() {
		defer close(r.done)
		r.err = src.Run(ctx, out)
	}()
	return r
}

// stop cancels the run and returns what Run returned.
func (r *running) stop() error {
	r.cancel()
	<-r.done
	return r.err
}

// pull runs a Source against url until it delivered want video and audio
// frames, then cancels it and checks that Run returned nil.
func pull(t *testing.T, url string, opts SourceOptions, want int) ([]*media.Tracks, []*media.Frame) {
	t.Helper()
	if opts.Logger == nil {
		opts.Logger = testLogger(t)
	}
	rec := newRecorder(want)
	r := runSource(NewSource(url, opts), rec)
	select {
	case <-rec.Reached():
	case <-r.done:
		t.Fatalf("source ended early: %v", r.err)
	case <-time.After(15 * time.Second):
		r.stop()
		_, frames := rec.Result()
		t.Fatalf("source delivered only %d frames", len(frames))
	}
	if err := r.stop(); err != nil {
		t.Errorf("Run after cancel = %v, want nil", err)
	}
	return rec.Result()
}

// checkFrames checks what a source published from a test clip.
func checkFrames(t *testing.T, begins []*media.Tracks, frames []*media.Frame, want media.Tracks) {
	t.Helper()
	if len(begins) != 1 {
		t.Fatalf("Begin called %d times, want 1", len(begins))
	}
	got := begins[0]
	if got.Video == nil || got.Audio == nil {
		t.Fatalf("tracks %s, want video and audio", got)
	}
	if got.Video.Codec != want.Video.Codec || got.Video.Width != want.Video.Width || got.Video.Height != want.Video.Height {
		t.Errorf("video track %s %dx%d, want %s %dx%d", got.Video.Codec, got.Video.Width, got.Video.Height,
			want.Video.Codec, want.Video.Width, want.Video.Height)
	}
	if len(got.Video.SPS) == 0 || len(got.Video.PPS) == 0 || (want.Video.Codec == media.H265 && len(got.Video.VPS) == 0) {
		t.Errorf("video track lacks parameter sets")
	}
	a, wa := got.Audio, want.Audio
	if a.Codec != wa.Codec || a.SampleRate != wa.SampleRate || a.Channels != wa.Channels || !bytes.Equal(a.Config, wa.Config) {
		t.Errorf("audio track %+v, want %+v", a, wa)
	}

	if !frames[0].IsVideo() || !frames[0].Key {
		t.Errorf("first frame is %s key=%v, want a video keyframe", frames[0].Codec, frames[0].Key)
	}
	last := map[bool]time.Duration{true: -1 << 62, false: -1 << 62}
	keys := 0
	for i, f := range frames {
		if f.IsVideo() && f.Codec != want.Video.Codec || !f.IsVideo() && f.Codec != wa.Codec {
			t.Fatalf("frame %d has codec %s", i, f.Codec)
		}
		if f.DTS < last[f.IsVideo()] {
			t.Fatalf("frame %d (%s): DTS %v after %v", i, f.Codec, f.DTS, last[f.IsVideo()])
		}
		last[f.IsVideo()] = f.DTS
		if f.PTS < f.DTS {
			t.Fatalf("frame %d: PTS %v < DTS %v", i, f.PTS, f.DTS)
		}
		if len(f.Data) == 0 {
			t.Fatalf("frame %d is empty", i)
		}
		if f.IsVideo() && f.Key {
			keys++
			if !hasParams(f) {
				t.Fatalf("keyframe %d lacks parameter sets", i)
			}
		}
	}
	if keys == 0 {
		t.Errorf("no keyframe")
	}
}

// hasParams reports whether a video frame carries SPS and PPS (and VPS).
func hasParams(f *media.Frame) bool {
	var vps, sps, pps bool
	media.SplitAnnexB(f.Data, func(n []byte) bool {
		if f.Codec == media.H264 {
			sps = sps || media.H264Type(n) == media.H264SPS
			pps = pps || media.H264Type(n) == media.H264PPS
			vps = true
		} else {
			vps = vps || media.H265Type(n) == media.H265VPS
			sps = sps || media.H265Type(n) == media.H265SPS
			pps = pps || media.H265Type(n) == media.H265PPS
		}
		return true
	})
	return vps && sps && pps
}

// TestSourceFromServer pulls the re-serve with the source over every
// transport and checks tracks and frames against the clip.
func TestSourceFromServer(t *testing.T) {
	cases := []struct {
		clip      clipKind
		transport string
		udpPort   int // server's; -1 is TCP only
	}{
		{clipH264AAC, "tcp", 0},
		{clipH264AAC, "udp", 0},
		{clipH264AAC, "auto", 0},
		{clipH264AAC, "auto", -1}, // UDP refused: falls back to TCP
		{clipH265PCMA, "tcp", 0},
		{clipH265PCMA, "udp", 0},
		{clipH264BAAC, "tcp", 0},
		{clipH264PCMU, "udp", 0},
	}
	for _, tc := range cases {
		t.Run(fmt.Sprintf("%s/%s/server-udp=%d", tc.clip, tc.transport, tc.udpPort), func(t *testing.T) {
			c := loadClip(t, tc.clip)
			t.Parallel()
			st := startStream(t, "c101", c.source(), relay.StreamOptions{Logger: testLogger(t)})
			srv := startServer(t, ServerOptions{UDPRTPPort: tc.udpPort}, map[string]*relay.Stream{"c101": st})
			begins, frames := pull(t, serverURL(srv, "c101"), SourceOptions{Transport: tc.transport}, 30)
			checkFrames(t, begins, frames, c.tracks)
			if tc.clip == clipH264BAAC {
				reordered := false
				for _, f := range frames {
					reordered = reordered || (f.IsVideo() && f.PTS > f.DTS)
				}
				if !reordered {
					t.Errorf("B-frame clip: no frame with PTS > DTS")
				}
			}
		})
	}
}

// sniffer is a TCP proxy that records what clients send.
type sniffer struct {
	ln   net.Listener
	wg   sync.WaitGroup
	mu   sync.Mutex
	sent bytes.Buffer
}

func newSniffer(t *testing.T, target string) *sniffer {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s := &sniffer{ln: ln}
	var conns []net.Conn
	var connsMu sync.Mutex
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		for {
			in, err := ln.Accept()
			if err != nil {
				return
			}
			out, err := net.Dial("tcp", target)
			if err != nil {
				in.Close()
				continue
			}
			connsMu.Lock()
			conns = append(conns, in, out)
			connsMu.Unlock()
			s.wg.Add(2)
			go func() {
				defer s.wg.Done()
				io.Copy(out, io.TeeReader(in, s))
				out.Close()
			}()
			go func() {
				defer s.wg.Done()
				io.Copy(in, out)
				in.Close()
			}()
		}
	}()
	t.Cleanup(func() {
		ln.Close()
		connsMu.Lock()
		for _, c := range conns {
			c.Close()
		}
		connsMu.Unlock()
		s.wg.Wait()
	})
	return s
}

func (s *sniffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.sent.Write(p)
}

func (s *sniffer) saw(sub string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return bytes.Contains(s.sent.Bytes(), []byte(sub))
}

func TestSourceAuth(t *testing.T) {
	const user, pass = "admin", "s3cret-Pw"
	c := loadClip(t, clipH264AAC)
	st := startStream(t, "cam", c.source(), relay.StreamOptions{Logger: testLogger(t)})
	streams := map[string]*relay.Stream{"cam": st}

	t.Run("digest", func(t *testing.T) {
		srv := startServer(t, ServerOptions{User: user, Pass: pass, UDPRTPPort: -1}, streams)
		sn := newSniffer(t, srv.Addr().String())
		begins, frames := pull(t, fmt.Sprintf("rtsp://%s:%s@%s/cam", user, pass, sn.ln.Addr()), SourceOptions{}, 5)
		checkFrames(t, begins, frames, c.tracks)
		if !sn.saw("Authorization: Digest") {
			t.Errorf("the source did not answer with digest authentication")
		}
		if sn.saw(pass) {
			t.Errorf("the password went over the wire in clear")
		}
	})

	t.Run("basic", func(t *testing.T) {
		srv := NewServer(ServerOptions{User: user, Pass: pass, UDPRTPPort: -1, Logger: testLogger(t),
			Lookup: func(id string) (*relay.Stream, bool) { s, ok := streams[id]; return s, ok }})
		srv.authMethods = []auth.VerifyMethod{auth.VerifyMethodBasic}
		if err := srv.Listen("127.0.0.1:0"); err != nil {
			t.Fatal(err)
		}
		defer srv.Close()
		sn := newSniffer(t, srv.Addr().String())
		begins, frames := pull(t, fmt.Sprintf("rtsp://%s:%s@%s/cam", user, pass, sn.ln.Addr()), SourceOptions{}, 5)
		checkFrames(t, begins, frames, c.tracks)
		if !sn.saw("Authorization: Basic") {
			t.Errorf("the source did not answer with basic authentication")
		}
	})

	srv := startServer(t, ServerOptions{User: user, Pass: pass, UDPRTPPort: -1}, streams)
	for name, u := range map[string]string{
		"wrong password": fmt.Sprintf("rtsp://%s:%s@%s/cam", user, "Wr0ngPassw0rd", srv.Addr()),
		"no credentials": fmt.Sprintf("rtsp://%s/cam", srv.Addr()),
	} {
		t.Run(name, func(t *testing.T) {
			err := NewSource(u, SourceOptions{Logger: testLogger(t)}).Run(context.Background(), newRecorder(1))
			if !errors.Is(err, ErrAuthFailed) {
				t.Fatalf("Run = %v, want ErrAuthFailed", err)
			}
			msg := err.Error()
			if !strings.Contains(msg, "authentication failed") {
				t.Errorf("error %q does not say authentication failed", msg)
			}
			if strings.Contains(msg, "Wr0ngPassw0rd") || strings.Contains(msg, pass) {
				t.Errorf("error %q contains a password", msg)
			}
			if strings.Contains(u, "@") && !strings.Contains(msg, "admin:******@") {
				t.Errorf("error %q does not show the redacted URL", msg)
			}
		})
	}

	t.Run("ffprobe", func(t *testing.T) {
		out := run(t, "ffprobe", "-v", "error", "-rtsp_transport", "tcp", "-show_entries", "stream=codec_name",
			"-of", "csv=p=0", fmt.Sprintf("rtsp://%s:%s@%s/cam", user, pass, srv.Addr()))
		if !strings.Contains(out, "h264") {
			t.Errorf("ffprobe with credentials: %q", out)
		}
	})
}

func TestSourceNothingListening(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	err = NewSource("rtsp://u:topsecret@"+addr+"/x", SourceOptions{Logger: testLogger(t)}).Run(context.Background(), newRecorder(1))
	if err == nil {
		t.Fatal("Run with nothing listening returned nil")
	}
	if strings.Contains(err.Error(), "topsecret") {
		t.Errorf("error %q contains the password", err)
	}
	if !strings.Contains(err.Error(), addr) {
		t.Errorf("error %q does not say where", err)
	}
}

// TestSourceCancelWhileConnecting cancels a source stuck on a server that
// accepts and never answers: Run must return nil at once.
func TestSourceCancelWhileConnecting(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	accepted := make(chan net.Conn, 1)
	go func() {
		c, err := ln.Accept()
		if err == nil {
			accepted <- c
		}
	}()
	r := runSource(NewSource("rtsp://"+ln.Addr().String()+"/x", SourceOptions{Logger: testLogger(t)}), newRecorder(1))
	select {
	case conn := <-accepted:
		defer conn.Close()
	case <-r.done:
		t.Fatalf("Run ended before connecting: %v", r.err)
	}
	if err := r.stop(); err != nil {
		t.Errorf("Run after cancel = %v, want nil", err)
	}
}

func TestSourceBadURLAndTransport(t *testing.T) {
	for _, tc := range []struct{ url, transport, want string }{
		{"http://cam/x", "", "scheme"},
		{"rtsp://u:p%zz@cam/x", "", "invalid URL"},
		{"rtsp://cam/x", "quic", "unknown transport"},
	} {
		err := NewSource(tc.url, SourceOptions{Transport: tc.transport}).Run(context.Background(), newRecorder(1))
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s (%s): Run = %v, want an error about %s", tc.url, tc.transport, err, tc.want)
		}
	}
}

// TestSourceReadTimeout: a stream that stops sending ends the session.
func TestSourceReadTimeout(t *testing.T) {
	c := loadClip(t, clipH264AAC)
	stall := relay.SourceFunc(func(ctx context.Context, out relay.Publisher) error {
		tracks := c.tracks
		out.Begin(&tracks)
		for _, f := range c.frames[:20] {
			out.WriteFrame(&media.Frame{Codec: f.Codec, DTS: f.DTS, PTS: f.PTS, Key: f.Key, Data: f.Data})
		}
		<-ctx.Done() // then silence, connection kept
		return nil
	})
	st := startStream(t, "stall", stall, relay.StreamOptions{Logger: testLogger(t)})
	srv := startServer(t, ServerOptions{UDPRTPPort: -1}, map[string]*relay.Stream{"stall": st})
	rec := newRecorder(1 << 30)
	err := NewSource(serverURL(srv, "stall"), SourceOptions{ReadTimeout: time.Second, Logger: testLogger(t)}).
		Run(context.Background(), rec)
	if !errors.Is(err, ErrStalled) {
		t.Fatalf("Run returned %v for a stalled stream, want ErrStalled", err)
	}
	if _, frames := rec.Result(); len(frames) == 0 {
		t.Errorf("no frames before the stall")
	}
}

// TestSourceAudioOnly: a stream without video is served and pulled too.
func TestSourceAudioOnly(t *testing.T) {
	full := loadClip(t, clipH265PCMA)
	c := &clip{tracks: media.Tracks{Audio: full.tracks.Audio}, dur: full.dur}
	for _, f := range full.frames {
		if !f.IsVideo() {
			c.frames = append(c.frames, f)
		}
	}
	st := startStream(t, "radio", c.source(), relay.StreamOptions{Logger: testLogger(t)})
	srv := startServer(t, ServerOptions{}, map[string]*relay.Stream{"radio": st})
	rec := newRecorder(0)
	r := runSource(NewSource(serverURL(srv, "radio"), SourceOptions{Transport: "udp", Logger: testLogger(t)}), rec)
	defer r.stop()
	testkit.WaitFor(t, "audio frames", func() bool {
		_, frames := rec.Result()
		return len(frames) >= 20
	})
	if err := r.stop(); err != nil {
		t.Errorf("Run after cancel = %v", err)
	}
	begins, frames := rec.Result()
	if len(begins) != 1 || begins[0].Video != nil || begins[0].Audio == nil || begins[0].Audio.Codec != media.PCMA {
		t.Fatalf("tracks %v, want PCMA only", begins)
	}
	for i, f := range frames {
		if f.Codec != media.PCMA || len(f.Data) != 160 {
			t.Fatalf("frame %d: %s with %d bytes, want 20 ms of PCMA", i, f.Codec, len(f.Data))
		}
		if i > 0 && f.DTS <= frames[i-1].DTS {
			t.Fatalf("frame %d: DTS %v after %v", i, f.DTS, frames[i-1].DTS)
		}
	}
}
