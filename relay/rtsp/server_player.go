package rtsp

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/bluenviron/gortsplib/v4"

	"github.com/lubo-edge/lubo/media"
	"github.com/lubo-edge/lubo/relay"
)

// player is one RTSP player of a channel, from its DESCRIBE (or its first
// SETUP) to the end of its session. Like an HTTP-FLV viewer it has its own
// relay.Reader, so a player that falls behind loses whole frames up to the
// next keyframe instead of single packets, and a newcomer starts from the
// cached GOP. It also has its own packetizers and its own
// gortsplib.ServerStream, of which its session is the only reader.
type player struct {
	srv    *Server
	id     string // the channel
	log    *slog.Logger
	stream *relay.Stream

	ctx    context.Context // ends when the player is released
	cancel context.CancelFunc

	// Set by openPlayer, read-only afterwards.
	out    *outStream
	tracks *media.Tracks // what the SDP describes
	st     *gortsplib.ServerStream

	// Handed to the pump when it starts; before that, released by free.
	reader *relay.Reader
	first  *media.Frame // read to learn the tracks; played first

	// Guarded by srv.mu.
	ss      *gortsplib.ServerSession // nil until SETUP
	started bool                     // the pump runs (or ran)
	closing bool

	// Play state, written by the handlers, read by the pump.
	paused  atomic.Bool
	resumes atomic.Uint64 // PLAYs after a PAUSE
	lost    atomic.Bool   // gortsplib dropped a packet of this player

	freeOnce sync.Once
}

var (
	errNoMedia      = errors.New("no media from the channel yet")
	errChannelEnded = errors.New("the channel closed before its first frame")
	errServerClosed = errors.New("server closing")
)

// openPlayer attaches a reader to stream (starting an on-demand source)
// and waits, at most DescribeTimeout, for its first frame: the keyframe of
// the cached GOP when the channel is live, else the source's first frame.
// Its tracks make the player's SDP.
func openPlayer(srv *Server, id, remote string, stream *relay.Stream) (*player, error) {
	r, err := stream.AddReader("rtsp " + remote)
	if err != nil {
		return nil, errChannelEnded
	}
	first, err := firstFrame(srv, r)
	if err != nil {
		r.Close()
		return nil, err
	}
	out, err := buildOutStream(first.Tracks)
	if err != nil {
		r.Close()
		return nil, fmt.Errorf("tracks %s: %w", first.Tracks, err)
	}
	st := &gortsplib.ServerStream{Server: srv.rs, Desc: out.desc}
	if err := st.Initialize(); err != nil {
		r.Close()
		return nil, err
	}
	ctx, cancel := context.WithCancel(srv.ctx)
	return &player{
		srv:    srv,
		id:     id,
		log:    srv.log.With("channel", id, "remote", remote),
		stream: stream,
		ctx:    ctx,
		cancel: cancel,
		out:    out,
		tracks: first.Tracks,
		st:     st,
		reader: r,
		first:  first,
	}, nil
}

// firstFrame reads r's first frame that belongs to a session.
func firstFrame(srv *Server, r *relay.Reader) (*media.Frame, error) {
	ctx, cancel := context.WithTimeout(srv.ctx, srv.opts.DescribeTimeout)
	defer cancel()
	for {
		f, err := r.Read(ctx)
		switch {
		case err == nil && f.Tracks != nil:
			return f, nil
		case err == nil:
			continue
		case srv.ctx.Err() != nil:
			return nil, errServerClosed
		case errors.Is(err, context.DeadlineExceeded):
			return nil, errNoMedia
		default:
			return nil, errChannelEnded
		}
	}
}

// releaseLocked ends the player: its session is closed and, once its pump
// (if any) has stopped, its reader and ServerStream are freed. srv.mu held.
func (p *player) releaseLocked() {
	if p.closing {
		return
	}
	p.closing = true
	p.cancel()
	if !p.started {
		p.free(p.reader)
	}
}

// free closes the ServerStream (ending the session, if any) and the
// reader r. Only the first call does anything.
func (p *player) free(r *relay.Reader) {
	p.freeOnce.Do(func() {
		p.cancel()
		p.st.Close()
		r.Close()
	})
}

// startLocked starts the pump on the first successful PLAY, and resumes a
// paused player on later ones. srv.mu held.
func (p *player) startLocked() {
	if p.closing {
		return
	}
	if p.started {
		if p.paused.Swap(false) {
			p.resumes.Add(1)
		}
		return
	}
	p.started = true
	w := &playerWriter{p: p, ss: p.ss, out: p.out, sdp: p.tracks, tracks: p.tracks, needKey: p.tracks.Video != nil}
	r, first := p.reader, p.first
	p.reader, p.first = nil, nil
	p.srv.wg.Add(1)
	go func() {
		defer p.srv.wg.Done()
		p.pump(w, r, first)
	}()
}

// pump plays frames from the reader to the player until the player is
// released, the stream shuts down or the stream's codecs change; then it
// frees the player, which ends its session.
func (p *player) pump(w *playerWriter, r *relay.Reader, f *media.Frame) {
	defer func() { p.free(r) }()
	resumes := p.resumes.Load()
	for {
		if f == nil {
			var err error
			if f, err = r.Read(p.ctx); err != nil {
				if p.ctx.Err() == nil {
					p.log.Info("rtsp: channel stream closed; disconnecting the player")
				}
				return
			}
		}
		if n := p.resumes.Load(); n != resumes {
			// Back from a PAUSE: start again from the cached GOP, as a
			// newcomer would, instead of from what piled up meanwhile.
			resumes = n
			fresh, err := p.stream.AddReader(r.Name)
			if err != nil {
				return
			}
			r.Close()
			r, f = fresh, nil
			w.resume()
			continue
		}
		if p.paused.Load() {
			f = nil // keep the source alive, drop what nobody watches
			continue
		}
		if !w.write(f) {
			return
		}
		f = nil
	}
}

// queueWait is how long the pump waits for the player's send queue to drain
// between looks: short at first, longer while the player stays stuck.
func queueWait(tries int) time.Duration {
	return min(2*time.Millisecond<<min(tries, 5), 50*time.Millisecond)
}
