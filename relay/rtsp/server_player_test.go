package rtsp

import (
	"context"
	"errors"
	"sync/atomic"
	"testing"
	"time"

	"github.com/bluenviron/gortsplib/v4/pkg/base"
	"github.com/bluenviron/gortsplib/v4/pkg/format/rtph264"

	"github.com/lubo-edge/lubo/internal/testkit"
	"github.com/lubo-edge/lubo/relay"
)

// TestServerSlowPlayerSkipsToKeyframe: a player that stops reading loses
// whole frames up to a keyframe, never single packets, and a fast player
// of the same channel meanwhile gets every frame.
func TestServerSlowPlayerSkipsToKeyframe(t *testing.T) {
	// 100 KB pictures at 25 fps (2.5 MB/s): the socket buffers and the
	// send queue of a stalled player fill within a few seconds, well
	// before gortsplib's 10 s write timeout would end its session. The
	// queue of 48 pictures (about 2 s) is what lets the fast player keep
	// every frame on a loaded machine (16 lost some when other test
	// binaries held both cores).
	const size, gop = 100 << 10, synthFPS
	st := startStream(t, "slow", synthSource(synthTracks(t), size, gop, nil),
		relay.StreamOptions{ReaderQueue: 48, Logger: testLogger(t)})
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
// away, a player joining a channel other RTSP players already watch gets
// the cached keyframe first (a frame from before it joined) and every frame
// after it.
func TestServerLateJoinerStartsFromGOPCache(t *testing.T) {
	const gop = 10 * synthFPS
	var last atomic.Int64
	last.Store(-1)
	st := startStream(t, "late", synthSource(synthTracks(t), 2000, gop, func(i int) { last.Store(int64(i)) }),
		relay.StreamOptions{Logger: testLogger(t)})
	srv := startServer(t, ServerOptions{UDPRTPPort: -1}, map[string]*relay.Stream{"late": st})
	early := dialRawPlayer(t, serverURL(srv, "late"), 0)
	early.play()
	go func() {
		for {
			if _, err := early.next(); err != nil {
				return // closed when the test ends
			}
		}
	}()
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

// TestServerPlayerAcrossReconnect: the camera reconnects with the same
// codecs and its new session starts mid-GOP. The player stays, its RTP
// timestamps and sequence numbers go on, and it gets no picture of the new
// session before that session's first keyframe.
func TestServerPlayerAcrossReconnect(t *testing.T) {
	const gop = synthFPS
	var sessions atomic.Int32
	src := relay.SourceFunc(func(ctx context.Context, out relay.Publisher) error {
		if sessions.Add(1) == 1 {
			if synthRun(ctx, out, synthTracks(t), 2000, gop, 0, 2*gop, nil) {
				return errors.New("camera rebooted")
			}
			return nil
		}
		// Pictures 1005..1024 belong to a GOP whose keyframe was never
		// sent; 1025 is the first keyframe.
		synthRun(ctx, out, synthTracks(t), 2000, gop, 1000+5, -1, nil)
		return nil
	})
	st := startStream(t, "re", src, relay.StreamOptions{Logger: testLogger(t),
		Backoff: relay.Backoff{Min: 10 * time.Millisecond, Max: 10 * time.Millisecond}})
	srv := startServer(t, ServerOptions{UDPRTPPort: -1}, map[string]*relay.Stream{"re": st})
	p := dialRawPlayer(t, serverURL(srv, "re"), 0)
	p.play()
	var pics []picture
	for len(pics) == 0 || pics[len(pics)-1].index < 1000+gop+5 {
		pic, err := p.next()
		if err != nil {
			t.Fatalf("player across the reconnect: %v", err)
		}
		pics = append(pics, pic)
	}
	if p.gaps != 0 {
		t.Errorf("player lost %d RTP packets", p.gaps)
	}
	var prev picture
	for i, pic := range pics {
		if i > 0 && pic.ts-prev.ts > 1<<31 {
			t.Errorf("RTP timestamp went back from %d (frame %d) to %d (frame %d)", prev.ts, prev.index, pic.ts, pic.index)
		}
		if pic.index >= 1000 && pic.index < 1000+gop {
			t.Errorf("got frame %d of the new session before its first keyframe", pic.index)
		}
		if i > 0 && pic.index != prev.index+1 && !pic.key {
			t.Errorf("frame %d followed by %d, not a keyframe", prev.index, pic.index)
		}
		prev = pic
	}
	if sessions.Load() < 2 {
		t.Fatal("the source did not reconnect")
	}
}

// TestServerPauseResumesFromGOPCache: after PAUSE and PLAY the player
// starts again at a keyframe, without a packet lost in between.
func TestServerPauseResumesFromGOPCache(t *testing.T) {
	const gop = synthFPS
	st := startStream(t, "pause", synthSource(synthTracks(t), 2000, gop, nil), relay.StreamOptions{Logger: testLogger(t)})
	srv := startServer(t, ServerOptions{UDPRTPPort: -1}, map[string]*relay.Stream{"pause": st})
	p := dialRawPlayer(t, serverURL(srv, "pause"), 0)
	p.play()
	var pics []picture
	read := func(n int) {
		t.Helper()
		for range n {
			pic, err := p.next()
			if err != nil {
				t.Fatal(err)
			}
			pics = append(pics, pic)
		}
	}
	read(3)
	p.request(base.Pause, p.url, nil)
	paused := st.Stats().FramesIn.Load()
	testkit.WaitFor(t, "frames to pass while paused", func() bool { return st.Stats().FramesIn.Load() > paused+gop })
	if n := st.ReaderCount(); n != 1 {
		t.Errorf("ReaderCount while paused = %d, want 1 (the paused player keeps the channel up)", n)
	}
	// What gortsplib still had queued at the PAUSE is discarded: count
	// sequence gaps, and assemble pictures, from the resumed playback on.
	clear(p.lastSeq)
	p.dec = &rtph264.Decoder{PacketizationMode: 1}
	if err := p.dec.Init(); err != nil {
		t.Fatal(err)
	}
	p.request(base.Play, p.url, nil)
	resumedAt := len(pics)
	read(gop)
	if !pics[resumedAt].key {
		t.Errorf("first picture after resuming is frame %d, not a keyframe", pics[resumedAt].index)
	}
	for i := resumedAt + 1; i < len(pics); i++ {
		if pics[i].index != pics[i-1].index+1 {
			t.Errorf("after resuming: frame %d followed by %d", pics[i-1].index, pics[i].index)
		}
	}
	if p.gaps != 0 {
		t.Errorf("player lost %d RTP packets", p.gaps)
	}
	if d := st.Stats().Dropped.Load(); d != 0 {
		t.Errorf("%d frames counted as dropped for a paused player", d)
	}
}
