package relay

import (
	"testing"
	"time"

	"github.com/lubo-edge/lubo/media"
)

// TestReaderRingGrowsWithItsBacklog: a reader's ring starts small, grows
// as a backlog needs it (across the wrap-around point) without losing or
// reordering a frame, and still drops exactly at ReaderQueue frames.
func TestReaderRingGrowsWithItsBacklog(t *testing.T) {
	const limit = 300
	s := NewStream("c1", nil, quiet(StreamOptions{ReaderQueue: limit}))
	pub := s.nextSession()
	pub.Begin(&media.Tracks{Video: &media.VideoTrack{Codec: media.H264}})
	r, err := s.AddReader("r")
	if err != nil {
		t.Fatal(err)
	}
	if len(r.ring) != initialRing {
		t.Fatalf("new reader's ring has %d slots, want %d", len(r.ring), initialRing)
	}
	frames := gops(1, 2000, 0)
	next, want := 0, 0 // next frame to write, next DTS index to read
	write := func(n int) {
		for range n {
			pub.WriteFrame(frames[next])
			next++
		}
	}
	read := func(n int) {
		t.Helper()
		for i, f := range readN(t, r, n) {
			if f.DTS != time.Duration(want)*40*time.Millisecond {
				t.Fatalf("read %d: dts %v, want frame %d", i, f.DTS, want)
			}
			want++
		}
	}
	write(50)
	read(40) // the head is now well inside the ring
	write(40)
	if len(r.ring) != initialRing || r.head+r.n <= len(r.ring) {
		t.Fatalf("ring %d slots, head %d, %d queued: the test wants a wrapped ring here", len(r.ring), r.head, r.n)
	}
	write(200) // grows twice from a wrapped ring
	if len(r.ring) < 250 || len(r.ring) > limit {
		t.Fatalf("ring %d slots for 250 queued frames, limit %d", len(r.ring), limit)
	}
	read(250)
	write(limit + 1) // one too many
	if len(r.ring) != limit {
		t.Fatalf("ring %d slots, want the limit %d", len(r.ring), limit)
	}
	if r.Dropped() != 1 {
		t.Fatalf("dropped %d, want 1 (the frame past the limit)", r.Dropped())
	}
	read(limit)
}

// TestLateReaderGetsAGOPLargerThanItsFirstRing: the cached GOP is handed
// over whole even when it is longer than a new ring.
func TestLateReaderGetsAGOPLargerThanItsFirstRing(t *testing.T) {
	s := NewStream("c1", nil, quiet(StreamOptions{ReaderQueue: 1024}))
	pub := s.nextSession()
	pub.Begin(&media.Tracks{Video: &media.VideoTrack{Codec: media.H264}})
	const gop = 3*initialRing + 5
	for _, f := range gops(2, gop, 0)[:gop+gop/2] {
		pub.WriteFrame(f)
	}
	r, err := s.AddReader("late")
	if err != nil {
		t.Fatal(err)
	}
	got := readN(t, r, gop/2)
	for i, f := range got {
		if want := time.Duration(gop+i) * 40 * time.Millisecond; f.DTS != want || f.Key != (i == 0) {
			t.Fatalf("frame %d: dts %v key %v, want %v key %v", i, f.DTS, f.Key, want, i == 0)
		}
	}
	// And a GOP longer than the whole queue is not handed over: the
	// reader waits for the next keyframe.
	s2 := NewStream("c2", nil, quiet(StreamOptions{ReaderQueue: 10}))
	pub2 := s2.nextSession()
	pub2.Begin(&media.Tracks{Video: &media.VideoTrack{Codec: media.H264}})
	fs := gops(2, 20, 0)
	for _, f := range fs[:15] {
		pub2.WriteFrame(f)
	}
	r2, _ := s2.AddReader("late")
	if r2.Pending() != 0 {
		t.Fatalf("%d frames queued from a GOP longer than the queue", r2.Pending())
	}
	for _, f := range fs[15:] {
		pub2.WriteFrame(f)
	}
	if f := readN(t, r2, 1)[0]; !f.Key || f.DTS != 20*40*time.Millisecond {
		t.Fatalf("first frame dts %v key %v, want the keyframe at 800ms", f.DTS, f.Key)
	}
}
