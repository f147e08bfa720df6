package rtmp

import (
	"bytes"
	"context"
	"errors"
	"io"
	"log/slog"
	"net"
	"os"
	"runtime"
	"runtime/pprof"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/yapingcat/gomedia/go-codec"
	gortmp "github.com/yapingcat/gomedia/go-rtmp"

	"github.com/lubo-edge/lubo/internal/testkit"
	"github.com/lubo-edge/lubo/media"
	"github.com/lubo-edge/lubo/relay"
)

// Timeouts of the hostile-peer tests: short, so attacks end quickly.
const (
	hostileTimeout = 3 * time.Second
	// waitLimit bounds every wait for a condition; reaching it fails the
	// test (it is not a timing assertion: the conditions come far sooner).
	waitLimit = 20 * time.Second
)

// waitFor polls cond until it holds or waitLimit passes.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	tick := time.NewTicker(10 * time.Millisecond)
	defer tick.Stop()
	limit := time.NewTimer(waitLimit)
	defer limit.Stop()
	for !cond() {
		select {
		case <-tick.C:
		case <-limit.C:
			pprof.Lookup("goroutine").WriteTo(os.Stderr, 1)
			t.Fatalf("gave up waiting: %s", what)
		}
	}
}

func openFDs(t *testing.T) int {
	t.Helper()
	ents, err := os.ReadDir("/proc/self/fd")
	if err != nil {
		t.Fatal(err)
	}
	return len(ents)
}

// logBuffer is the shared thread-safe log buffer.
type logBuffer = testkit.LogBuffer

// frameCounter is a relay.Publisher that counts frames.
type frameCounter struct{ n atomic.Int64 }

func (c *frameCounter) Begin(*media.Tracks)     {}
func (c *frameCounter) WriteFrame(*media.Frame) { c.n.Add(1) }

// firehose publishes one large keyframe after another, fast, so a player
// that stops reading fills its socket buffers within a second.
type firehose struct {
	tracks *media.Tracks
	data   []byte // shared by every frame; never written
}

func (f *firehose) Run(ctx context.Context, out relay.Publisher) error {
	out.Begin(f.tracks)
	tick := time.NewTicker(5 * time.Millisecond)
	defer tick.Stop()
	for i := 0; ; i++ {
		select {
		case <-ctx.Done():
			return nil
		case <-tick.C:
		}
		d := time.Duration(i) * 5 * time.Millisecond
		out.WriteFrame(&media.Frame{Codec: media.H264, Key: true, DTS: d, PTS: d, Data: f.data, Tracks: f.tracks})
	}
}

// attackerHandshake does a client's side of the RTMP handshake.
func attackerHandshake(t *testing.T, conn net.Conn) {
	t.Helper()
	if _, err := conn.Write(make([]byte, 1+1536)); err != nil {
		t.Fatal(err)
	}
	if _, err := io.ReadFull(conn, make([]byte, handshakeSize)); err != nil {
		t.Fatal(err)
	}
	if _, err := conn.Write(make([]byte, 1536)); err != nil {
		t.Fatal(err)
	}
}

// closedByPeer reports whether the server closed conn: a read ends in EOF
// or a reset, not a timeout. It discards what the server sent before.
func closedByPeer(conn net.Conn) bool {
	buf := make([]byte, 64<<10)
	for {
		_ = conn.SetReadDeadline(time.Now().Add(waitLimit))
		if _, err := conn.Read(buf); err != nil {
			var ne net.Error
			return !(errors.As(err, &ne) && ne.Timeout())
		}
	}
}

// heapPeak tracks the largest HeapAlloc seen.
type heapPeak struct{ base, peak uint64 }

func newHeapPeak() *heapPeak {
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return &heapPeak{base: m.HeapAlloc, peak: m.HeapAlloc}
}

func (h *heapPeak) sample() {
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	h.peak = max(h.peak, m.HeapAlloc)
}

func (h *heapPeak) growth() uint64 { return h.peak - h.base }

