package rtsp

import (
	"errors"
	"fmt"
	"strings"

	"github.com/bluenviron/gortsplib/v4"
	"github.com/bluenviron/gortsplib/v4/pkg/base"

	"github.com/lubo-edge/lubo/relay"
)

// serve finds or starts the channel id for a player's connection and waits
// for its ServerStream. On failure the response says why (404, 503) and
// the channel is nil.
func (s *Server) serve(conn *gortsplib.ServerConn, id string) (*channel, *base.Response) {
	if id == "" || strings.Contains(id, "/") {
		return nil, &base.Response{StatusCode: base.StatusNotFound}
	}
	stream, ok := s.opts.Lookup(id)
	if !ok {
		s.log.Info("rtsp: unknown channel requested", "channel", id)
		return nil, &base.Response{StatusCode: base.StatusNotFound}
	}
	ch, err := s.attach(conn, id, stream)
	if err != nil {
		s.log.Warn("rtsp: cannot read channel", "channel", id, "err", err)
		return nil, &base.Response{StatusCode: base.StatusServiceUnavailable}
	}
	if _, err := ch.waitReady(); err != nil {
		s.mu.Lock()
		if s.pending[conn] == ch {
			s.unpendLocked(conn)
		}
		s.mu.Unlock()
		if errors.Is(err, errNoMedia) {
			ch.log.Warn("rtsp: no media from the channel in time; answering 503",
				"timeout", s.opts.DescribeTimeout, "source_error", stream.LastError())
		} else {
			ch.log.Info("rtsp: channel not available; answering 503", "reason", err)
		}
		return nil, &base.Response{StatusCode: base.StatusServiceUnavailable}
	}
	return ch, &base.Response{StatusCode: base.StatusOK}
}

// attach marks conn as waiting on channel id, starting the channel (and its
// one reader) when nobody is watching it yet.
func (s *Server) attach(conn *gortsplib.ServerConn, id string, stream *relay.Stream) (*channel, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return nil, errors.New("server closing")
	}
	ch := s.channels[id]
	if ch != nil && ch.stream != stream {
		s.dropLocked(ch) // the channel was reconfigured
		ch = nil
	}
	if ch == nil {
		r, err := stream.AddReader("rtsp")
		if err != nil {
			return nil, fmt.Errorf("attach reader: %w", err)
		}
		ch = newChannel(s, id, stream, r)
		s.channels[id] = ch
		s.wg.Add(1)
		go ch.run()
		ch.log.Debug("rtsp: reader attached")
	}
	old := s.pending[conn]
	s.pending[conn] = ch
	ch.conns[conn] = struct{}{}
	if old != nil && old != ch {
		delete(old.conns, conn)
		s.releaseLocked(old)
	}
	return ch, nil
}

// adopt moves a player from "described" to "set up" on ch. False when the
// channel closed in between.
func (s *Server) adopt(conn *gortsplib.ServerConn, ss *gortsplib.ServerSession, ch *channel) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if ch.closing {
		return false
	}
	if s.pending[conn] == ch {
		delete(s.pending, conn)
	}
	delete(ch.conns, conn)
	ch.sessions[ss] = struct{}{}
	s.sessions[ss] = ch
	ch.log.Debug("rtsp: player joined", "players", len(ch.sessions))
	return true
}

// unpendLocked forgets that conn described a channel; s.mu held.
func (s *Server) unpendLocked(conn *gortsplib.ServerConn) {
	ch := s.pending[conn]
	if ch == nil {
		return
	}
	delete(s.pending, conn)
	delete(ch.conns, conn)
	s.releaseLocked(ch)
}

// releaseLocked closes ch once no player holds it; s.mu held.
func (s *Server) releaseLocked(ch *channel) {
	if !ch.closing && ch.idle() {
		ch.log.Debug("rtsp: last player left; detaching reader")
		s.dropLocked(ch)
	}
}

func (s *Server) drop(ch *channel) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.dropLocked(ch)
}

// dropLocked takes ch out of service; its pump then closes the
// ServerStream (disconnecting players) and the reader. s.mu held.
func (s *Server) dropLocked(ch *channel) {
	if ch.closing {
		return
	}
	ch.closing = true
	if s.channels[ch.id] == ch {
		delete(s.channels, ch.id)
	}
	for conn := range ch.conns {
		if s.pending[conn] == ch {
			delete(s.pending, conn)
		}
	}
	for ss := range ch.sessions {
		if s.sessions[ss] == ch {
			delete(s.sessions, ss)
		}
	}
	ch.cancel()
}
