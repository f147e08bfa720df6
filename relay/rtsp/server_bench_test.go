package rtsp

import (
	"bufio"
	"context"
	"encoding/binary"
	"fmt"
	"io"
	"runtime"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/lubo-edge/lubo/media"
	"github.com/lubo-edge/lubo/relay"
)

// BenchmarkServerPlayers measures the re-serve per video frame and player:
// the clip's pictures (3.6 KB on average) are fed into a stream as fast as
// N players over TCP take them, in windows of 32 frames. It reports the
// process's CPU time (user+sys, which includes the players' own reading:
// a loop that only parses the interleaved framing) and its allocations per
// frame per player, and the heap each playing player holds.
//
// Measured on the 2-core build box (Xeon, go1.26, -benchtime 2000x, two
// runs each), one ServerStream per player against the shared ServerStream
// of the previous design (same benchmark, commit 13e10fb):
//
//	players   cpu-ns/frame/player   allocs/frame/player   B/frame/player
//	          per player   shared   per player   shared   per player  shared
//	 1        17000-17500  16400-23400   17.2    17.2     9340        9170
//	10        18700-19600   9000-9600    16.3     4.4     9280        1050
//	50        15800         8300         16.2     3.3     9280         320
//
// A player costs about twice what it cost on the shared stream: its own
// packetizing (~10 allocations a frame) and gortsplib's marshalling into a
// fresh buffer per packet. At 25 fps that is 0.4 ms of CPU a second per
// player, 2% of a core for 50 players; the heap a playing player holds
// measured 110-250 KB either way (noisy; mostly gortsplib's session).
func BenchmarkServerPlayers(b *testing.B) {
	for _, n := range []int{1, 10, 50} {
		b.Run(fmt.Sprintf("players=%d", n), func(b *testing.B) { benchPlayers(b, n) })
	}
}

func benchPlayers(b *testing.B, n int) {
	c := loadClip(b, clipH264AAC)
	var pics []*media.Frame
	for _, f := range c.frames {
		if f.IsVideo() {
			pics = append(pics, f)
		}
	}
	tracks := media.Tracks{Video: c.tracks.Video}
	feed := make(chan *media.Frame)
	src := relay.SourceFunc(func(ctx context.Context, out relay.Publisher) error {
		out.Begin(&tracks)
		for {
			select {
			case <-ctx.Done():
				return nil
			case f := <-feed:
				out.WriteFrame(f)
			}
		}
	})
	st := relay.NewStream("bench", src, relay.StreamOptions{Logger: testLogger(b)})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go st.Run(ctx)
	srv := NewServer(ServerOptions{UDPRTPPort: -1, Logger: testLogger(b),
		Lookup: func(string) (*relay.Stream, bool) { return st, true }})
	if err := srv.Listen("127.0.0.1:0"); err != nil {
		b.Fatal(err)
	}
	defer srv.Close()
	go srv.Run(ctx)

	// The first frame lets the players' DESCRIBE through.
	pts := time.Duration(0)
	next := func(i int) *media.Frame {
		f := pics[i%len(pics)]
		pts += 40 * time.Millisecond
		return &media.Frame{Codec: f.Codec, DTS: pts, PTS: pts, Key: i%len(pics) == 0 || f.Key, Data: f.Data}
	}
	feed <- next(0)
	var before runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	players := make([]*benchPlayer, n)
	for i := range players {
		p := dialRawPlayer(b, serverURL(srv, "bench"), 0)
		p.play()
		players[i] = &benchPlayer{tick: make(chan struct{}, 1)}
		go players[i].read(p.br, p.nc)
	}
	// Every player has a frame: the cached keyframe (or, with a shared
	// ServerStream, the next one fed).
	sent := 1
	for !allHave(players, 1) {
		feed <- next(sent)
		sent++
		time.Sleep(20 * time.Millisecond) // setup only: let them catch up
	}
	for _, p := range players {
		p.base = p.frames.Load()
	}
	var after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&after)

	const window = 32
	var ru0, ru1 syscall.Rusage
	var m0, m1 runtime.MemStats
	runtime.ReadMemStats(&m0)
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru0)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 1; i <= b.N; i++ {
		feed <- next(sent)
		sent++
		if i%window == 0 || i == b.N {
			for _, p := range players {
				p.waitFor(p.base + int64(i))
			}
		}
	}
	b.StopTimer()
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru1)
	runtime.ReadMemStats(&m1)
	if d := st.Stats().Dropped.Load(); d != 0 {
		b.Fatalf("%d frames dropped: the benchmark outran its players", d)
	}
	cpu := time.Duration(syscall.TimevalToNsec(ru1.Utime) - syscall.TimevalToNsec(ru0.Utime) +
		syscall.TimevalToNsec(ru1.Stime) - syscall.TimevalToNsec(ru0.Stime))
	per := float64(b.N) * float64(n)
	b.ReportMetric(float64(cpu.Nanoseconds())/per, "cpu-ns/frame/player")
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/per, "ns/frame/player")
	b.ReportMetric(float64(m1.Mallocs-m0.Mallocs)/per, "allocs/frame/player")
	b.ReportMetric(float64(m1.TotalAlloc-m0.TotalAlloc)/per, "B/frame/player")
	b.ReportMetric(float64(after.HeapInuse-min(before.HeapInuse, after.HeapInuse))/float64(n), "heap-B/player")
}

// benchPlayer counts the pictures a player receives, parsing nothing but
// the interleaved framing and the RTP marker bit.
type benchPlayer struct {
	frames atomic.Int64
	base   int64 // frames before the measurement
	tick   chan struct{}
}

func allHave(players []*benchPlayer, n int64) bool {
	for _, p := range players {
		if p.frames.Load() < n {
			return false
		}
	}
	return true
}

func (p *benchPlayer) read(br *bufio.Reader, closer io.Closer) {
	defer closer.Close()
	var hdr [4]byte
	for {
		if _, err := io.ReadFull(br, hdr[:]); err != nil {
			return
		}
		size := int(binary.BigEndian.Uint16(hdr[2:]))
		marker := false
		if hdr[1] == 0 && size >= 2 {
			b, err := br.Peek(2)
			if err != nil {
				return
			}
			marker = b[1]&0x80 != 0
		}
		if _, err := br.Discard(size); err != nil {
			return
		}
		if marker {
			p.frames.Add(1)
			select {
			case p.tick <- struct{}{}:
			default:
			}
		}
	}
}

func (p *benchPlayer) waitFor(n int64) {
	for p.frames.Load() < n {
		<-p.tick
	}
}
