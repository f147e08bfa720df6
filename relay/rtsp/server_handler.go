package rtsp

import (
	"strings"

	"github.com/bluenviron/gortsplib/v4"
	"github.com/bluenviron/gortsplib/v4/pkg/base"
	"github.com/bluenviron/gortsplib/v4/pkg/liberrors"
)

// serverHandler receives gortsplib's server events. It is a separate type
// so that Server's exported API stays small.
type serverHandler struct{ s *Server }

// channelID maps a request path to a channel id: "/c101" and "/c101/" are
// channel "c101".
func channelID(path string) string { return strings.Trim(path, "/") }

// authorized checks the player's credentials when the server has some.
func (h *serverHandler) authorized(conn *gortsplib.ServerConn, req *base.Request) bool {
	s := h.s
	if s.opts.User == "" {
		return true
	}
	if conn.VerifyCredentials(req, s.opts.User, s.opts.Pass) {
		return true
	}
	if _, tried := req.Header["Authorization"]; tried {
		s.log.Warn("rtsp: player authentication failed", "remote", conn.NetConn().RemoteAddr().String(), "path", req.URL.Path)
	}
	return false
}

func unauthorized() (*base.Response, *gortsplib.ServerStream, error) {
	return &base.Response{StatusCode: base.StatusUnauthorized}, nil, liberrors.ErrServerAuth{}
}

// OnDescribe makes a player for the connection (its own reader of the
// channel) and answers with the SDP of the channel's tracks once its first
// frame told what they are.
func (h *serverHandler) OnDescribe(ctx *gortsplib.ServerHandlerOnDescribeCtx) (*base.Response, *gortsplib.ServerStream, error) {
	if !h.authorized(ctx.Conn, ctx.Request) {
		return unauthorized()
	}
	p, res := h.s.open(ctx.Conn, channelID(ctx.Path))
	if p == nil {
		return res, nil, nil
	}
	if !h.s.describe(ctx.Conn, p) {
		return &base.Response{StatusCode: base.StatusServiceUnavailable}, nil, nil
	}
	return res, p.st, nil
}

// OnSetup binds the player the connection described (or a new one, for a
// player that skipped DESCRIBE) to the session.
func (h *serverHandler) OnSetup(ctx *gortsplib.ServerHandlerOnSetupCtx) (*base.Response, *gortsplib.ServerStream, error) {
	if !h.authorized(ctx.Conn, ctx.Request) {
		return unauthorized()
	}
	if st := ctx.Session.SetuppedStream(); st != nil {
		// A later track of the same session must use the same stream.
		return &base.Response{StatusCode: base.StatusOK}, st, nil
	}
	id := channelID(ctx.Path)
	p := h.s.takeDescribed(ctx.Conn, id)
	if p == nil {
		var res *base.Response
		if p, res = h.s.open(ctx.Conn, id); p == nil {
			return res, nil, nil
		}
	}
	if !h.s.adopt(ctx.Session, p) {
		return &base.Response{StatusCode: base.StatusServiceUnavailable}, nil, nil
	}
	return &base.Response{StatusCode: base.StatusOK}, p.st, nil
}

// OnPlay lets set-up sessions play. The session receives what is written
// to its ServerStream only after this returns, so the pump is started in
// OnResponse.
func (h *serverHandler) OnPlay(ctx *gortsplib.ServerHandlerOnPlayCtx) (*base.Response, error) {
	s := h.s
	s.mu.Lock()
	if p := s.sessions[ctx.Session]; p != nil {
		s.playing[ctx.Conn] = p
	}
	s.mu.Unlock()
	markPlaying(ctx.Conn.NetConn())
	return &base.Response{StatusCode: base.StatusOK}, nil
}

// OnResponse runs after a request was handled, in the connection's
// goroutine. After a successful PLAY the session is a reader of its
// ServerStream: the player's pump starts (or resumes) with the cached GOP.
func (h *serverHandler) OnResponse(conn *gortsplib.ServerConn, res *base.Response) {
	s := h.s
	s.mu.Lock()
	defer s.mu.Unlock()
	p := s.playing[conn]
	delete(s.playing, conn)
	if p != nil && res.StatusCode == base.StatusOK {
		p.startLocked()
	}
}

// OnPause stops the player's pump from writing; the reader stays, so the
// channel stays up, and a later PLAY starts again from the cached GOP.
func (h *serverHandler) OnPause(ctx *gortsplib.ServerHandlerOnPauseCtx) (*base.Response, error) {
	s := h.s
	s.mu.Lock()
	if p := s.sessions[ctx.Session]; p != nil && p.started {
		p.paused.Store(true)
	}
	s.mu.Unlock()
	return &base.Response{StatusCode: base.StatusOK}, nil
}

// OnSessionClose releases the session's player and with it its reader.
func (h *serverHandler) OnSessionClose(ctx *gortsplib.ServerHandlerOnSessionCloseCtx) {
	s := h.s
	s.mu.Lock()
	defer s.mu.Unlock()
	p := s.sessions[ctx.Session]
	if p == nil {
		return
	}
	delete(s.sessions, ctx.Session)
	p.log.Debug("rtsp: player left", "err", ctx.Error)
	p.releaseLocked()
}

// OnConnClose releases a player the connection described but never set
// up.
func (h *serverHandler) OnConnClose(ctx *gortsplib.ServerHandlerOnConnCloseCtx) {
	s := h.s
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.playing, ctx.Conn)
	if p := s.described[ctx.Conn]; p != nil {
		delete(s.described, ctx.Conn)
		p.releaseLocked()
	}
}

// OnStreamWriteError is a packet gortsplib dropped because the player's
// queue was full. The pump keeps below the queue's size, so this is rare;
// the player then skips to the next keyframe. It takes no lock: it runs
// in the pump or in gortsplib's RTCP sender, which ServerStream.Close waits
// for while s.mu may be held.
func (h *serverHandler) OnStreamWriteError(ctx *gortsplib.ServerHandlerOnStreamWriteErrorCtx) {
	s := h.s
	if p, ok := ctx.Session.UserData().(*player); ok {
		p.lost.Store(true)
	}
	if s.limit.allow("write") {
		s.log.Debug("rtsp: write to player failed", "err", ctx.Error)
	}
}

// OnDecodeError is a bad RTCP packet from a player.
func (h *serverHandler) OnDecodeError(ctx *gortsplib.ServerHandlerOnDecodeErrorCtx) {
	h.s.log.Debug("rtsp: bad packet from player", "err", ctx.Error)
}
