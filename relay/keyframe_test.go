package relay

import (
	"testing"
	"time"

	"github.com/lubo-edge/lubo/internal/testkit"
	"github.com/lubo-edge/lubo/media"
)

func TestLatestKeyframeFollowsTheGOPCache(t *testing.T) {
	// An audio frame first: the cache only starts at a video keyframe.
	audio := &media.Frame{Codec: media.AAC, Key: true, Data: []byte{1}}
	src := &synth{
		frames:  func(int) []*media.Frame { return append([]*media.Frame{audio}, gops(2, 5, 0)...) },
		release: make(chan struct{}),
	}
	s := NewStream("c1", src, quiet(StreamOptions{}))
	r, err := s.AddReader("watcher")
	if err != nil {
		t.Fatal(err)
	}
	if f := s.LatestKeyframe(); f != nil {
		t.Fatalf("keyframe %v before any frame", f.DTS)
	}
	cancel := runStream(t, s)

	// A lone audio frame waits in the ring for the next picture (readers
	// are woken once per picture), so wait for it to be queued, not read.
	src.release <- struct{}{}
	testkit.WaitFor(t, "the audio frame queued", func() bool { return r.Pending() == 1 })
	if f := s.LatestKeyframe(); f != nil {
		t.Fatalf("keyframe %v after an audio frame alone", f.DTS)
	}
	readN(t, r, 1)
	// The reader gets a frame after the stream cached it, so reading
	// frame n means the cache has seen it.
	for i, wantDTS := range []time.Duration{0, 0, 0, 0, 0, 200, 200} {
		src.release <- struct{}{}
		readN(t, r, 1)
		f := s.LatestKeyframe()
		if f == nil || !f.Key || !f.IsVideo() || f.DTS != wantDTS*time.Millisecond {
			t.Fatalf("after video frame %d: keyframe %+v, want the one at %v", i, f, wantDTS*time.Millisecond)
		}
	}
	// Shutdown empties the cache: no stale picture of a stopped stream.
	cancel()
	testkit.WaitFor(t, "the cache emptied after the stream stopped", func() bool { return s.LatestKeyframe() == nil })
}
