package rtsp

import (
	"sync/atomic"
	"testing"

	"github.com/lubo-edge/lubo/internal/testkit"
	"github.com/lubo-edge/lubo/relay"
)

// TestServerSlowPlayerSkipsToKeyframe: a player that stops reading loses
// whole frames up to a keyframe, never single packets, and a fast player
// of the same channel meanwhile gets every frame.
func TestServerSlowPlayerSkipsToKeyframe(t *testing.T) {
	// 100 KB pictures at 25 fps (2.5 MB/s): the socket buffers and the
	// send queue of a stalled player fill within a few seconds, well
	// before gortsplib's 10 s write timeout would end its session.
	const size, gop = 100 << 10, synthFPS
	st := startStream(t, "slow", synthSource(synthTracks(t), size, gop, nil),
		relay.StreamOptions{ReaderQueue: 16, Logger: testLogger(t)})
	srv := startServer(t, ServerOptions{UDPRTPPort: -1}, map[string]*relay.Stream{"slow": st})
	u := serverURL(srv, "slow")

	fast := dialRawPlayer(t, u, 0)
	fast.play()
	fastPics := make(chan picture, 4096)
	fastErr := make(chan error, 1)
	go func() {
		for {
			pic, err := fast.next()
			if err != nil {
				fastErr <- err
				close(fastPics)
				return
			}
			fastPics <- pic
		}
	}()

	slow := dialRawPlayer(t, u, 16<<10)
	slow.play()
	var got []picture
	for len(got) < 5 {
		pic, err := slow.next()
		if err != nil {
			t.Fatalf("slow player: %v", err)
		}
		got = append(got, pic)
	}
	// Stop reading until the stream has dropped frames for somebody.
	testkit.WaitFor(t, "frames dropped for the stalled player", func() bool { return st.Stats().Dropped.Load() > 0 })
	stalledAt := got[len(got)-1].index
	// Resume: read until well past a keyframe that followed the drop.
	keyAfterGap := -1
	for keyAfterGap < 0 || got[len(got)-1].index < keyAfterGap+2*gop {
		pic, err := slow.next()
		if err != nil {
			t.Fatalf("slow player after resuming: %v", err)
		}
		prev := got[len(got)-1]
		got = append(got, pic)
		if pic.index != prev.index+1 && keyAfterGap < 0 {
			keyAfterGap = pic.index
		}
	}
	if slow.gaps != 0 {
		t.Errorf("slow player lost %d single RTP packets; want drops of whole frames only", slow.gaps)
	}
	checkPictureRun(t, "slow player", got)
	t.Logf("slow player stalled after frame %d, resumed with keyframe %d", stalledAt, keyAfterGap)

	// The fast player got every frame from its first to now.
	fast.nc.Close()
	var fastGot []picture
	for pic := range fastPics {
		fastGot = append(fastGot, pic)
	}
	if len(fastGot) < gop {
		t.Fatalf("fast player got %d pictures (ended with %v)", len(fastGot), <-fastErr)
	}
	if fast.gaps != 0 {
		t.Errorf("fast player lost %d RTP packets", fast.gaps)
	}
	if !fastGot[0].key {
		t.Errorf("fast player's first picture %d is not a keyframe", fastGot[0].index)
	}
	for i := 1; i < len(fastGot); i++ {
		if fastGot[i].index != fastGot[i-1].index+1 {
			t.Fatalf("fast player: frame %d followed by %d; want every frame", fastGot[i-1].index, fastGot[i].index)
		}
	}
	if last := fastGot[len(fastGot)-1].index; last <= keyAfterGap {
		t.Errorf("fast player ended at frame %d, before the slow one resumed (%d)", last, keyAfterGap)
	}
}

// checkPictureRun: the run starts at a keyframe, and every jump in the
// frame numbers lands on a keyframe (a decoder never misses a reference).
func checkPictureRun(t *testing.T, who string, pics []picture) {
	t.Helper()
	if len(pics) == 0 || !pics[0].key {
		t.Fatalf("%s: first picture is not a keyframe: %+v", who, pics[:min(1, len(pics))])
	}
	jumps := 0
	for i := 1; i < len(pics); i++ {
		p, q := pics[i-1], pics[i]
		if q.index == p.index+1 {
			continue
		}
		jumps++
		if q.index <= p.index || !q.key {
			t.Errorf("%s: frame %d followed by %d (key %v): a broken GOP", who, p.index, q.index, q.key)
		}
	}
	if jumps == 0 {
		t.Errorf("%s: no frames were dropped; the test did not stall the player", who)
	}
}

// TestServerLateJoinerStartsFromGOPCache: with the next keyframe 10 s
// away, a player joining mid-GOP gets the cached keyframe first (a frame
// from before it joined) and every frame after it.
func TestServerLateJoinerStartsFromGOPCache(t *testing.T) {
	const gop = 10 * synthFPS
	var last atomic.Int64
	last.Store(-1)
	st := startStream(t, "late", synthSource(synthTracks(t), 2000, gop, func(i int) { last.Store(int64(i)) }),
		relay.StreamOptions{Logger: testLogger(t)})
	srv := startServer(t, ServerOptions{UDPRTPPort: -1}, map[string]*relay.Stream{"late": st})
	// The stream is well into its first GOP.
	testkit.WaitFor(t, "the stream to be mid-GOP", func() bool { return last.Load() >= 10 })

	p := dialRawPlayer(t, serverURL(srv, "late"), 0)
	joined := int(last.Load())
	p.play()
	var pics []picture
	for len(pics) == 0 || pics[len(pics)-1].index <= joined {
		pic, err := p.next()
		if err != nil {
			t.Fatal(err)
		}
		pics = append(pics, pic)
	}
	first := pics[0]
	if !first.key || first.index != 0 {
		t.Fatalf("late joiner's first picture is %+v; want the cached keyframe 0", first)
	}
	if first.index >= joined {
		t.Fatalf("first picture %d does not precede the join at frame %d", first.index, joined)
	}
	for i := 1; i < len(pics); i++ {
		if pics[i].index != pics[i-1].index+1 {
			t.Fatalf("frame %d followed by %d; want the whole cached GOP", pics[i-1].index, pics[i].index)
		}
	}
	if p.gaps != 0 {
		t.Errorf("late joiner lost %d RTP packets", p.gaps)
	}
}
