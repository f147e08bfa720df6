package push

import (
	"context"
	"io"
	"net"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/lubo-edge/lubo/internal/testclip"
	"github.com/lubo-edge/lubo/internal/testkit"
	"github.com/lubo-edge/lubo/media"
	"github.com/lubo-edge/lubo/relay"
	"github.com/lubo-edge/lubo/testdata/testmedia"
)

// feeder is a source the test drives: feed writes clip frames as fast as
// the stream's other reader, the viewer, takes them, never waiting for the
// push. A picture is written only once the viewer has read everything up
// to the previous picture, so a viewer that keeps up sees every frame.
type feeder struct {
	tracks *media.Tracks
	frames []*media.Frame
	loop   time.Duration // timestamp advance per pass over the clip

	cmds chan int
	done chan struct{}

	next      int // frames written so far (feeder goroutine only)
	mu        sync.Mutex
	seen      []*media.Frame // what the viewer read, in order
	lastVideo int64          // frames written up to and including the last picture
	written   atomic.Int64   // the same, for the test
	viewed    atomic.Int64   // frames the viewer read
	woken     chan struct{}
}

func newFeeder(t *testing.T) *feeder {
	t.Helper()
	tracks, frames := testclip.ReadMP4(t, testmedia.Require(t, "h264_aac.mp4"))
	return &feeder{
		tracks: tracks, frames: frames,
		loop: frames[len(frames)-1].DTS + 40*time.Millisecond,
		cmds: make(chan int), done: make(chan struct{}), woken: make(chan struct{}, 1),
	}
}

func (s *feeder) Run(ctx context.Context, out relay.Publisher) error {
	out.Begin(s.tracks)
	for {
		select {
		case n := <-s.cmds:
			s.write(ctx, out, n)
			s.done <- struct{}{}
		case <-ctx.Done():
			return nil
		}
	}
}

func (s *feeder) write(ctx context.Context, out relay.Publisher, n int) {
	// Readers are woken by pictures: end on one, so every frame written
	// is in a reader's hands.
	for i := 0; i < n || int64(s.next) != s.lastVideo; i++ {
		src := s.frames[s.next%len(s.frames)]
		f := *src
		shift := time.Duration(s.next/len(s.frames)) * s.loop
		f.DTS += shift
		f.PTS += shift
		f.Tracks = nil
		if f.IsVideo() {
			// The viewer is woken by pictures: wait until it has read
			// up to the previous one.
			for s.viewed.Load() < s.lastVideo {
				select {
				case <-s.woken:
				case <-ctx.Done():
					return
				}
			}
		}
		out.WriteFrame(&f)
		s.next++
		if f.IsVideo() {
			s.lastVideo = int64(s.next)
		}
		s.written.Store(int64(s.next))
	}
}

// feed writes n frames, and on up to a picture, and returns once they are
// written.
func (s *feeder) feed(n int) {
	s.cmds <- n
	<-s.done
}

// view reads r until it closes, counting frames for the feeder.
func (s *feeder) view(r *relay.Reader) {
	for {
		f, err := r.Read(context.Background())
		if err != nil {
			return
		}
		s.mu.Lock()
		s.seen = append(s.seen, f)
		s.mu.Unlock()
		s.viewed.Add(1)
		select {
		case s.woken <- struct{}{}:
		default:
		}
	}
}

// silentIngest accepts TCP connections and never reads from them nor
// answers: the RTMP handshake never completes.
func silentIngest(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	var conns []net.Conn
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			mu.Lock()
			conns = append(conns, c)
			mu.Unlock()
		}
	}()
	t.Cleanup(func() {
		ln.Close()
		mu.Lock()
		defer mu.Unlock()
		for _, c := range conns {
			c.Close()
		}
	})
	return ln.Addr().String()
}

