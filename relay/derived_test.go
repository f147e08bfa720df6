package relay

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/lubo-edge/lubo/internal/testkit"
	"github.com/lubo-edge/lubo/media"
)

var (
	aacTracks  = &media.Tracks{Video: &media.VideoTrack{Codec: media.H264}, Audio: &media.AudioTrack{Codec: media.AAC, SampleRate: 48000, Channels: 1}}
	pcmaTracks = &media.Tracks{Video: &media.VideoTrack{Codec: media.H264}, Audio: &media.AudioTrack{Codec: media.PCMA, SampleRate: 8000, Channels: 1}}
)

// noPCMA is the derived streams' filter in these tests: sessions without
// PCMA pass unchanged.
func noPCMA(t *media.Tracks) bool { return t.Audio == nil || t.Audio.Codec != media.PCMA }

// scripted publishes, per step it is released for, a session's Begin or a
// frame.
type scripted struct {
	steps   []any // *media.Tracks or *media.Frame
	release chan struct{}
}

func (s *scripted) Run(ctx context.Context, out Publisher) error {
	for _, st := range s.steps {
		select {
		case <-s.release:
		case <-ctx.Done():
			return nil
		}
		switch v := st.(type) {
		case *media.Tracks:
			out.Begin(v)
		case *media.Frame:
			out.WriteFrame(v)
		}
	}
	<-ctx.Done()
	return nil
}

// relabel stands for the G.711 encoder stage: it republishes its parent
// with PCMA sessions announced as AAC, on new Frames around the same data.
type relabel struct {
	parent  *Stream
	started chan struct{}
}

func (s *relabel) Run(ctx context.Context, out Publisher) error {
	rd, err := s.parent.AddReader("aac")
	if err != nil {
		return err
	}
	defer rd.Close()
	s.started <- struct{}{} // attached: it gets every frame written from now
	var last *media.Tracks
	for {
		f, err := rd.Read(ctx)
		if err != nil {
			return nil
		}
		if f.Tracks != last {
			last = f.Tracks
			t := *f.Tracks
			t.Audio = aacTracks.Audio
			out.Begin(&t)
		}
		out.WriteFrame(&media.Frame{Codec: f.Codec, DTS: f.DTS, PTS: f.PTS, Key: f.Key, Data: f.Data})
	}
}

func derivedPair(t *testing.T, steps []any) (parent, derived *Stream, src *scripted, rel *relabel) {
	t.Helper()
	src = &scripted{steps: steps, release: make(chan struct{})}
	parent = NewStream("c1", src, quiet(StreamOptions{}))
	rel = &relabel{parent: parent, started: make(chan struct{}, 4)}
	derived = NewStream("c1/aac", rel, quiet(StreamOptions{OnDemand: true, IdleTimeout: time.Millisecond, Parent: parent, Passes: noPCMA}))
	runStream(t, parent)
	runStream(t, derived)
	return parent, derived, src, rel
}

func step(src *scripted, n int) {
	for range n {
		src.release <- struct{}{}
	}
}

// A reader of the derived stream sits on the parent while the camera's
// session passes (no hop, the derived source idle); when the camera comes
// back with G.711 it moves to the derived stream, which starts for it,
// and reads the republished session from its first keyframe.
func TestDerivedReaderMovesWhenTheSessionStopsPassing(t *testing.T) {
	var steps []any
	steps = append(steps, aacTracks)
	for _, f := range gops(1, 3, 0) {
		steps = append(steps, f)
	}
	steps = append(steps, pcmaTracks)
	for _, f := range gops(2, 3, 0) {
		steps = append(steps, f)
	}
	parent, derived, src, rel := derivedPair(t, steps)

	step(src, 2) // the AAC session and its keyframe
	testkit.WaitFor(t, "the AAC session", func() bool { return parent.Tracks() != nil })
	r, err := derived.AddReader("hls")
	if err != nil {
		t.Fatal(err)
	}
	if parent.ReaderCount() != 1 || derived.ReaderCount() != 0 {
		t.Fatalf("readers: parent %d, derived %d; want the reader on the parent", parent.ReaderCount(), derived.ReaderCount())
	}
	if derived.Tracks() != parent.Tracks() {
		t.Fatal("the derived stream does not report the tracks its readers get")
	}
	step(src, 2)
	for _, f := range readN(t, r, 3) {
		if f.Tracks.Audio.Codec != media.AAC || f.Tracks != parent.Tracks() {
			t.Fatal("a frame of the passing session is not the parent's")
		}
	}
	select {
	case <-rel.started:
		t.Fatal("the derived source ran while its reader sat on the parent")
	default:
	}

	step(src, 1) // the camera comes back with G.711
	select {
	case <-rel.started:
	case <-time.After(testkit.Patience):
		t.Fatal("the derived source did not start when the camera's session stopped passing")
	}
	if derived.ReaderCount() != 1 {
		t.Fatalf("derived readers %d after the G.711 session began, want 1", derived.ReaderCount())
	}
	step(src, 6)
	got := readN(t, r, 6)
	if !got[0].Key {
		t.Fatal("the moved reader did not start at a keyframe")
	}
	for _, f := range got {
		if f.Tracks.Audio.Codec != media.AAC || f.Tracks == parent.Tracks() {
			t.Fatalf("after the move a frame has audio %v from the parent: want the derived stream's AAC", f.Tracks.Audio.Codec)
		}
	}
	r.Close()
	if derived.ReaderCount() != 0 {
		t.Fatalf("after Close: derived %d readers", derived.ReaderCount())
	}
}

