package transcode

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/lubo-edge/lubo/internal/testclip"
	"github.com/lubo-edge/lubo/internal/testkit"
	"github.com/lubo-edge/lubo/media"
	"github.com/lubo-edge/lubo/relay"
	"github.com/lubo-edge/lubo/relay/flv"
)

// clipFiles are the files ffmpeg makes for this test binary.
var clipFiles testkit.Clips

func TestMain(m *testing.M) { clipFiles.RunMain(m) }

// clip is an H.264 + G.711 recording read back into frames.
type clip struct {
	tracks *media.Tracks
	frames []*media.Frame
}

var (
	clipsMu sync.Mutex
	clips   = map[string]*clip{}
)

// burstExpr is a 1 kHz tone for the first 100 ms of every second: its
// onsets tell where each second of the source's sound ended up.
const burstExpr = `aevalsrc=exprs='if(lt(mod(t\,1)\,0.1)\,0.8*sin(2*PI*1000*t)\,0)':s=8000`

// loadClip makes (once per test binary) a clip of seconds of 25 fps
// H.264 with a keyframe every second and G.711 (codec pcm_alaw or
// pcm_mulaw, channels 1 or 2) whose sound is burstExpr, as FLV, and reads
// it with lubo's FLV reader.
func loadClip(t testing.TB, seconds int, codec string, channels int) *clip {
	t.Helper()
	name := fmt.Sprintf("%s_%d_%ds.flv", codec, channels, seconds)
	clipsMu.Lock()
	defer clipsMu.Unlock()
	if c := clips[name]; c != nil {
		return c
	}
	path := clipFiles.Path(t, name, func(path string) error {
		return testclip.FFmpeg("-f", "lavfi", "-i", fmt.Sprintf("testsrc2=s=320x240:r=25:d=%d", seconds),
			"-f", "lavfi", "-i", fmt.Sprintf("%s:d=%d", burstExpr, seconds),
			"-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p", "-g", "25", "-keyint_min", "25",
			"-sc_threshold", "0", "-bf", "0", "-threads", "1",
			"-c:a", codec, "-ar", "8000", "-ac", "1", "-f", "flv", path)
	})
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var col collector
	if err := flv.ReadStream(context.Background(), f, &col, nil); !errors.Is(err, io.EOF) {
		t.Fatalf("read %s: %v", name, err)
	}
	want := media.PCMA
	if codec == "pcm_mulaw" {
		want = media.PCMU
	}
	if col.tracks == nil || col.tracks.Video == nil || col.tracks.Audio == nil || col.tracks.Audio.Codec != want {
		t.Fatalf("%s has tracks %s, want H264 + %v", name, col.tracks, want)
	}
	c := &clip{tracks: col.tracks, frames: col.frames}
	if channels == 2 {
		c = stereo(c) // FLV as ffmpeg writes it has mono G.711 only
	}
	clips[name] = c
	return c
}

// stereo makes a two-channel clip of a mono one: each sample twice.
func stereo(c *clip) *clip {
	a := *c.tracks.Audio
	a.Channels = 2
	tracks := *c.tracks
	tracks.Audio = &a
	out := &clip{tracks: &tracks}
	for _, f := range c.frames {
		g := *f
		g.Tracks = &tracks
		if !f.IsVideo() {
			g.Data = make([]byte, 0, 2*len(f.Data))
			for _, b := range f.Data {
				g.Data = append(g.Data, b, b)
			}
		}
		out.frames = append(out.frames, &g)
	}
	return out
}

// collector keeps what an FLV reader publishes.
type collector struct {
	tracks *media.Tracks
	frames []*media.Frame
}

func (c *collector) Begin(t *media.Tracks)     { c.tracks = t }
func (c *collector) WriteFrame(f *media.Frame) { c.frames = append(c.frames, f) }

// counts is how many video and audio frames fs holds.
func counts(fs []*media.Frame) (video, audio int) {
	for _, f := range fs {
		if f.IsVideo() {
			video++
		} else {
			audio++
		}
	}
	return video, audio
}

