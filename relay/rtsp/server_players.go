package rtsp

import (
	"errors"
	"strings"

	"github.com/bluenviron/gortsplib/v4"
	"github.com/bluenviron/gortsplib/v4/pkg/base"
)

// open makes a player of channel id for conn, waiting for the channel's
// first frame. On failure the response says why (404, 503) and the player
// is nil.
func (s *Server) open(conn *gortsplib.ServerConn, id string) (*player, *base.Response) {
	if id == "" || strings.Contains(id, "/") {
		return nil, &base.Response{StatusCode: base.StatusNotFound}
	}
	stream, ok := s.opts.Lookup(id)
	if !ok {
		s.log.Info("rtsp: unknown channel requested", "channel", id)
		return nil, &base.Response{StatusCode: base.StatusNotFound}
	}
	s.mu.Lock()
	closed := s.closed
	s.mu.Unlock()
	if closed {
		return nil, &base.Response{StatusCode: base.StatusServiceUnavailable}
	}
	p, err := openPlayer(s, id, conn.NetConn().RemoteAddr().String(), stream)
	switch {
	case errors.Is(err, errNoMedia):
		s.log.Warn("rtsp: no media from the channel in time; answering 503", "channel", id,
			"timeout", s.opts.DescribeTimeout, "source_error", stream.LastError())
	case err != nil:
		s.log.Info("rtsp: channel not available; answering 503", "channel", id, "reason", err)
	}
	if err != nil {
		return nil, &base.Response{StatusCode: base.StatusServiceUnavailable}
	}
	return p, &base.Response{StatusCode: base.StatusOK}
}

// describe keeps p as what conn described, replacing (and releasing) what
// it described before. False when the server closed meanwhile.
func (s *Server) describe(conn *gortsplib.ServerConn, p *player) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		p.releaseLocked()
		return false
	}
	if old := s.described[conn]; old != nil {
		old.releaseLocked()
	}
	s.described[conn] = p
	return true
}

// takeDescribed hands over the player conn described for channel id, if
// any; a player described for another channel is released.
func (s *Server) takeDescribed(conn *gortsplib.ServerConn, id string) *player {
	s.mu.Lock()
	defer s.mu.Unlock()
	p := s.described[conn]
	if p == nil {
		return nil
	}
	delete(s.described, conn)
	if p.id != id || p.closing {
		p.releaseLocked()
		return nil
	}
	return p
}

// adopt binds p to the session being set up. False when the server or the
// player closed meanwhile; p is then released.
func (s *Server) adopt(ss *gortsplib.ServerSession, p *player) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed || p.closing {
		p.releaseLocked()
		return false
	}
	if old := s.sessions[ss]; old != nil {
		old.releaseLocked() // cannot happen: a set-up session keeps its stream
	}
	p.ss = ss
	ss.SetUserData(p) // for OnStreamWriteError, which must not take s.mu
	s.sessions[ss] = p
	p.log.Debug("rtsp: player set up", "players_on_server", len(s.sessions))
	return true
}

// releaseAllLocked releases every player; s.mu held.
func (s *Server) releaseAllLocked() {
	for conn, p := range s.described {
		delete(s.described, conn)
		p.releaseLocked()
	}
	for ss, p := range s.sessions {
		delete(s.sessions, ss)
		p.releaseLocked()
	}
	clear(s.playing)
}