// stallingProxy forwards to an ingest until stall is called; from then on
// it stops reading what the push sends (an ingest whose uplink died), with
// a small receive window so the push's writes block soon.
type stallingProxy struct {
	ln      net.Listener
	stalled chan struct{}
	once    sync.Once
	wg      sync.WaitGroup
	mu      sync.Mutex
	conns   []net.Conn
}

func newStallingProxy(t *testing.T, upstream string) *stallingProxy {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &stallingProxy{ln: ln, stalled: make(chan struct{})}
	p.wg.Go(func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			_ = c.(*net.TCPConn).SetReadBuffer(4 << 10)
			u, err := net.Dial("tcp", upstream)
			if err != nil {
				c.Close()
				continue
			}
			p.mu.Lock()
			p.conns = append(p.conns, c, u)
			p.mu.Unlock()
			p.wg.Go(func() { _, _ = io.Copy(c, u) })
			p.wg.Go(func() { p.forward(c, u) })
		}
	})
	t.Cleanup(func() {
		ln.Close()
		p.stall()
		p.mu.Lock()
		for _, c := range p.conns {
			c.Close()
		}
		p.mu.Unlock()
		p.wg.Wait()
	})
	return p
}

func (p *stallingProxy) addr() string { return p.ln.Addr().String() }
func (p *stallingProxy) stall()       { p.once.Do(func() { close(p.stalled) }) }

// forward copies the push's bytes upstream until stalled.
func (p *stallingProxy) forward(c, u net.Conn) {
	buf := make([]byte, 4<<10)
	for {
		select {
		case <-p.stalled:
			return // stop reading; the connection stays open until cleanup
		default:
		}
		n, err := c.Read(buf)
		if n > 0 {
			if _, werr := u.Write(buf[:n]); werr != nil {
				return
			}
		}
		if err != nil {
			return
		}
	}
}

// stallSetup runs a stream fed by a feeder with a viewer, and a push of it
// to url; the reader rings are small so a stalled push drops soon.
func stallSetup(t *testing.T, url string) (*feeder, *relay.Reader, *Manager) {
	return stallSetupDial(t, url, nil)
}

func stallSetupDial(t *testing.T, url string, dial dialFunc) (*feeder, *relay.Reader, *Manager) {
	t.Helper()
	src := newFeeder(t)
	stream := runStream(t, "c2", src, relay.StreamOptions{ReaderQueue: 64})
	viewer, err := stream.AddReader("viewer")
	if err != nil {
		t.Fatal(err)
	}
	viewDone := make(chan struct{})
	go func() { defer close(viewDone); src.view(viewer) }()
	t.Cleanup(func() { viewer.Close(); <-viewDone })
	m := NewManager(Options{Lookup: lookupOf(stream), Logger: quiet, dial: dial,
		Backoff: relay.Backoff{Min: 100 * time.Millisecond, Max: 200 * time.Millisecond}})
	runManager(t, m)
	if err := m.Start("c2", url); err != nil {
		t.Fatal(err)
	}
	testkit.WaitFor(t, "the push to attach to the stream", func() bool { return stream.ReaderCount() == 2 })
	return src, viewer, m
}

// feedUntilDrops feeds the stream until the push has dropped frames; it
// fails when 50 passes of the clip go by without one. Each feed returning
// proves the source was never held up.
func feedUntilDrops(t *testing.T, src *feeder, m *Manager) Status {
	t.Helper()
	for range 50 * len(src.frames) / 100 {
		src.feed(100)
		if st := statusOf(t, m, "c2"); st.Drops > 0 {
			return st
		}
	}
	t.Fatalf("no drops counted after %d frames into a stalled push: %+v", src.written.Load(), statusOf(t, m, "c2"))
	return Status{}
}

// TestSilentIngestDoesNotStallTheStream pushes to a server that accepts
// and never says or reads anything: the push stays in its handshake while
// the stream runs on, its viewer gets every frame, and the push's reader
// drops (counted).
func TestSilentIngestDoesNotStallTheStream(t *testing.T) {
	src, viewer, m := stallSetup(t, "rtmp://"+silentIngest(t)+"/live/key")
	st := feedUntilDrops(t, src, m)
	if st.State != Connecting || st.Frames != 0 {
		t.Errorf("push to a silent server: %+v, want connecting with no frames sent", st)
	}
	if viewer.Dropped() != 0 {
		t.Errorf("the viewer dropped %d frames; the push held the stream up", viewer.Dropped())
	}
}