// clipSource is a camera made of clips: each session publishes its clip's
// frames at once (fresh Frame structs around the clip's payloads, as the
// stream rewrites a frame's timestamps), the sessions follow each other
// within one Run, as a source that restarts its session without
// reconnecting. Before session i's frames from index pauseAt[i] on, it
// waits for gate to be closed. After the last session it waits for ctx.
type clipSource struct {
	sessions []*clip
	pauseAt  map[int]int
	gate     chan struct{}
	// paused is closed when the source waits at the gate.
	paused chan struct{}
	// realtime publishes each frame when its time has come, as a camera.
	realtime bool
}

func (s *clipSource) Run(ctx context.Context, out relay.Publisher) error {
	for i, c := range s.sessions {
		tracks := *c.tracks
		out.Begin(&tracks)
		began := time.Now()
		for j, f := range c.frames {
			if s.realtime && !waitUntil(ctx, began.Add(f.DTS-c.frames[0].DTS)) {
				return nil
			}
			if at, ok := s.pauseAt[i]; ok && at == j {
				close(s.paused)
				select {
				case <-s.gate:
				case <-ctx.Done():
					return nil
				}
			}
			g := *f
			g.Tracks = nil
			out.WriteFrame(&g)
		}
	}
	<-ctx.Done()
	return nil
}

// waitUntil waits for the clock to reach t; false when ctx ended first.
func waitUntil(ctx context.Context, t time.Time) bool {
	timer := time.NewTimer(time.Until(t))
	defer timer.Stop()
	select {
	case <-timer.C:
		return true
	case <-ctx.Done():
		return false
	}
}

// rig is a parent stream fed by a source and the AAC stream derived from it.
type rig struct {
	parent, derived *relay.Stream
	src             *Source
	reader          *relay.Reader
	cancel          context.CancelFunc
	done            chan struct{} // closed when both streams' Run returned
}

// startRig runs a parent stream over cam (on demand, so it starts with the
// derived stream's reader) and a derived stream over a transcode Source,
// and attaches one reader to the derived stream.
func startRig(t *testing.T, cam relay.Source, opts Options) *rig {
	t.Helper()
	if opts.Logger == nil {
		opts.Logger = newLogBuffer(t).Logger()
	}
	ctx, cancel := context.WithCancel(context.Background())
	parent := relay.NewStream("c1", cam, relay.StreamOptions{OnDemand: true, Logger: opts.Logger})
	src := NewSource(parent, opts)
	derived := relay.NewStream("c1-aac", src, relay.StreamOptions{OnDemand: true, Logger: opts.Logger})
	r := &rig{parent: parent, derived: derived, src: src, cancel: cancel, done: make(chan struct{})}
	var wg sync.WaitGroup
	wg.Add(2)
	go func() { defer wg.Done(); _ = parent.Run(ctx) }()
	go func() { defer wg.Done(); _ = derived.Run(ctx) }()
	go func() { wg.Wait(); close(r.done) }()
	rd, err := derived.AddReader("test")
	if err != nil {
		t.Fatal(err)
	}
	r.reader = rd
	t.Cleanup(r.stop)
	return r
}

// stop cancels both streams and waits for them.
func (r *rig) stop() {
	r.cancel()
	<-r.done
}

// readSessions reads the derived stream until the first frame of its n-th
// session: it returns the frames of each session, told apart by their
// Tracks pointer; all but the last are complete.
func (r *rig) readSessions(t *testing.T, n int) [][]*media.Frame {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	var sessions [][]*media.Frame
	var cur *media.Tracks
	for {
		f, err := r.reader.Read(ctx)
		if err != nil {
			t.Fatalf("read the derived stream in session %d: %v", len(sessions), err)
		}
		if f.Tracks != cur {
			cur = f.Tracks
			sessions = append(sessions, nil)
		}
		sessions[len(sessions)-1] = append(sessions[len(sessions)-1], f)
		if len(sessions) == n {
			return sessions
		}
	}
}

// logBuffer is the shared thread-safe log buffer.
type logBuffer = testkit.LogBuffer

func newLogBuffer(t *testing.T) *logBuffer {
	l := &logBuffer{}
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("logs:\n%s", l.String())
		}
	})
	return l
}
