package rtmp

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/yapingcat/gomedia/go-codec"
	"github.com/yapingcat/gomedia/go-flv"

	"github.com/lubo-edge/lubo/internal/testkit"
	"github.com/lubo-edge/lubo/media"
	"github.com/lubo-edge/lubo/relay"
)

// tool returns the path of an executable the test cannot do without; a
// missing tool fails the test rather than skipping it.
func tool(t testing.TB, name string) string {
	t.Helper()
	p, err := exec.LookPath(name)
	if err != nil {
		t.Fatalf("%s is required (apt-get install -y ffmpeg): %v", name, err)
	}
	return p
}

// makeClip encodes a 4 s 320x240 H.264 clip at 25 fps with a keyframe every
// second and the given audio ("aac", "pcma", "pcmu" or "" for none) into an
// FLV file in a temporary directory.
func makeClip(t testing.TB, audio string) string {
	t.Helper()
	return clipPath(t, audio)
}

func makeClipAt(t testing.TB, out, audio string) {
	t.Helper()
	args := []string{"-v", "error", "-y",
		"-f", "lavfi", "-i", "testsrc=size=320x240:rate=25:duration=4",
	}
	switch audio {
	case "aac":
		args = append(args, "-f", "lavfi", "-i", "sine=frequency=440:sample_rate=44100:duration=4",
			"-c:a", "aac", "-b:a", "64k")
	case "pcma":
		args = append(args, "-f", "lavfi", "-i", "sine=frequency=440:sample_rate=8000:duration=4",
			"-c:a", "pcm_alaw", "-ar", "8000", "-ac", "1")
	case "pcmu":
		args = append(args, "-f", "lavfi", "-i", "sine=frequency=440:sample_rate=8000:duration=4",
			"-c:a", "pcm_mulaw", "-ar", "8000", "-ac", "1")
	}
	args = append(args, "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p",
		"-g", "25", "-bf", "0", "-f", "flv", out)
	runTool(t, "ffmpeg", args...)
}

// makeH265 encodes a 3 s 320x240 H.265 elementary stream (Annex-B) with a
// keyframe every second.
func makeH265(t testing.TB) []byte {
	t.Helper()
	out := filepath.Join(t.TempDir(), "clip.h265")
	runTool(t, "ffmpeg", "-v", "error", "-y",
		"-f", "lavfi", "-i", "testsrc=size=320x240:rate=25:duration=3",
		"-c:v", "libx265", "-preset", "ultrafast", "-pix_fmt", "yuv420p",
		"-x265-params", "keyint=25:min-keyint=25:bframes=0:log-level=error", "-f", "hevc", out)
	b, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func runTool(t testing.TB, name string, args ...string) []byte {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, tool(t, name), args...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("%s %v: %v\n%s", name, args, err, stderr.String())
	}
	return out
}

// framesFromFLV reads an FLV file through gomedia's FLV reader and the
// converter, the same path RTMP input takes.
func framesFromFLV(t testing.TB, path string) (*media.Tracks, []*media.Frame) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var tracks *media.Tracks
	var frames []*media.Frame
	conv := newConverter(func(tr *media.Tracks) {
		if tracks != nil {
			t.Errorf("tracks announced twice: %v then %v", tracks, tr)
		}
		tracks = tr
	}, func(f *media.Frame) { frames = append(frames, f) })
	r := flv.CreateFlvReader()
	r.OnFrame = func(cid codec.CodecID, frame []byte, pts, dts uint32) { conv.push(cid, pts, dts, frame) }
	if err := r.Input(b); err != nil {
		t.Fatalf("read %s: %v", path, err)
	}
	if conv.err != nil {
		t.Fatal(conv.err)
	}
	if tracks == nil || len(frames) == 0 {
		t.Fatalf("%s gave no tracks or frames", path)
	}
	for _, f := range frames {
		f.Tracks = tracks
	}
	return tracks, frames
}

// startServer runs a Server on 127.0.0.1:0 for the test and returns it with
// its host:port.
func startServer(t testing.TB) (*Server, string) {
	t.Helper()
	return startServerWith(t, ServerOptions{})
}

