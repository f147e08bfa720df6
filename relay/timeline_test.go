package relay

import (
	"context"
	"testing"
	"time"

	"github.com/lubo-edge/lubo/internal/testkit"
	"github.com/lubo-edge/lubo/media"
)

const ms = time.Millisecond

// tf is a test frame: video when v, else AAC audio, at dts (pts = dts + ct).
func tf(v bool, dts, ct time.Duration) *media.Frame {
	c := media.AAC
	if v {
		c = media.H264
	}
	return &media.Frame{Codec: c, DTS: dts, PTS: dts + ct, Key: true, Data: []byte{1}}
}

func TestTimelineWithinASession(t *testing.T) {
	cases := []struct {
		name string
		in   []*media.Frame
		// wantDTS is each frame's DTS on the timeline; disc marks the
		// frames reported as a discontinuity.
		wantDTS []time.Duration
		disc    []bool
	}{
		{
			name:    "steady video and audio keep the camera's A/V offset",
			in:      []*media.Frame{tf(true, 1000*ms, 0), tf(false, 1010*ms, 0), tf(true, 1040*ms, 0), tf(false, 1031*ms, 0)},
			wantDTS: []time.Duration{0, 10 * ms, 40 * ms, 31 * ms},
			disc:    []bool{false, false, false, false},
		},
		{
			name:    "small step back is nudged past its predecessor",
			in:      []*media.Frame{tf(true, 0, 0), tf(true, 40*ms, 0), tf(true, 30*ms, 0), tf(true, 80*ms, 0)},
			wantDTS: []time.Duration{0, 40 * ms, 41 * ms, 80 * ms},
			disc:    []bool{false, false, false, false},
		},
		{
			name: "video clock jumps back 10 s: it continues one interval on, and is a discontinuity",
			in: []*media.Frame{tf(true, 20*time.Second, 0), tf(true, 20*time.Second+40*ms, 0),
				tf(true, 10*time.Second, 0), tf(true, 10*time.Second+40*ms, 0)},
			wantDTS: []time.Duration{0, 40 * ms, 80 * ms, 120 * ms},
			disc:    []bool{false, false, true, false},
		},
		{
			name: "audio follows the video's jump without a second discontinuity, and stays in sync",
			in: []*media.Frame{tf(true, 20*time.Second, 0), tf(false, 20*time.Second, 0), tf(true, 20*time.Second+40*ms, 0), tf(false, 20*time.Second+20*ms, 0),
				tf(true, 10*time.Second, 0), tf(false, 10*time.Second, 0), tf(true, 10*time.Second+40*ms, 0), tf(false, 10*time.Second+20*ms, 0)},
			wantDTS: []time.Duration{0, 0, 40 * ms, 20 * ms, 80 * ms, 40 * ms, 120 * ms, 60 * ms},
			disc:    []bool{false, false, false, false, true, false, false, false},
		},
		{
			name:    "a forward jump of a minute is a discontinuity",
			in:      []*media.Frame{tf(true, 0, 0), tf(true, 40*ms, 0), tf(true, 60*time.Second, 0)},
			wantDTS: []time.Duration{0, 40 * ms, 80 * ms},
			disc:    []bool{false, false, true},
		},
		{
			name:    "a forward gap of 5 s is real time passing: kept",
			in:      []*media.Frame{tf(true, 0, 0), tf(true, 5*time.Second, 0)},
			wantDTS: []time.Duration{0, 5 * time.Second},
			disc:    []bool{false, false},
		},
		{
			name:    "a step back of half a second is absorbed without a discontinuity",
			in:      []*media.Frame{tf(true, time.Second, 0), tf(true, time.Second+40*ms, 0), tf(true, 540*ms, 0)},
			wantDTS: []time.Duration{0, 40 * ms, 80 * ms},
			disc:    []bool{false, false, false},
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var tl timeline
			tl.newSession()
			for i, f := range c.in {
				d := tl.rebase(f, true)
				if f.DTS != c.wantDTS[i] || d != c.disc[i] {
					t.Fatalf("frame %d: dts %v discontinuity %v, want %v %v", i, f.DTS, d, c.wantDTS[i], c.disc[i])
				}
				if f.PTS < f.DTS {
					t.Fatalf("frame %d: pts %v before dts %v", i, f.PTS, f.DTS)
				}
			}
		})
	}
}

func TestTimelineKeepsCompositionOffset(t *testing.T) {
	var tl timeline
	tl.newSession()
	a, b := tf(true, 5*time.Second, 80*ms), tf(true, time.Second, 120*ms)
	tl.rebase(a, true)
	tl.rebase(b, true)
	if a.PTS-a.DTS != 80*ms || b.PTS-b.DTS != 120*ms {
		t.Fatalf("composition offsets %v %v, want 80ms 120ms", a.PTS-a.DTS, b.PTS-b.DTS)
	}
}

func FuzzTimelineMonotonic(f *testing.F) {
	f.Add([]byte{0, 10, 1, 200, 0, 3, 1, 1})
	f.Add([]byte{0, 255, 0, 0, 1, 128, 1, 0})
	f.Fuzz(func(t *testing.T, steps []byte) {
		var tl timeline
		tl.newSession()
		last := map[bool]time.Duration{}
		seen := map[bool]bool{}
		raw := time.Duration(0)
		for i := 0; i+1 < len(steps); i += 2 {
			video := steps[i]&1 == 1
			// Steps from -1.28 s to +1.27 s, times 100 for a big one.
			d := time.Duration(int8(steps[i+1])) * 10 * ms
			if steps[i]&2 != 0 {
				d *= 100
			}
			raw += d
			fr := tf(video, raw, time.Duration(steps[i]>>2)*ms)
			tl.rebase(fr, true)
			if seen[video] && fr.DTS <= last[video] {
				t.Fatalf("step %d: dts %v not after %v", i/2, fr.DTS, last[video])
			}
			if fr.PTS < fr.DTS {
				t.Fatalf("pts before dts")
			}
			last[video], seen[video] = fr.DTS, true
		}
	})
}

