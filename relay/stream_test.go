package relay

import (
	"context"
	"errors"
	"log/slog"
	"sync"
	"testing"
	"time"

	"github.com/lubo-edge/lubo/internal/testkit"
	"github.com/lubo-edge/lubo/media"
)

// synth is a source that writes frames from a script, then fails or waits.
type synth struct {
	mu      sync.Mutex
	runs    int
	frames  func(session int) []*media.Frame
	fail    bool          // return an error after the frames, else wait for ctx
	started chan int      // receives the session number when Run begins
	release chan struct{} // when set, each frame waits for a token
}

func (s *synth) Run(ctx context.Context, out Publisher) error {
	s.mu.Lock()
	s.runs++
	n := s.runs
	s.mu.Unlock()
	if s.started != nil {
		s.started <- n
	}
	out.Begin(&media.Tracks{Video: &media.VideoTrack{Codec: media.H264}, Audio: &media.AudioTrack{Codec: media.AAC, SampleRate: 48000, Channels: 2}})
	for _, f := range s.frames(n) {
		if s.release != nil {
			select {
			case <-s.release:
			case <-ctx.Done():
				return nil
			}
		}
		out.WriteFrame(f)
	}
	if s.fail {
		return errors.New("camera went away")
	}
	<-ctx.Done()
	return nil
}

// gops makes n GOPs of size frames each, 40 ms apart, starting at start.
func gops(n, size int, start time.Duration) []*media.Frame {
	var fs []*media.Frame
	for i := 0; i < n*size; i++ {
		t := start + time.Duration(i)*40*time.Millisecond
		fs = append(fs, &media.Frame{Codec: media.H264, DTS: t, PTS: t, Key: i%size == 0, Data: []byte{0, 0, 0, 1, 0x65}})
	}
	return fs
}

func quiet(o StreamOptions) StreamOptions {
	o.Logger = slog.New(slog.DiscardHandler)
	return o
}

func runStream(t *testing.T, s *Stream) context.CancelFunc {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); _ = s.Run(ctx) }()
	t.Cleanup(func() { cancel(); <-done })
	return cancel
}

func readN(t *testing.T, r *Reader, n int) []*media.Frame {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	var got []*media.Frame
	for len(got) < n {
		f, err := r.Read(ctx)
		if err != nil {
			t.Fatalf("read frame %d: %v", len(got), err)
		}
		got = append(got, f)
	}
	return got
}

func TestNewReaderStartsFromCachedGOP(t *testing.T) {
	src := &synth{frames: func(int) []*media.Frame { return gops(2, 5, 0) }, release: make(chan struct{})}
	s := NewStream("c1", src, quiet(StreamOptions{}))
	first, err := s.AddReader("first")
	if err != nil {
		t.Fatal(err)
	}
	runStream(t, s)
	for range 8 { // 1.6 GOPs: the cache holds the second GOP's first 3 frames
		src.release <- struct{}{}
	}
	readN(t, first, 8)
	late, err := s.AddReader("late")
	if err != nil {
		t.Fatal(err)
	}
	got := readN(t, late, 3)
	if !got[0].Key || got[0].DTS != 200*time.Millisecond {
		t.Fatalf("late reader starts with key=%v dts=%v, want the keyframe at 200ms", got[0].Key, got[0].DTS)
	}
	if got[2].DTS != 280*time.Millisecond {
		t.Fatalf("third cached frame dts %v, want 280ms", got[2].DTS)
	}
}

