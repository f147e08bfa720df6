package rtmp

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"sync"
	"sync/atomic"
	"time"

	"github.com/yapingcat/gomedia/go-codec"
	gortmp "github.com/yapingcat/gomedia/go-rtmp"
)

// serverConn is one peer of the Server: a publisher or a player.
type serverConn struct {
	srv  *Server
	conn net.Conn
	w    wire
	log  *slog.Logger

	// mu serialises every use of h: the read loop feeds it while a player's
	// writer goroutine sends through it, and gomedia handles are not safe
	// for concurrent use.
	mu sync.Mutex
	h  *gortmp.RtmpServerHandle

	// Set by gomedia callbacks, which run inside Input on the read loop's
	// goroutine; the writer goroutine only reads key and b, after they are
	// set and before it starts.
	key    string
	b      *broadcast
	pub    *claim
	conv   *converter
	player bool
	failed error

	writer  sync.WaitGroup // a player's frame writer
	writing bool
	endBy   atomic.Int64 // unix ns: the player was told the stream ended; hang up by then
}

// hangUpWait is how long a player told the stream ended may take to close
// the connection itself.
const hangUpWait = 2 * time.Second

func newServerConn(s *Server, conn net.Conn) *serverConn {
	c := &serverConn{
		srv:  s,
		conn: conn,
		w:    wire{conn: conn, timeout: s.opts.WriteTimeout},
		log:  s.log.With("remote", conn.RemoteAddr().String()),
	}
	h := gortmp.NewRtmpServerHandle()
	h.SetOutput(c.w.write)
	h.OnPublish(c.onPublish)
	h.OnPlay(c.onPlay)
	h.OnFrame(func(cid codec.CodecID, pts, dts uint32, frame []byte) {
		if c.conv != nil {
			c.conv.push(cid, pts, dts, frame)
		}
	})
	c.h = h
	return c
}

func (c *serverConn) serve(ctx context.Context) {
	ctx, cancel := context.WithCancel(ctx)
	stop := context.AfterFunc(ctx, func() { c.conn.Close() })
	err := c.readLoop(ctx)
	cancel()
	c.conn.Close()
	c.writer.Wait()
	stop()
	c.finish(err)
}

// readLoop feeds the peer's bytes to gomedia until the peer goes away or the
// connection fails.
func (c *serverConn) readLoop(ctx context.Context) error {
	var ack acker
	in := newInbound(func(b []byte) error { return guard(func() error { return c.h.Input(b) }) })
	buf := make([]byte, readBufSize)
	start := time.Now()
	for {
		// A publisher, or a peer still setting up, must complete a
		// message every read timeout: bytes that complete nothing (empty
		// messages, a trickle) do not keep it. A playing peer sends next
		// to nothing; write deadlines catch dead players instead.
		// Whatever a peer has begun to send, it must finish within the
		// read timeout.
		deadline := time.Time{}
		switch end := c.endBy.Load(); {
		case end != 0:
			deadline = time.Unix(0, end)
		case !c.player:
			last := in.lastProgress()
			if last.IsZero() {
				last = start
			}
			deadline = last.Add(c.srv.opts.ReadTimeout)
		}
		stalled := false
		if since := in.pendingSince(); !since.IsZero() {
			if d := since.Add(c.srv.opts.ReadTimeout); deadline.IsZero() || d.Before(deadline) {
				deadline, stalled = d, true
			}
		}
		if err := c.conn.SetReadDeadline(deadline); err != nil {
			return err
		}
		if end := c.endBy.Load(); end != 0 && (deadline.IsZero() || time.Unix(0, end).Before(deadline)) {
			// The writer ended the play while this loop set a later
			// deadline: restore the hang-up deadline it set.
			_ = c.conn.SetReadDeadline(time.Unix(0, end))
		}
		n, rerr := c.conn.Read(buf)
		if n > 0 {
			c.mu.Lock()
			now := time.Now()
			err := in.feed(buf[:n], now)
			if b := ack.received(n, now); err == nil && b != nil && c.pub != nil {
				err = c.w.write(b)
			}
			c.mu.Unlock()
			if err == nil && c.conv != nil {
				err = c.conv.err
			}
			if err == nil {
				err = c.failed
			}
			if err != nil {
				return err
			}
			if c.player && !c.writing {
				// Started only now, after Input has sent the play replies.
				c.writing = true
				c.writer.Go(func() { c.play(ctx) })
			}
		}
		if rerr != nil {
			if ctx.Err() != nil {
				return nil
			}
			if ne := net.Error(nil); errors.As(rerr, &ne) && ne.Timeout() {
				switch {
				case stalled:
					return protocolError("a message begun %s ago is still unfinished", c.srv.opts.ReadTimeout)
				case c.endBy.Load() == 0 && !c.player:
					return fmt.Errorf("no complete message for %s: %w", c.srv.opts.ReadTimeout, rerr)
				}
			}
			return rerr
		}
	}
}