func startServerWith(t testing.TB, opts ServerOptions) (*Server, string) {
	t.Helper()
	opts.Logger = testLogger(t)
	s := NewServer(opts)
	addr, err := s.Listen("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- s.Run(ctx) }()
	t.Cleanup(func() {
		cancel()
		s.Close()
		if err := <-done; err != nil {
			t.Errorf("server Run: %v", err)
		}
	})
	return s, addr.String()
}

func testLogger(t testing.TB) *slog.Logger {
	return slog.New(slog.NewTextHandler(testWriter{t}, &slog.HandlerOptions{Level: slog.LevelDebug}))
}

type testWriter struct{ t testing.TB }

func (w testWriter) Write(b []byte) (int, error) {
	w.t.Log(string(bytes.TrimRight(b, "\n")))
	return len(b), nil
}

// startPublisher runs ffmpeg publishing clip to url in real time. The test
// waits for it at cleanup; ffmpeg's failure is reported unless the test
// stopped it.
func startPublisher(t testing.TB, clip, url string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	cmd := exec.CommandContext(ctx, tool(t, "ffmpeg"), "-v", "error", "-re", "-i", clip, "-c", "copy", "-f", "flv", url)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		cancel()
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	t.Cleanup(func() {
		err := <-done
		cancel()
		if err != nil {
			t.Errorf("ffmpeg publish to %s: %v\n%s", url, err, stderr.String())
		}
	})
}

type probeStream struct {
	CodecType  string `json:"codec_type"`
	CodecName  string `json:"codec_name"`
	Width      int    `json:"width"`
	Height     int    `json:"height"`
	SampleRate string `json:"sample_rate"`
	Channels   int    `json:"channels"`
}

// runToolErr runs a tool and returns its output or an error with its
// stderr; it may be called from any goroutine.
func runToolErr(name string, args ...string) ([]byte, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, name, args...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return nil, fmt.Errorf("%w: %s", err, stderr.String())
	}
	return out, nil
}

func parseProbe(out []byte) ([]probeStream, error) {
	var res struct {
		Streams []probeStream `json:"streams"`
	}
	if err := json.Unmarshal(out, &res); err != nil {
		return nil, fmt.Errorf("%w: %s", err, out)
	}
	return res.Streams, nil
}

func findStream(streams []probeStream, kind string) *probeStream {
	for i := range streams {
		if streams[i].CodecType == kind {
			return &streams[i]
		}
	}
	return nil
}

// collector keeps what a source delivers (testkit.Collector).
type collector = testkit.Collector

func gotTracks(c *collector) []*media.Tracks { t, _ := c.Result(); return t }
func gotFrames(c *collector) []*media.Frame  { _, f := c.Result(); return f }

// pacer replays frames in real time, looping with timestamps that carry on
// from one round to the next. It is a FrameReader, and as a relay.Source
// it announces tracks and plays until ctx ends.
type pacer struct {
	tracks *media.Tracks
	frames []*media.Frame

	i      int
	offset time.Duration
	start  time.Time
}

func (p *pacer) Read(ctx context.Context) (*media.Frame, error) {
	if p.start.IsZero() {
		p.start = time.Now()
	}
	if p.i == len(p.frames) {
		first, last := p.frames[0].DTS, p.frames[len(p.frames)-1].DTS
		p.offset += last - first + 40*time.Millisecond
		p.i = 0
	}
	src := p.frames[p.i]
	p.i++
	f := *src
	f.DTS += p.offset
	f.PTS += p.offset
	f.Tracks = p.tracks
	wait := time.Until(p.start.Add(f.DTS - p.frames[0].DTS))
	if wait > 0 {
		timer := time.NewTimer(wait)
		defer timer.Stop()
		select {
		case <-timer.C:
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
	return &f, nil
}

func (p *pacer) Run(ctx context.Context, out relay.Publisher) error {
	out.Begin(p.tracks)
	for {
		f, err := p.Read(ctx)
		if err != nil {
			return nil
		}
		out.WriteFrame(f)
	}
}

// h265Frames cuts an H.265 elementary stream into access units, 25 a second,
// the way gomedia's FLV demuxer would hand them out.
func h265Frames(t testing.TB, es []byte) []*media.Frame {
	t.Helper()
	var frames []*media.Frame
	var cur [][]byte
	flush := func() {
		if len(cur) == 0 {
			return
		}
		n := len(frames)
		frames = append(frames, &media.Frame{
			Codec: media.H265,
			DTS:   time.Duration(n) * 40 * time.Millisecond,
			PTS:   time.Duration(n) * 40 * time.Millisecond,
			Data:  media.AppendAnnexB(nil, cur...),
		})
		cur = nil
	}
	hasVCL := false
	media.SplitAnnexB(es, func(n []byte) bool {
		typ := media.H265Type(n)
		// A new picture starts at a VCL unit whose first_slice_segment_in_pic_flag
		// is set, or at parameter sets/AUD after a picture.
		if hasVCL && (typ < 32 && len(n) > 2 && n[2]&0x80 != 0 || typ >= 32 && typ <= 35) {
			flush()
			hasVCL = false
		}
		cur = append(cur, n)
		if typ < 32 {
			hasVCL = true
		}
		return true
	})
	flush()
	if len(frames) < 50 {
		t.Fatalf("only %d access units in the H.265 clip", len(frames))
	}
	return frames
}

// runToolStderr runs a tool and returns what it wrote to stderr.
func runToolStderr(name string, args ...string) ([]byte, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, name, args...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	err := cmd.Run()
	return stderr.Bytes(), err
}

// closedAddr returns a local address nothing listens on.
func closedAddr(t testing.TB) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	return addr
}

// probe runs ffprobe on url as an RTMP player and returns its streams.
func probe(t testing.TB, url string) []probeStream {
	t.Helper()
	out := runTool(t, "ffprobe", "-v", "error", "-rw_timeout", "15000000", "-show_streams", "-of", "json", url)
	streams, err := parseProbe(out)
	if err != nil {
		t.Fatal(err)
	}
	return streams
}