func TestSlowReaderDoesNotDelayOthers(t *testing.T) {
	const total = 300
	src := &synth{frames: func(int) []*media.Frame { return gops(total/10, 10, 0) }, release: make(chan struct{})}
	s := NewStream("c1", src, quiet(StreamOptions{ReaderQueue: 16}))
	stuck, _ := s.AddReader("never reads")
	fast, _ := s.AddReader("fast")
	runStream(t, s)
	// Frame by frame: the source writes one frame and the fast reader must
	// get exactly that frame next, however full the stuck reader is.
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	var want time.Duration
	for i := 0; i < total; i++ {
		src.release <- struct{}{}
		f, err := fast.Read(ctx)
		if err != nil {
			t.Fatalf("fast reader frame %d: %v", i, err)
		}
		if f.DTS != want {
			t.Fatalf("fast reader frame %d dts %v, want %v (it lost or reordered frames)", i, f.DTS, want)
		}
		want += 40 * time.Millisecond
	}
	if stuck.Dropped() != total-16 {
		t.Fatalf("stuck reader dropped %d, want %d", stuck.Dropped(), total-16)
	}
	if fast.Dropped() != 0 {
		t.Fatalf("fast reader dropped %d frames", fast.Dropped())
	}
	if got := s.Stats().Dropped.Load(); got != total-16 {
		t.Fatalf("stream counts %d drops, want %d", got, total-16)
	}
}

func TestSlowReaderResumesOnKeyframe(t *testing.T) {
	src := &synth{frames: func(int) []*media.Frame { return gops(10, 10, 0) }, release: make(chan struct{})}
	s := NewStream("c1", src, quiet(StreamOptions{ReaderQueue: 4}))
	r, _ := s.AddReader("slow")
	runStream(t, s)
	for range 20 { // frames 0-3 fill the ring, 4-19 are dropped
		src.release <- struct{}{}
	}
	got := readN(t, r, 4)
	for range 4 { // keyframe 20 and the frames after it get through
		src.release <- struct{}{}
	}
	got = append(got, readN(t, r, 4)...)
	wantDTS := []time.Duration{0, 40, 80, 120, 800, 840, 880, 920}
	for i, f := range got {
		if f.DTS != wantDTS[i]*time.Millisecond {
			t.Fatalf("frame %d dts %v, want %v", i, f.DTS, wantDTS[i]*time.Millisecond)
		}
	}
	if !got[4].Key {
		t.Fatal("reader resumed on a non-keyframe")
	}
	if r.Dropped() != 16 {
		t.Fatalf("dropped %d, want 16", r.Dropped())
	}
}

func TestReconnectKeepsReadersAndTimelineMonotonic(t *testing.T) {
	src := &synth{
		fail: true,
		// Every session restarts its own clock at 5 s, as a camera would.
		frames: func(int) []*media.Frame { return gops(1, 5, 5*time.Second) },
	}
	s := NewStream("c1", src, quiet(StreamOptions{Backoff: Backoff{Min: time.Millisecond, Max: 2 * time.Millisecond}}))
	r, _ := s.AddReader("viewer")
	runStream(t, s)
	got := readN(t, r, 15)
	var last *media.Frame
	sessions := 0
	for i, f := range got {
		if last != nil && f.DTS <= last.DTS {
			t.Fatalf("frame %d dts %v not after %v", i, f.DTS, last.DTS)
		}
		if last == nil || f.Tracks != last.Tracks {
			sessions++
			if !f.Key {
				t.Fatalf("session %d starts on a non-keyframe", sessions)
			}
		}
		last = f
	}
	if sessions != 3 {
		t.Fatalf("saw %d sessions, want 3", sessions)
	}
	if got[0].DTS != 0 {
		t.Fatalf("timeline starts at %v, want 0", got[0].DTS)
	}
	if s.Stats().Reconnects.Load() < 2 {
		t.Fatalf("reconnects %d, want >= 2", s.Stats().Reconnects.Load())
	}
}

func TestOnDemandStartsAndStops(t *testing.T) {
	src := &synth{frames: func(int) []*media.Frame { return gops(1, 2, 0) }, started: make(chan int, 4)}
	s := NewStream("c1", src, quiet(StreamOptions{OnDemand: true, IdleTimeout: time.Millisecond}))
	runStream(t, s)
	select {
	case <-src.started:
		t.Fatal("on-demand source started without a reader")
	case <-time.After(50 * time.Millisecond):
	}
	r, _ := s.AddReader("viewer")
	if n := <-src.started; n != 1 {
		t.Fatalf("session %d, want 1", n)
	}
	readN(t, r, 2)
	r.Close()
	// The idle timer stops the source; a new reader starts a second session.
	testkit.WaitFor(t, "the idle source stopped", func() bool { return !s.Stats().Up.Load() })
	r2, _ := s.AddReader("viewer2")
	if n := <-src.started; n != 2 {
		t.Fatalf("session %d, want 2", n)
	}
	r2.Close()
}

