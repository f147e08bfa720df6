package rtmp

import (
	"context"
	"errors"
	"fmt"
	"net"
	"sync"
	"time"

	gortmp "github.com/yapingcat/gomedia/go-rtmp"

	"github.com/lubo-edge/lubo/media"
)

// ErrTracksChanged is returned by Pusher.WriteFrame for a frame whose codec
// parameters differ from the ones the push started with: an RTMP
// connection carries one set of sequence headers, so the caller must dial
// a new push.
var ErrTracksChanged = errors.New("rtmp: codec parameters changed; the push must restart")

// Pusher publishes one stream to a remote RTMP server, such as a cloud
// ingest. WriteFrame is called from one goroutine; Close may be called from
// any.
type Pusher struct {
	addr   string
	conn   net.Conn
	tracks *media.Tracks
	snd    *sender // used by WriteFrame only

	mu     sync.Mutex // guards client: gomedia handles are not safe for concurrent use
	client *gortmp.RtmpClient

	started chan error    // publish answer, once
	done    chan struct{} // read loop finished
	readErr error         // why, set before done closes
	close   sync.Once
}

// DialPush connects to url (rtmp://host[:port]/app/name[?query]) and
// publishes a stream with tracks t, waiting at most 10 s for the server to
// accept.
func DialPush(ctx context.Context, url string, t *media.Tracks) (*Pusher, error) {
	tg, err := parseURL(url)
	if err != nil {
		return nil, err
	}
	if t == nil || t.Video == nil && t.Audio == nil {
		return nil, fmt.Errorf("rtmp: push %s: no tracks to publish", tg.addr)
	}
	conn, err := dial(ctx, tg.addr)
	if err != nil {
		return nil, err
	}
	p := &Pusher{
		addr:    tg.addr,
		conn:    conn,
		tracks:  t,
		snd:     newSender(t),
		started: make(chan error, 1),
		done:    make(chan struct{}),
	}
	var errCode string
	client := gortmp.NewRtmpClient(gortmp.WithEnablePublish())
	client.SetOutput(wire{conn: conn, timeout: writeTimeout}.write)
	client.OnError(func(code, _ string) {
		if code != "" {
			errCode = code
		}
	})
	client.OnStatus(func(code, level, desc string) {
		if level == string(gortmp.LEVEL_ERROR) {
			p.answer(fmt.Errorf("rtmp: push %s: %s (%s)", tg.addr, code, desc))
		}
	})
	client.OnStateChange(func(s gortmp.RtmpState) {
		switch s {
		case gortmp.STATE_RTMP_PUBLISH_START:
			p.answer(nil)
		case gortmp.STATE_RTMP_PUBLISH_FAILED:
			p.answer(fmt.Errorf("rtmp: push %s: publish rejected %s", tg.addr, errCode))
		}
	})
	p.client = client
	if err := guard(func() error { client.Start(tg.gomediaURL()); return nil }); err != nil {
		conn.Close()
		return nil, fmt.Errorf("rtmp: push %s: %w", tg.addr, err)
	}
	go p.readLoop() // Close waits for it

	timer := time.NewTimer(dialTimeout)
	defer timer.Stop()
	select {
	case err = <-p.started:
	case <-p.done:
		err = fmt.Errorf("rtmp: push %s: %w", tg.addr, p.readErr)
	case <-ctx.Done():
		err = ctx.Err()
	case <-timer.C:
		err = fmt.Errorf("rtmp: push %s: no answer to publish within %s", tg.addr, dialTimeout)
	}
	if err != nil {
		p.Close()
		return nil, err
	}
	return p, nil
}

// answer records the server's answer to publish; the first one counts.
func (p *Pusher) answer(err error) {
	select {
	case p.started <- err:
	default:
	}
}

// readLoop takes in what the server sends (replies, acknowledgements) until
// the connection ends.
func (p *Pusher) readLoop() {
	defer close(p.done)
	in := newInbound(func(b []byte) error { return guard(func() error { return p.client.Input(b) }) })
	buf := make([]byte, 4<<10)
	for {
		// An ingest server may say nothing for as long as the push
		// lasts, but what it begins to send it must finish.
		var deadline time.Time
		if since := in.pendingSince(); !since.IsZero() {
			deadline = since.Add(readTimeout)
		}
		if err := p.conn.SetReadDeadline(deadline); err != nil {
			p.readErr = err
			return
		}
		n, err := p.conn.Read(buf)
		if n > 0 {
			p.mu.Lock()
			ierr := in.feed(buf[:n], time.Now())
			p.mu.Unlock()
			if ierr != nil {
				p.readErr = ierr
				p.conn.Close()
				return
			}
		}
		if err != nil {
			if ne := net.Error(nil); errors.As(err, &ne) && ne.Timeout() {
				err = protocolError("a message begun %s ago is still unfinished", readTimeout)
				p.conn.Close()
			}
			p.readErr = err
			return
		}
	}
}

// WriteFrame sends f. Frames before the first video keyframe are skipped so
// the server's first picture decodes. A frame whose Tracks differ in codec
// parameters from the push's gives ErrTracksChanged.
func (p *Pusher) WriteFrame(f *media.Frame) error {
	select {
	case <-p.done:
		return fmt.Errorf("rtmp: push %s: connection lost: %w", p.addr, p.readErr)
	default:
	}
	if f.Tracks != nil && f.Tracks != p.tracks {
		if !sameTracks(f.Tracks, p.tracks) {
			return ErrTracksChanged
		}
		p.tracks = f.Tracks // same parameters, e.g. after a source reconnect
	}
	p.mu.Lock()
	err := p.snd.send(p.client, f)
	p.mu.Unlock()
	if err != nil {
		return fmt.Errorf("rtmp: push %s: %w", p.addr, err)
	}
	return nil
}

// Close ends the push and waits for its reader to finish.
func (p *Pusher) Close() error {
	p.close.Do(func() { p.conn.Close() })
	<-p.done
	return nil
}

// FrameReader yields frames one at a time; a relay.Reader is one.
type FrameReader interface {
	Read(ctx context.Context) (*media.Frame, error)
}

// Push publishes the frames of r to url until ctx is done (then it returns
// nil) or something fails. Frames must carry their Tracks; when the codec
// parameters change, Push publishes anew on a fresh connection.
func Push(ctx context.Context, url string, r FrameReader) error {
	var p *Pusher
	defer func() {
		if p != nil {
			p.Close()
		}
	}()
	for {
		f, err := r.Read(ctx)
		if err != nil {
			if ctx.Err() != nil {
				return nil
			}
			return fmt.Errorf("rtmp: push: read frames: %w", err)
		}
		if f.Tracks == nil {
			return errors.New("rtmp: push: frame without tracks")
		}
		if p != nil && f.Tracks != p.tracks && !sameTracks(f.Tracks, p.tracks) {
			p.Close()
			p = nil
		}
		if p == nil {
			if p, err = DialPush(ctx, url, f.Tracks); err != nil {
				if ctx.Err() != nil {
					return nil
				}
				return err
			}
		}
		if err := p.WriteFrame(f); err != nil {
			if ctx.Err() != nil {
				return nil
			}
			return err
		}
	}
}