func TestClockJumpStartsANewEpoch(t *testing.T) {
	frames := append(gops(2, 5, 20*time.Second), gops(2, 5, 0)...) // jumps back 20 s at a keyframe
	src := &synth{frames: func(int) []*media.Frame { return frames }, release: make(chan struct{})}
	s := NewStream("c1", src, quiet(StreamOptions{}))
	r, _ := s.AddReader("watcher")
	runStream(t, s)
	for range frames {
		src.release <- struct{}{}
	}
	got := readN(t, r, len(frames))
	for i := 1; i < len(got); i++ {
		if got[i].DTS <= got[i-1].DTS {
			t.Fatalf("frame %d dts %v after %v: not monotonic", i, got[i].DTS, got[i-1].DTS)
		}
	}
	if got[9].Tracks != got[0].Tracks || got[10].Tracks == got[9].Tracks {
		t.Fatal("the jump is not marked by a new *Tracks at frame 10 (and only there)")
	}
	if got[10].Tracks.Session != got[0].Tracks.Session {
		t.Fatal("a clock jump counted as a new source session")
	}
	if n := s.Stats().Jumps.Load(); n != 1 {
		t.Fatalf("jumps %d, want 1", n)
	}
	if kf := s.LatestKeyframe(); kf == nil || kf.Tracks != got[10].Tracks {
		t.Fatal("the GOP cache holds frames of the epoch before the jump")
	}
}

func TestNoStaleGOPAfterTheSourceStops(t *testing.T) {
	src := &synth{frames: func(int) []*media.Frame { return gops(1, 5, 0) }, release: make(chan struct{}), fail: true}
	s := NewStream("c1", src, quiet(StreamOptions{Backoff: Backoff{Min: time.Hour, Max: time.Hour}}))
	r, _ := s.AddReader("first")
	runStream(t, s)
	for range 5 {
		src.release <- struct{}{}
	}
	readN(t, r, 5)
	// The session failed; the stream now waits an hour to reconnect.
	testkit.WaitFor(t, "the session to end", func() bool { return !s.Stats().Up.Load() && s.Stats().Reconnects.Load() == 1 })
	if kf := s.LatestKeyframe(); kf != nil {
		t.Fatalf("keyframe at %v still cached while the source is down", kf.DTS)
	}
	late, _ := s.AddReader("late")
	if n := late.Pending(); n != 0 {
		t.Fatalf("a viewer arriving while the camera is down got %d stale frames", n)
	}
}

// stuckSource ignores its context, as a library stuck in a read loop does.
type stuckSource struct{ release chan struct{} }

func (s stuckSource) Run(_ context.Context, out Publisher) error {
	out.Begin(&media.Tracks{Video: &media.VideoTrack{Codec: media.H264}})
	<-s.release
	out.WriteFrame(&media.Frame{Codec: media.H264, Key: true, Data: []byte{0, 0, 0, 1, 0x65}})
	return nil
}

func TestAStuckSourceIsAbandonedAtStop(t *testing.T) {
	src := stuckSource{release: make(chan struct{})}
	defer close(src.release)
	s := NewStream("c1", src, quiet(StreamOptions{StopTimeout: 100 * ms}))
	r, _ := s.AddReader("watcher")
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); _ = s.Run(ctx) }()
	testkit.WaitFor(t, "the session to begin", func() bool { return s.Stats().Up.Load() })
	cancel()
	<-done // without the stop timeout this waits for ever
	if n := s.Stats().Abandoned.Load(); n != 1 {
		t.Fatalf("abandoned %d, want 1", n)
	}
	if _, err := r.Read(context.Background()); err != ErrReaderClosed {
		t.Fatalf("reader after stop: %v, want ErrReaderClosed", err)
	}
}

func TestPicturesAreCanonicalAtTheEdge(t *testing.T) {
	frames := []*media.Frame{
		{Codec: media.H264, Key: true, Data: []byte{0, 0, 0, 1, 0x67, 1, 0, 0, 1, 0, 0, 0, 1, 0x65, 2}}, // empty unit
		{Codec: media.H264, DTS: 40 * ms, Data: []byte{0, 0, 1}},                                        // nothing in it
		{Codec: media.H264, DTS: 80 * ms, Data: []byte{0, 0, 1, 0x41, 3}},                               // 3-byte start code
	}
	src := &synth{frames: func(int) []*media.Frame { return frames }}
	s := NewStream("c1", src, quiet(StreamOptions{}))
	r, _ := s.AddReader("watcher")
	runStream(t, s)
	got := readN(t, r, 2)
	if string(got[0].Data) != string([]byte{0, 0, 0, 1, 0x67, 1, 0, 0, 0, 1, 0x65, 2}) ||
		string(got[1].Data) != string([]byte{0, 0, 0, 1, 0x41, 3}) {
		t.Fatalf("frames %x %x: not canonical", got[0].Data, got[1].Data)
	}
	if n := s.Stats().Invalid.Load(); n != 1 {
		t.Fatalf("invalid %d, want 1", n)
	}
}
