package tplinktest

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// streamToken is what requestStreamUrl hands out inside the sdkStreamUrl.
type streamToken struct {
	qrCode     string
	channel    int
	devInfoID  string
	streamType string
	clientUUID string
	sdkToken   string
}

// relaySession is a resolution waiting for the device to push.
type relaySession struct {
	tok       *streamToken
	remaining int // -80703 answers still to give
}

// findChannel resolves qrCode or mac plus channel to a device code; it must
// be an IPC of the application (channel 1, or up to its channelId for a
// multi-lens IPC) or a channel of one of its NVRs. Called with s.mu held.
func (s *Server) findChannel(qrCode, mac string, channel int) (string, bool) {
	for _, d := range s.devices {
		if (qrCode != "" && d.QRCode != qrCode) || (qrCode == "" && d.MAC != mac) {
			continue
		}
		if d.ParentQRCode == "" && d.Type != "NETWORKVIDEORECORDER" && channel >= 1 && channel <= max(1, d.ChannelID) {
			return d.QRCode, true
		}
		for _, c := range s.channels[d.QRCode] {
			if c.Channel == channel {
				return d.QRCode, true
			}
		}
	}
	for _, d := range s.devices {
		if d.ParentQRCode != "" && (d.ParentQRCode == qrCode || (qrCode == "" && d.ParentMAC == mac)) && d.ChannelID == channel {
			return d.ParentQRCode, true
		}
	}
	if chs, isNVR := s.channels[qrCode]; isNVR {
		for _, c := range chs {
			if c.Channel == channel {
				return qrCode, true
			}
		}
	}
	return "", false
}