func TestRunEndClosesReaders(t *testing.T) {
	src := &synth{frames: func(int) []*media.Frame { return nil }}
	s := NewStream("c1", src, quiet(StreamOptions{}))
	r, _ := s.AddReader("viewer")
	cancel := runStream(t, s)
	cancel()
	if _, err := r.Read(context.Background()); !errors.Is(err, ErrReaderClosed) {
		t.Fatalf("read after stream end: %v, want ErrReaderClosed", err)
	}
}

func TestBackoffDelay(t *testing.T) {
	b := Backoff{}.WithDefaults()
	cases := []struct {
		name    string
		down    time.Duration
		attempt int
		base    time.Duration
	}{
		{"just lost", 0, 0, time.Second},
		{"a minute down: still fast", time.Minute, 0, time.Second},
		{"past the fast period", 2 * time.Minute, 1, 2 * time.Second},
		{"longer", 3 * time.Minute, 3, 8 * time.Second},
		{"hours", 5 * time.Hour, 50, 30 * time.Second},
	}
	for _, c := range cases {
		for range 50 {
			d := b.Delay(c.down, c.attempt)
			if d < c.base*4/5 || d > c.base*6/5 {
				t.Fatalf("%s: delay %v outside %v±20%%", c.name, d, c.base)
			}
			if d > b.Max {
				t.Fatalf("%s: delay %v above the cap %v", c.name, d, b.Max)
			}
		}
	}
}

// Audio between pictures does not wake a reader on its own; the next
// picture wakes it and both arrive in order. Audio-only streams wake on
// every frame.
func TestReaderWakesPerPicture(t *testing.T) {
	s := NewStream("c1", nil, quiet(StreamOptions{}))
	r, _ := s.AddReader("viewer")
	audio := &media.Frame{Codec: media.AAC, Key: true, DTS: 10 * time.Millisecond}
	video := &media.Frame{Codec: media.H264, Key: true, DTS: 40 * time.Millisecond}
	r.push(s, audio, true)
	if len(r.notify) != 0 {
		t.Fatal("an audio frame woke the reader of a stream with video")
	}
	r.push(s, video, true)
	if len(r.notify) != 1 {
		t.Fatal("a picture did not wake the reader")
	}
	got := readN(t, r, 2)
	if got[0] != audio || got[1] != video {
		t.Fatal("frames out of order")
	}
	r.push(s, &media.Frame{Codec: media.AAC, Key: true}, false)
	if len(r.notify) != 1 {
		t.Fatal("an audio-only stream's frame did not wake the reader")
	}
}

// An outage stays at the fast pace for Fast, then backs off per attempt;
// a peer that worked in between starts a new outage.
func TestOutage(t *testing.T) {
	b := Backoff{Min: time.Second, Max: time.Minute, Fast: time.Minute}
	var o Outage
	t0 := time.Unix(1_700_000_000, 0)
	check := func(at time.Duration, worked bool, wantDown, wantBase time.Duration) {
		t.Helper()
		down, wait := o.Failed(b, t0.Add(at), worked)
		if down != wantDown || wait < wantBase*4/5 || wait > min(wantBase*6/5, b.Max) {
			t.Fatalf("at %v: down %v wait %v, want down %v and a wait near %v", at, down, wait, wantDown, wantBase)
		}
	}
	check(0, false, 0, time.Second)
	check(30*time.Second, false, 30*time.Second, time.Second)
	check(time.Minute, false, time.Minute, 2*time.Second) // the first slow attempt
	check(time.Minute+2*time.Second, false, time.Minute+2*time.Second, 4*time.Second)
	check(2*time.Minute, true, 0, time.Second) // it streamed meanwhile
	o.Reset()
	check(3*time.Minute, false, 0, time.Second)
}