func (c *serverConn) onPublish(app, name string) gortmp.StatusCode {
	if c.pub != nil || c.player {
		c.failed = errors.New("second publish or play on one connection")
		return gortmp.NETSTREAM_CONNECT_REJECTED
	}
	key := streamKey(app, name)
	b := c.srv.acquire(key)
	cl, err := b.claim()
	if err != nil {
		c.srv.release(b)
		c.failed = fmt.Errorf("publish %s: %w", key, err)
		return gortmp.NETSTREAM_CONNECT_REJECTED
	}
	c.key, c.b, c.pub = key, b, cl
	c.conv = newConverter(cl.begin, cl.write)
	c.log.Info("rtmp publish started", "stream", key)
	return gortmp.NETSTREAM_PUBLISH_START
}

func (c *serverConn) onPlay(app, name string, _, _ float64, _ bool) gortmp.StatusCode {
	if c.pub != nil || c.player {
		c.failed = errors.New("second publish or play on one connection")
		return gortmp.NETSTREAM_PLAY_FAILED
	}
	c.key = streamKey(app, name)
	c.b = c.srv.acquire(c.key)
	c.player = true
	return gortmp.NETSTREAM_PLAY_START
}

// play sends the frames of the name's publisher to the peer. It waits for
// a publisher, and ends the connection when that publisher's session ends:
// gomedia sends sequence headers only once per connection.
func (c *serverConn) play(ctx context.Context) {
	err := c.relay(ctx)
	if errors.Is(err, errSessionEnded) {
		return // ended cleanly; the read loop waits for the player to hang up
	}
	c.conn.Close()
	if err != nil && ctx.Err() == nil {
		c.log.Debug("rtmp player ended", "stream", c.key, "err", err)
	}
}

func (c *serverConn) relay(ctx context.Context) error {
	sess, q, err := c.b.subscribe(ctx, c.srv.opts.PlayerQueue)
	if err != nil {
		return err
	}
	defer c.b.unsubscribe(sess, q)
	c.log.Debug("rtmp player started", "stream", c.key, "tracks", sess.tracks.String())
	snd := newSender(sess.tracks)
	for {
		f, err := q.next(ctx)
		if errors.Is(err, errSessionEnded) {
			c.mu.Lock()
			werr := c.w.write(endOfPlay())
			c.mu.Unlock()
			if werr != nil {
				return fmt.Errorf("write: %w", werr)
			}
			// Let the player read the end and hang up itself; the read
			// loop closes the connection then, or after hangUpWait.
			end := time.Now().Add(hangUpWait)
			c.endBy.Store(end.UnixNano())
			_ = c.conn.SetReadDeadline(end)
			return err
		}
		if err != nil {
			return err
		}
		if d := q.takeDropped(); d > 0 {
			c.log.Warn("rtmp player too slow; skipped to the next keyframe", "stream", c.key, "dropped", d)
		}
		c.mu.Lock()
		err = snd.send(c.h, f)
		c.mu.Unlock()
		if err != nil {
			return fmt.Errorf("write: %w", err)
		}
	}
}

// finish gives back what the connection held.
func (c *serverConn) finish(err error) {
	if errors.Is(err, io.EOF) || errors.Is(err, net.ErrClosed) {
		err = nil
	}
	if c.pub != nil {
		c.pub.release()
		attrs := []any{"stream", c.key}
		if err != nil {
			attrs = append(attrs, "err", err)
		}
		if n := c.conv.lateAudio; n > 0 {
			attrs = append(attrs, "late_audio_dropped", n)
		}
		if n := c.conv.badAudio; n > 0 {
			attrs = append(attrs, "bad_audio_dropped", n)
		}
		c.log.Info("rtmp publish ended", attrs...)
	} else if err != nil && !c.player {
		c.log.Debug("rtmp connection failed", "err", err)
	}
	if c.b != nil {
		c.srv.release(c.b)
	}
}