// requestStreamURL is §1.4.5.2.
func (s *Server) requestStreamURL(q request) answer {
	var in struct {
		QRCode     string `json:"qrCode"`
		MAC        string `json:"mac"`
		ChannelID  *int   `json:"channelId"`
		ClientType string `json:"clientType"`
		StreamType string `json:"streamType"`
		Resolution *int   `json:"resolution"`
	}
	if a := decode(q.body, &in); a != nil {
		return *a
	}
	switch {
	case in.QRCode == "" && in.MAC == "":
		return fail(codeParam, "mac与qrCode两者至少存在一个")
	case in.ChannelID == nil:
		return fail(codeParam, "channelId必选")
	case in.ClientType == "":
		return fail(codeParam, "clientType必选")
	case in.StreamType != "video" && in.StreamType != "sdvod" && in.StreamType != "dtspk":
		return fail(codeParam, "streamType非法")
	case in.Resolution != nil && (*in.Resolution < 0 || *in.Resolution > 3):
		return fail(codeParam, "resolution非法")
	}
	res := 0
	if in.Resolution != nil {
		res = *in.Resolution
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	qr, found := s.findChannel(in.QRCode, in.MAC, *in.ChannelID)
	if !found {
		return fail(codeNotInApp, "设备不存在于应用中")
	}
	s.nextDevInfo++
	tok := &streamToken{
		qrCode:     qr,
		channel:    *in.ChannelID,
		devInfoID:  strconv.FormatInt(s.nextDevInfo, 10),
		streamType: in.StreamType,
		clientUUID: randomHex(16),
		sdkToken:   "{13569}-" + randomHex(12) + "-" + randomHex(16) + ";tokenType=SDKToken;applicationId=1860",
	}
	token := "13569-" + randomHex(12) + "-" + randomHex(16)
	s.tokens[token] = tok
	// Like the document's example, clientType goes in with its spaces unescaped.
	sdk := s.URL + PathRequestRelayURL + "?token=" + token + "&devInfoId=" + tok.devInfoID +
		"&clientUUID=" + tok.clientUUID + "&clientType=" + strings.ReplaceAll(url.QueryEscape(in.ClientType), "+", " ") +
		"&streamType=" + in.StreamType + "&resolution=" + strconv.Itoa(res)
	return ok(map[string]any{"sdkStreamUrl": sdk})
}

// requestRelayURL is §1.4.5.3: the URL parameters, an empty body.
func (s *Server) requestRelayURL(q request) answer {
	v := q.r.URL.Query()
	for _, name := range []string{"token", "devInfoId", "clientType", "streamType"} {
		if v.Get(name) == "" {
			return fail(codeParam, name+"必选")
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	tok := s.tokens[v.Get("token")]
	if tok == nil {
		return fail(codeTokenGone, "token过期或不存在")
	}
	if tok.devInfoID != v.Get("devInfoId") || tok.streamType != v.Get("streamType") {
		return fail(codeParam, "devInfoId或streamType与token不符")
	}
	if s.notReady > 0 {
		id := randomHex(16)
		s.sessions[id] = &relaySession{tok: tok, remaining: s.notReady - 1}
		return answer{code: codeURLNotReady, msg: "URL not ready", result: map[string]any{"sessionId": id, "token": tok.sdkToken}}
	}
	return ok(s.relayReady(tok))
}

// requestRelayURLAgain is §1.4.5.4.
func (s *Server) requestRelayURLAgain(q request) answer {
	var in struct {
		SessionID string `json:"sessionId"`
		Token     string `json:"token"`
	}
	if a := decode(q.body, &in); a != nil {
		return *a
	}
	if in.SessionID == "" || in.Token == "" {
		return fail(codeParam, "sessionId和token必选")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	sess := s.sessions[in.SessionID]
	if sess == nil {
		return fail(codeSessionNotFound, "指定的session不存在")
	}
	if sess.tok.sdkToken != in.Token {
		return fail(codeTokenGone, "token过期或不存在")
	}
	if sess.remaining > 0 {
		sess.remaining--
		return answer{code: codeURLNotReady, msg: "URL not ready", result: map[string]any{"sessionId": in.SessionID, "token": sess.tok.sdkToken}}
	}
	delete(s.sessions, in.SessionID)
	return ok(s.relayReady(sess.tok))
}

// relayReady is the "device is pushing" answer. Called with s.mu held.
func (s *Server) relayReady(tok *streamToken) map[string]any {
	reqID := randomHex(16)
	u := s.URL + "/sdk/" + reqID + "/relayservice?sessionid=" + randomHex(16) + "&type=" + tok.streamType + "&resolution=HD&channel=" + strconv.Itoa(tok.channel)
	if s.relayURL != nil {
		u = s.relayURL(tok.qrCode, tok.channel, tok.streamType)
	}
	cookie := "AWSELB=" + randomHex(16)
	s.cookies[cookie] = tok.sdkToken
	return map[string]any{
		"url":          u,
		"cookie":       cookie,
		"token":        tok.sdkToken,
		"relayVersion": "1.3",
		"clientUUID":   tok.clientUUID,
	}
}

// renewRelayCookie is §1.4.5.5.
func (s *Server) renewRelayCookie(q request) answer {
	var in struct {
		Cookie string `json:"cookie"`
		Token  string `json:"token"`
		Path   string `json:"path"`
		MaxAge *int   `json:"maxAge"`
	}
	if a := decode(q.body, &in); a != nil {
		return *a
	}
	if in.Cookie == "" || in.Token == "" || !strings.HasPrefix(in.Path, "/sdk/") {
		return fail(codeParam, "cookie、token、path必选")
	}
	age := 1800
	if in.MaxAge != nil {
		age = *in.MaxAge
	}
	if age < 1 || age > 3600 {
		return fail(codeParam, "maxAge超出范围[1, 3600]")
	}
	s.mu.Lock()
	tok, known := s.cookies[in.Cookie]
	s.mu.Unlock()
	if !known || tok != in.Token {
		return fail(codeTokenGone, "token过期或不存在")
	}
	expires := s.opts.Now().Add(time.Duration(age) * time.Second).UTC().Format("Mon, 02-Jan-2006 15:04:05 GMT")
	h := http.Header{}
	h.Set("Set-Cookie", in.Cookie+"; Domain=tp-link.com.cn; Path="+in.Path+"; Expires="+expires+"; Max-Age="+strconv.Itoa(age)+"; SameSite=None; Secure")
	return answer{header: h}
}
