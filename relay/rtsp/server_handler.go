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

// OnDescribe attaches the channel (one reader for all its players) and
// answers with its SDP once the first frame told what the tracks are.
func (h *serverHandler) OnDescribe(ctx *gortsplib.ServerHandlerOnDescribeCtx) (*base.Response, *gortsplib.ServerStream, error) {
	if !h.authorized(ctx.Conn, ctx.Request) {
		return unauthorized()
	}
	ch, res := h.s.serve(ctx.Conn, channelID(ctx.Path))
	if ch == nil {
		return res, nil, nil
	}
	return res, ch.st, nil
}

// OnSetup adds the player's session to the channel's ServerStream.
func (h *serverHandler) OnSetup(ctx *gortsplib.ServerHandlerOnSetupCtx) (*base.Response, *gortsplib.ServerStream, error) {
	if !h.authorized(ctx.Conn, ctx.Request) {
		return unauthorized()
	}
	if st := ctx.Session.SetuppedStream(); st != nil {
		// A later track of the same session must use the same stream.
		return &base.Response{StatusCode: base.StatusOK}, st, nil
	}
	ch, res := h.s.serve(ctx.Conn, channelID(ctx.Path))
	if ch == nil {
		return res, nil, nil
	}
	if !h.s.adopt(ctx.Conn, ctx.Session, ch) {
		return &base.Response{StatusCode: base.StatusServiceUnavailable}, nil, nil
	}
	return res, ch.st, nil
}

// OnPlay lets set-up sessions play. The session becomes a receiver of the
// ServerStream only after this returns, so the channel is told in
// OnResponse.
func (h *serverHandler) OnPlay(ctx *gortsplib.ServerHandlerOnPlayCtx) (*base.Response, error) {
	s := h.s
	s.mu.Lock()
	if ch := s.sessions[ctx.Session]; ch != nil {
		s.playing[ctx.Conn] = ch
	}
	s.mu.Unlock()
	markPlaying(ctx.Conn.NetConn())
	return &base.Response{StatusCode: base.StatusOK}, nil
}

// OnResponse runs after a request was handled, in the connection's
// goroutine. After a successful PLAY the session receives what is written
// to the ServerStream, so the channel may start pumping: its first player
// then gets the stream from the keyframe on.
func (h *serverHandler) OnResponse(conn *gortsplib.ServerConn, res *base.Response) {
	s := h.s
	s.mu.Lock()
	ch := s.playing[conn]
	delete(s.playing, conn)
	s.mu.Unlock()
	if ch != nil && res.StatusCode == base.StatusOK {
		ch.startPumping()
	}
}

// OnSessionClose releases the session's hold on its channel.
func (h *serverHandler) OnSessionClose(ctx *gortsplib.ServerHandlerOnSessionCloseCtx) {
	s := h.s
	s.mu.Lock()
	defer s.mu.Unlock()
	ch := s.sessions[ctx.Session]
	if ch == nil {
		return
	}
	delete(s.sessions, ctx.Session)
	delete(ch.sessions, ctx.Session)
	ch.log.Debug("rtsp: player left", "players", len(ch.sessions), "err", ctx.Error)
	s.releaseLocked(ch)
}

// OnConnClose releases a connection that described a channel but never
// set it up.
func (h *serverHandler) OnConnClose(ctx *gortsplib.ServerHandlerOnConnCloseCtx) {
	s := h.s
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.playing, ctx.Conn)
	s.unpendLocked(ctx.Conn)
}

// OnStreamWriteError is a player that cannot keep up (its queue is full).
func (h *serverHandler) OnStreamWriteError(ctx *gortsplib.ServerHandlerOnStreamWriteErrorCtx) {
	h.s.log.Debug("rtsp: write to player failed", "err", ctx.Error)
}

// OnDecodeError is a bad RTCP packet from a player.
func (h *serverHandler) OnDecodeError(ctx *gortsplib.ServerHandlerOnDecodeErrorCtx) {
	h.s.log.Debug("rtsp: bad packet from player", "err", ctx.Error)
}