// writeAll writes b in 1 MiB pieces, sampling the heap after each, until
// done or the server cuts the connection. It returns how much it wrote.
func writeAll(conn net.Conn, b []byte, h *heapPeak) int {
	n := 0
	for n < len(b) {
		_ = conn.SetWriteDeadline(time.Now().Add(waitLimit))
		k, err := conn.Write(b[n:min(n+1<<20, len(b))])
		n += k
		h.sample()
		if err != nil {
			break
		}
	}
	return n
}

func TestHostilePeers(t *testing.T) {
	tracks, frames := framesFromFLV(t, clipPath(t, "aac"))
	logs := &logBuffer{}
	srv := NewServer(ServerOptions{
		ReadTimeout:  hostileTimeout,
		WriteTimeout: hostileTimeout,
		Logger:       slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug})),
	})
	addr, err := srv.Listen("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	var bg sync.WaitGroup
	defer func() {
		cancel()
		srv.Close()
		bg.Wait()
		if t.Failed() {
			t.Logf("server log:\n%s", logs.String())
		}
	}()
	bg.Go(func() {
		if err := srv.Run(ctx); err != nil {
			t.Errorf("server Run: %v", err)
		}
	})

	// The well-behaved stream: a paced clip published in process, played
	// back over TCP by the play source. Its Run fails if frames stop for
	// longer than its silence, so it must not return before the end.
	bg.Go(func() { _ = srv.Publish(ctx, "live/good", &pacer{tracks: tracks, frames: frames}) })
	good := &frameCounter{}
	goodDone := make(chan error, 1)
	bg.Go(func() {
		src := &playSource{url: "rtmp://" + addr.String() + "/live/good", silence: 2 * hostileTimeout}
		goodDone <- src.Run(ctx, good)
	})
	waitFor(t, "the good stream's first frames", func() bool { return good.n.Load() > 10 })

	// The stream a non-reading player asks for.
	idr := append([]byte{0x65}, bytes.Repeat([]byte{0x88}, 256<<10)...)
	big := media.AppendAnnexB(nil, tracks.Video.SPS, tracks.Video.PPS, idr)
	bg.Go(func() { _ = srv.Publish(ctx, "live/fire", &firehose{tracks: tracks, data: big}) })

	dial := func(t *testing.T) net.Conn {
		conn, err := net.Dial("tcp", addr.String())
		if err != nil {
			t.Fatal(err)
		}
		return conn
	}
	// baseline is taken when an attack begins; settled checks the attack
	// left nothing behind and the good stream kept going.
	type baseline struct {
		frames          int64
		goroutines, fds int
	}
	begin := func(t *testing.T) baseline {
		return baseline{good.n.Load(), runtime.NumGoroutine(), openFDs(t)}
	}
	// dropped waits for the server's log line on why it dropped the
	// connection whose local address is local, and checks the reason.
	dropped := func(t *testing.T, local net.Addr, reasons ...string) {
		t.Helper()
		var line string
		waitFor(t, "the server's reason for dropping "+local.String(), func() bool {
			for l := range strings.Lines(logs.String()) {
				if strings.Contains(l, "rtmp connection failed") && strings.Contains(l, "remote="+local.String()+" ") {
					line = l
					return true
				}
			}
			return false
		})
		for _, r := range reasons {
			if strings.Contains(line, r) {
				return
			}
		}
		t.Errorf("dropped for the wrong reason: %s(want one of %q)", line, reasons)
	}
	settled := func(t *testing.T, b baseline) {
		t.Helper()
		baseG, baseFD, framesBefore := b.goroutines, b.fds, b.frames
		waitFor(t, "goroutines back to the baseline", func() bool { return runtime.NumGoroutine() <= baseG })
		waitFor(t, "open files back to the baseline", func() bool { return openFDs(t) <= baseFD })
		waitFor(t, "the good stream's frames after the attack", func() bool { return good.n.Load() > framesBefore+10 })
		select {
		case err := <-goodDone:
			t.Fatalf("the good stream's play source ended during the attack: %v", err)
		default:
		}
	}

	t.Run("set chunk size 0", func(t *testing.T) {
		before := begin(t)
		conn := dial(t)
		defer conn.Close()
		attackerHandshake(t, conn)
		in := append(setChunkSize(0), message(4, 0, msgAudio, 1, audio, 128, false)...)
		if _, err := conn.Write(in); err != nil {
			t.Fatal(err)
		}
		if !closedByPeer(conn) {
			t.Fatal("the server kept the connection")
		}
		conn.Close()
		dropped(t, conn.LocalAddr(), "chunk size 0; 1 to 2147483647 is valid")
		settled(t, before)
	})

	t.Run("zero-length message then more bytes", func(t *testing.T) {
		before := begin(t)
		conn := dial(t)
		defer conn.Close()
		attackerHandshake(t, conn)
		in := chunks(rawChunk{fmt: 0, csid: 4, length: 0, typ: msgDataAMF0, streamID: 1}) // gomedia ignores data messages
		in = append(in, bytes.Repeat([]byte{0xC4}, 100_000)...)                           // more zero-length messages
		in = append(in, message(2, 0, 5, 0, []byte{0, 0, 0x10, 0}, 128, false)...)        // Window Acknowledgement Size
		if _, err := conn.Write(in); err != nil {
			t.Fatal(err)
		}
		// Then nothing: gomedia alone would spin on the first read for
		// ever; now the peer is dropped by the read timeout.
		if !closedByPeer(conn) {
			t.Fatal("the server kept the connection")
		}
		conn.Close()
		dropped(t, conn.LocalAddr(), "no complete message for "+hostileTimeout.String(), "still unfinished")
		settled(t, before)
	})

	t.Run("endless zero-length messages", func(t *testing.T) {
		before := begin(t)
		conn := dial(t)
		defer conn.Close()
		attackerHandshake(t, conn)
		// Bytes keep coming but complete nothing: the server drops the
		// peer when the read timeout passes without a message.
		head := chunks(rawChunk{fmt: 0, csid: 4, length: 0, typ: msgDataAMF0, streamID: 1}) // gomedia ignores data messages
		flood := bytes.Repeat([]byte{0xC4}, 4<<10)
		for b := append(head, flood...); ; b = flood {
			_ = conn.SetWriteDeadline(time.Now().Add(waitLimit))
			if _, err := conn.Write(b); err != nil {
				break
			}
		}
		conn.Close()
		dropped(t, conn.LocalAddr(), "no complete message for "+hostileTimeout.String())
		settled(t, before)
	})

	t.Run("eight half-sent 16 MiB messages", func(t *testing.T) {
		before := begin(t)
		const size = 0xFFFFFF
		in := setChunkSize(size / 2)
		for i := range 8 {
			in = append(in, chunks(rawChunk{fmt: 0, csid: uint32(10 + i), length: size, typ: msgVideo, streamID: 1})...)
			in = append(in, make([]byte, size/2)...)
		}
		attack := len(in)
		h := newHeapPeak() // the attack's own bytes are the test's, not the server's
		conn := dial(t)
		defer conn.Close()
		attackerHandshake(t, conn)
		sent := writeAll(conn, in, h)
		if sent == attack {
			t.Errorf("the server took all %d bytes", attack)
		}
		if !closedByPeer(conn) {
			t.Fatal("the server kept the connection")
		}
		conn.Close()
		if h.growth() > uint64(attack)/8 {
			t.Errorf("heap grew by %d bytes under a %d-byte attack", h.growth(), attack)
		}
		dropped(t, conn.LocalAddr(), "declares 16777215 bytes; at most 8388608 are accepted")
		settled(t, before)
	})

	t.Run("eight mostly sent messages of the largest accepted size", func(t *testing.T) {
		before := begin(t)
		const size = maxVideoMessage
		in := setChunkSize(size / 8 * 7)
		for i := range 8 {
			in = append(in, chunks(rawChunk{fmt: 0, csid: uint32(10 + i), length: size, typ: msgVideo, streamID: 1})...)
			in = append(in, make([]byte, size/8*7)...)
		}
		attack := len(in)
		h := newHeapPeak()
		conn := dial(t)
		defer conn.Close()
		attackerHandshake(t, conn)
		if sent := writeAll(conn, in, h); sent == attack {
			t.Errorf("the server took all %d bytes", attack)
		}
		if !closedByPeer(conn) {
			t.Fatal("the server kept the connection")
		}
		conn.Close()
		// The budget is maxBuffered of live buffers; garbage not yet
		// collected may add as much again.
		if h.growth() > 2*maxBuffered+4<<20 || h.growth() > uint64(attack)/2 {
			t.Errorf("heap grew by %d bytes under a %d-byte attack", h.growth(), attack)
		}
		dropped(t, conn.LocalAddr(), "more than 10485760 bytes of unfinished messages")
		settled(t, before)
	})

	t.Run("message trickled and never finished", func(t *testing.T) {
		before := begin(t)
		conn := dial(t)
		defer conn.Close()
		attackerHandshake(t, conn)
		if _, err := conn.Write(chunks(rawChunk{fmt: 0, csid: 6, length: 1000, typ: msgVideo, streamID: 1})); err != nil {
			t.Fatal(err)
		}
		tick := time.NewTicker(50 * time.Millisecond)
		defer tick.Stop()
		for range tick.C { // one byte at a time, well inside the read timeout
			_ = conn.SetWriteDeadline(time.Now().Add(waitLimit))
			if _, err := conn.Write([]byte{1}); err != nil {
				break
			}
		}
		conn.Close()
		dropped(t, conn.LocalAddr(), "still unfinished", "no complete message")
		settled(t, before)
	})

	t.Run("peer says nothing", func(t *testing.T) {
		before := begin(t)
		conn := dial(t)
		defer conn.Close()
		if !closedByPeer(conn) {
			t.Fatal("the server kept the connection")
		}
		conn.Close()
		dropped(t, conn.LocalAddr(), "no complete message for "+hostileTimeout.String(), "still unfinished")
		settled(t, before)
	})

	t.Run("half a handshake", func(t *testing.T) {
		before := begin(t)
		conn := dial(t)
		defer conn.Close()
		if _, err := conn.Write(make([]byte, 100)); err != nil {
			t.Fatal(err)
		}
		if !closedByPeer(conn) {
			t.Fatal("the server kept the connection")
		}
		conn.Close()
		dropped(t, conn.LocalAddr(), "no complete message for "+hostileTimeout.String(), "still unfinished")
		settled(t, before)
	})

	t.Run("player stops reading", func(t *testing.T) {
		before := begin(t)
		conn := dial(t)
		defer conn.Close()
		if err := startPlay(conn, "rtmp://"+addr.String()+"/live/fire"); err != nil {
			t.Fatal(err)
		}
		// Read nothing more. The server's writes fill the socket buffers
		// and time out; it drops the player. Only this end's socket is
		// left then.
		waitFor(t, "the server to drop the player", func() bool {
			return runtime.NumGoroutine() <= before.goroutines && openFDs(t) <= before.fds+1
		})
		conn.Close()
		settled(t, before)
	})

	cancel()
	if err := <-goodDone; err != nil {
		t.Errorf("the good stream's play source: %v", err)
	}
}

// startPlay plays url on conn with gomedia's client until the server has
// started the play, reading only as much as that takes.
func startPlay(conn net.Conn, url string) error {
	started := false
	var failed error
	cli := gortmp.NewRtmpClient()
	cli.SetOutput(func(b []byte) error { _, err := conn.Write(b); return err })
	cli.OnFrame(func(codec.CodecID, uint32, uint32, []byte) {})
	cli.OnStateChange(func(s gortmp.RtmpState) {
		switch s {
		case gortmp.STATE_RTMP_PLAY_START:
			started = true
		case gortmp.STATE_RTMP_PLAY_FAILED:
			failed = errors.New("play failed")
		}
	})
	cli.Start(url)
	buf := make([]byte, 4096)
	_ = conn.SetReadDeadline(time.Now().Add(waitLimit))
	defer conn.SetReadDeadline(time.Time{})
	for !started {
		n, err := conn.Read(buf)
		if n > 0 {
			if ierr := guard(func() error { return cli.Input(buf[:n]) }); ierr != nil {
				return ierr
			}
		}
		if failed != nil {
			return failed
		}
		if err != nil {
			return err
		}
	}
	return nil
}
