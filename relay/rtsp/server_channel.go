package rtsp

import (
	"context"
	"errors"
	"log/slog"
	"sync"
	"time"

	"github.com/bluenviron/gortsplib/v4"

	"github.com/lubo-edge/lubo/media"
	"github.com/lubo-edge/lubo/relay"
)

// channel is one relay.Stream being served: a single relay.Reader pumped
// into a single gortsplib.ServerStream that all its players share.
type channel struct {
	id     string
	srv    *Server
	log    *slog.Logger
	stream *relay.Stream
	reader *relay.Reader

	ctx    context.Context
	cancel context.CancelFunc
	done   chan struct{}
	ready  chan struct{} // closed when st is set, or when the channel gave up
	play   chan struct{} // closed when the first player plays
	once   sync.Once

	// Written by the pump before ready is closed, read-only afterwards.
	st *gortsplib.ServerStream

	// Guarded by srv.mu.
	conns    map[*gortsplib.ServerConn]struct{}    // described, not set up yet
	sessions map[*gortsplib.ServerSession]struct{} // set up
	closing  bool
}

func newChannel(srv *Server, id string, stream *relay.Stream, reader *relay.Reader) *channel {
	ctx, cancel := context.WithCancel(srv.ctx)
	return &channel{
		id:       id,
		srv:      srv,
		log:      srv.log.With("channel", id),
		stream:   stream,
		reader:   reader,
		ctx:      ctx,
		cancel:   cancel,
		done:     make(chan struct{}),
		ready:    make(chan struct{}),
		play:     make(chan struct{}),
		conns:    make(map[*gortsplib.ServerConn]struct{}),
		sessions: make(map[*gortsplib.ServerSession]struct{}),
	}
}

// startPumping lets the pump write to the ServerStream: a player is
// receiving now.
func (ch *channel) startPumping() { ch.once.Do(func() { close(ch.play) }) }

// idle reports whether no player holds the channel any more; srv.mu held.
func (ch *channel) idle() bool { return len(ch.conns) == 0 && len(ch.sessions) == 0 }

// run pumps frames from the reader into the ServerStream until the channel
// is dropped, the stream shuts down or its codecs change.
func (ch *channel) run() {
	defer ch.srv.wg.Done()
	defer close(ch.done)
	p := &pump{ch: ch, limit: newLogLimit(10 * time.Second)}
	defer p.close()
	for {
		f, err := ch.reader.Read(ch.ctx)
		if err != nil {
			if ch.ctx.Err() == nil {
				ch.log.Info("rtsp: channel stream closed; disconnecting its players")
				ch.srv.drop(ch)
			}
			return
		}
		if !p.write(f) {
			ch.srv.drop(ch)
			return
		}
	}
}

// pump is the state of run: the served stream and its packetizers.
type pump struct {
	ch      *channel
	limit   *logLimit
	out     *outStream
	tracks  *media.Tracks
	ntpBase time.Time // wall clock of PTS 0, for the RTCP sender reports
	isReady bool
}

// write serves one frame; false when the channel must end.
func (p *pump) write(f *media.Frame) bool {
	if f.Tracks == nil {
		return true
	}
	ch := p.ch
	if p.out == nil {
		out, err := buildOutStream(f.Tracks)
		if err != nil {
			ch.log.Warn("rtsp: cannot serve channel", "tracks", f.Tracks.String(), "err", err)
			return false
		}
		st := &gortsplib.ServerStream{Server: ch.srv.rs, Desc: out.desc}
		if err := st.Initialize(); err != nil {
			ch.log.Warn("rtsp: cannot serve channel", "err", err)
			return false
		}
		p.out, p.tracks = out, f.Tracks
		p.ntpBase = time.Now().Add(-f.PTS)
		ch.st = st
		close(ch.ready)
		p.isReady = true
		ch.log.Info("rtsp: serving channel", "tracks", f.Tracks.String())
		// Hold the keyframe (the reader buffers what follows) until the
		// first player receives, so it does not start mid-GOP.
		select {
		case <-ch.play:
		case <-ch.ctx.Done():
			return false
		}
	} else if f.Tracks != p.tracks {
		if !sameShape(p.tracks, f.Tracks) {
			ch.log.Info("rtsp: channel codecs changed; closing it so players reconnect",
				"was", p.tracks.String(), "now", f.Tracks.String())
			return false
		}
		p.tracks = f.Tracks
	}
	m := p.out.media(f.Codec)
	if m == nil {
		return true // a codec the SDP does not carry
	}
	pkts, err := m.packets(f)
	if err != nil {
		if p.limit.allow("packetize") {
			ch.log.Warn("rtsp: frame not packetized", "codec", f.Codec, "err", err)
		}
		return true
	}
	ntp := p.ntpBase.Add(f.PTS)
	for _, pkt := range pkts {
		if err := ch.st.WritePacketRTPWithNTP(m.desc, pkt, ntp); err != nil {
			if p.limit.allow("write") {
				ch.log.Debug("rtsp: write to players", "err", err)
			}
			return true
		}
	}
	return true
}

// close disconnects the players and detaches the reader.
func (p *pump) close() {
	if p.ch.st != nil {
		p.ch.st.Close()
	}
	if !p.isReady {
		close(p.ch.ready) // waiting handlers learn that there is no stream
	}
	p.ch.reader.Close()
}

// waitReady waits for the channel's first frame, bounded by the server's
// DescribeTimeout. It returns the ServerStream or why there is none.
func (ch *channel) waitReady() (*gortsplib.ServerStream, error) {
	t := time.NewTimer(ch.srv.opts.DescribeTimeout)
	defer t.Stop()
	select {
	case <-ch.ready:
		if ch.st == nil {
			return nil, errors.New("the channel closed before its first frame")
		}
		return ch.st, nil
	case <-t.C:
		return nil, errNoMedia
	case <-ch.srv.ctx.Done():
		return nil, errors.New("server closing")
	}
}

var errNoMedia = errors.New("no media from the channel yet")