// Before the camera's tracks are known, a reader waits on the camera's
// stream (an on-demand camera starts for it); a first session in G.711
// moves it to the derived stream.
func TestDerivedReaderParksUntilTracksAreKnown(t *testing.T) {
	steps := []any{pcmaTracks}
	for _, f := range gops(1, 3, 0) {
		steps = append(steps, f)
	}
	parent, derived, src, rel := derivedPair(t, steps)
	r, err := derived.AddReader("record")
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	if parent.ReaderCount() != 1 || derived.ReaderCount() != 0 {
		t.Fatalf("readers: parent %d, derived %d; want it parked on the parent", parent.ReaderCount(), derived.ReaderCount())
	}
	step(src, 1) // the first session: G.711
	select {
	case <-rel.started:
	case <-time.After(testkit.Patience):
		t.Fatal("the derived source did not start when the first session did not pass")
	}
	step(src, 3)
	for _, f := range readN(t, r, 3) {
		if f.Tracks.Audio.Codec != media.AAC {
			t.Fatalf("a frame with %v audio", f.Tracks.Audio.Codec)
		}
	}
}

// When the derived stream ends, so do its readers parked on the parent;
// until its own source fails, it reports the parent's error.
func TestDerivedStreamEndsItsParkedReaders(t *testing.T) {
	parent := NewStream("c1", SourceFunc(func(context.Context, Publisher) error { return errors.New("camera refused") }),
		quiet(StreamOptions{Backoff: Backoff{Min: time.Hour, Max: time.Hour}}))
	derived := NewStream("c1/aac", SourceFunc(func(ctx context.Context, _ Publisher) error { <-ctx.Done(); return nil }),
		quiet(StreamOptions{OnDemand: true, Parent: parent, Passes: noPCMA}))
	runStream(t, parent)
	stop := runStream(t, derived)
	r, err := derived.AddReader("viewer")
	if err != nil {
		t.Fatal(err)
	}
	testkit.WaitFor(t, "the camera's failure", func() bool { return parent.LastError() != "" })
	if got := derived.LastError(); got != parent.LastError() || derived.NextRetry() != parent.NextRetry() {
		t.Fatalf("derived stream says %q, retry %v; the camera %q, retry %v", got, derived.NextRetry(), parent.LastError(), parent.NextRetry())
	}
	stop()
	testkit.WaitFor(t, "the parked reader to close", func() bool {
		_, err := r.Read(canceled())
		return errors.Is(err, ErrReaderClosed)
	})
	if n := parent.ReaderCount(); n != 0 {
		t.Fatalf("%d readers left on the camera's stream", n)
	}
}

// canceled is a context already done: Read returns at once.
func canceled() context.Context {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	return ctx
}

// Close racing the move never leaves the reader attached anywhere.
func TestDerivedReaderCloseRacesTheMove(t *testing.T) {
	for range 200 {
		parent := NewStream("c1", nil, quiet(StreamOptions{}))
		derived := NewStream("c1/aac", nil, quiet(StreamOptions{Parent: parent, Passes: noPCMA}))
		pub := parent.nextSession()
		pub.Begin(aacTracks)
		r, err := derived.AddReader("viewer")
		if err != nil {
			t.Fatal(err)
		}
		var wg sync.WaitGroup
		wg.Add(1)
		go func() { defer wg.Done(); r.Close() }()
		pub.Begin(pcmaTracks)
		wg.Wait()
		if n := parent.ReaderCount() + derived.ReaderCount(); n != 0 {
			t.Fatalf("%d readers left attached after Close", n)
		}
	}
}