// TestStalledIngestDoesNotStallTheStream pushes to nginx through a proxy
// that stops reading once the push is going: the push's writes block, the
// stream runs on, its viewer gets every frame, and the push drops.
func TestStalledIngestDoesNotStallTheStream(t *testing.T) {
	ngx := startNginx(t)
	proxy := newStallingProxy(t, ngx.addr())
	src, viewer, m := stallSetup(t, "rtmp://"+proxy.addr()+"/live/stalled")
	// While the ingest reads, the push keeps up with the same feeding:
	// every frame goes out, none is dropped.
	for range 20 {
		src.feed(10)
		testkit.WaitFor(t, "the push to send every frame fed", func() bool {
			return statusOf(t, m, "c2").Frames == uint64(src.written.Load())
		})
	}
	if st := statusOf(t, m, "c2"); st.State != Pushing || st.Drops != 0 {
		t.Fatalf("push to a reading ingest: %+v, want pushing without drops", st)
	}
	proxy.stall()
	st := feedUntilDrops(t, src, m)
	if viewer.Dropped() != 0 {
		t.Errorf("the viewer dropped %d frames; the push held the stream up", viewer.Dropped())
	}
	t.Logf("after %d frames: %+v", src.written.Load(), st)
}

// TestSlowIngestLosesWholeGOPs holds an ingest's writes while the channel
// runs on, then lets them go: what the ingest got has gaps, and each gap
// ends at a keyframe, so no picture it got refers to one it lacks.
func TestSlowIngestLosesWholeGOPs(t *testing.T) {
	fake := &fakeIngests{}
	src, viewer, m := stallSetupDial(t, "rtmp://ingest.example/live/key", fake.dial)
	caughtUp := func() {
		testkit.WaitFor(t, "the push to send every frame fed", func() bool {
			return statusOf(t, m, "c2").Frames == uint64(src.written.Load())
		})
	}
	src.feed(50)
	caughtUp()
	fake.hold()
	feedUntilDrops(t, src, m)
	src.feed(300)
	fake.release()
	// Feed until a keyframe has gone through after the release.
	before := len(fake.got())
	for i := 0; ; i++ {
		if i == 100 {
			t.Fatal("no keyframe reached the ingest after the release")
		}
		src.feed(25)
		if got := fake.got(); len(got) > before && hasKey(got[before:]) {
			break
		}
	}
	if viewer.Dropped() != 0 {
		t.Errorf("the viewer dropped %d frames", viewer.Dropped())
	}
	src.mu.Lock()
	all := append([]*media.Frame(nil), src.seen...)
	src.mu.Unlock()
	got := map[*media.Frame]bool{}
	for _, f := range fake.got() {
		got[f] = true
	}
	gaps := 0
	var prev *media.Frame // the previous picture the viewer saw
	for _, f := range all {
		if !f.IsVideo() {
			continue
		}
		if got[f] && !f.Key && prev != nil && !got[prev] {
			t.Fatalf("the ingest got a picture at %v without the one before it (%v): a broken GOP", f.DTS, prev.DTS)
		}
		if prev != nil && got[prev] && !got[f] {
			gaps++
		}
		prev = f
	}
	if gaps == 0 {
		t.Fatalf("no gap in what the ingest got; the test did not stall it")
	}
	t.Logf("%d frames seen, %d sent, %d gaps, status %+v", len(all), len(got), gaps, statusOf(t, m, "c2"))
}

func hasKey(fs []*media.Frame) bool {
	for _, f := range fs {
		if f.IsVideo() && f.Key {
			return true
		}
	}
	return false
}
