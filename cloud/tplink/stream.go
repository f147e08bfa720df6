package tplink

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"time"
)

const (
	pathRequestStreamURL     = "/vms/open/webServer/v1/requestStreamUrl"
	pathRequestRelayURL      = "/vms/open/webServer/v1/requestRelayUrl"
	pathRequestRelayURLAgain = "/vms/open/webServer/v1/requestRelayUrlAgain"
	pathRenewRelayCookie     = "/vms/open/webServer/v1/renewRelayCookie"
)

// Stream types (§1.4.5.2).
const (
	StreamVideo    = "video" // live preview
	StreamPlayback = "sdvod" // playback from the device's storage
	StreamTalk     = "dtspk" // two-way audio
)

// Resolutions of a live preview (§1.4.5.2).
const (
	ResolutionVGA   = 0 // 流畅, the cloud's default
	ResolutionQVGA  = 1 // 清晰
	ResolutionHD    = 2 // 高清
	ResolutionThird = 3 // 超高清
)

// StreamRequest names the channel to resolve. QRCode or MAC must be set;
// the cloud prefers QRCode when both are.
type StreamRequest struct {
	QRCode     string
	MAC        string // 00-FF-00-17-00-18 form
	Channel    int    // 1 for an IPC bound directly; the NVR channel otherwise
	StreamType string // StreamVideo (default), StreamPlayback or StreamTalk
	Resolution int    // ResolutionVGA..ResolutionThird; live preview only
}

// Stream is a resolved relay address. URL is where the media is served;
// Cookie locates the relay server and Token is the SDK stream token; both are
// secrets. Expires is zero when the cloud said nothing about it (it does not
// in requestRelayUrl); RenewRelayCookie sets it.
type Stream struct {
	URL          string
	Cookie       Secret
	Token        Secret
	RelayVersion string // "1.3" or "2.0"
	ClientUUID   string
	Expires      time.Time
}

// String shows the relay address without its query (which carries the
// session id) and no cookie or token.
func (s Stream) String() string {
	return fmt.Sprintf("tplink.Stream{url=%s relay=%s cookie=%s token=%s expires=%s}",
		redactURL(s.URL), s.RelayVersion, s.Cookie, s.Token, s.Expires.Format(time.RFC3339))
}

// GoString is String, so %#v shows no secret either.
func (s Stream) GoString() string { return s.String() }

// LogValue is String for log/slog.
func (s Stream) LogValue() slog.Value { return slog.StringValue(s.String()) }

// redactURL drops user info and query from a URL for printing.
func redactURL(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return "(unparsable URL)"
	}
	u.User, u.RawQuery, u.ForceQuery, u.Fragment = nil, "", false, ""
	if raw != u.String() {
		return u.String() + "?******"
	}
	return u.String()
}

// relayAnswer is the result of requestRelayUrl and requestRelayUrlAgain,
// both the ready form (url, cookie, ...) and the not-ready form (sessionId).
type relayAnswer struct {
	URL          string `json:"url"`
	Cookie       string `json:"cookie"`
	Token        string `json:"token"`
	RelayVersion string `json:"relayVersion"`
	ClientUUID   string `json:"clientUUID"`
	SessionID    string `json:"sessionId"`
}

// ResolveStream turns a channel into a relay address: requestStreamUrl, then
// requestRelayUrl at the sdkStreamUrl it returns, then requestRelayUrlAgain
// every PollInterval while the cloud answers -80703 "URL not ready", for at
// most PollTimeout in all (on the injected clock).
func (c *Client) ResolveStream(ctx context.Context, req StreamRequest) (Stream, error) {
	if req.StreamType == "" {
		req.StreamType = StreamVideo
	}
	where := describe(req)
	if err := req.check(); err != nil {
		return Stream{}, fmt.Errorf("tplink: resolve %s: %w", where, err)
	}
	start := c.cfg.Now()
	deadline := start.Add(c.cfg.PollTimeout)
	// A real-time safety net too, in case the injected clock stands still.
	ctx, cancel := context.WithTimeout(ctx, c.cfg.PollTimeout+c.cfg.Timeout)
	defer cancel()

	sdkURL, err := c.requestStreamURL(ctx, req)
	if err != nil {
		return Stream{}, fmt.Errorf("tplink: resolve %s: %w", where, err)
	}
	// The document does not say whether the query of this URL is signed;
	// lubo signs its path only, without the query (decision in seeds/README.md).
	raw, _, err := c.postURL(ctx, "requestRelayUrl", sdkURL, nil)
	for polls := 0; ; polls++ {
		var te *Error
		if err != nil && !(errors.As(err, &te) && te.Code == CodeURLNotReady) {
			return Stream{}, fmt.Errorf("tplink: resolve %s: %w", where, err)
		}
		var ans relayAnswer
		if len(raw) > 0 && string(raw) != "null" {
			if derr := json.Unmarshal(raw, &ans); derr != nil {
				return Stream{}, fmt.Errorf("tplink: resolve %s: relay answer is not the documented JSON: %w", where, derr)
			}
		}
		if err == nil {
			return ans.stream(where)
		}
		// -80703: the device is not pushing yet; poll with the session.
		if ans.SessionID == "" || ans.Token == "" {
			return Stream{}, fmt.Errorf("tplink: resolve %s: relay not ready and the answer has no sessionId/token to poll with: %w", where, err)
		}
		now := c.cfg.Now()
		if !now.Before(deadline) {
			return Stream{}, fmt.Errorf("tplink: resolve %s: relay address still not ready after %s (%d polls, deadline PollTimeout %s): %w",
				where, now.Sub(start).Round(time.Millisecond), polls, c.cfg.PollTimeout, err)
		}
		pause := c.cfg.PollInterval
		if left := deadline.Sub(now); left < pause {
			pause = left
		}
		if serr := c.cfg.Sleep(ctx, pause); serr != nil {
			return Stream{}, fmt.Errorf("tplink: resolve %s: waiting for the relay address: %w", where, serr)
		}
		raw, err = c.post(ctx, "requestRelayUrlAgain", pathRequestRelayURLAgain, struct {
			SessionID string `json:"sessionId"`
			Token     string `json:"token"`
		}{ans.SessionID, ans.Token})
	}
}

func (r StreamRequest) check() error {
	if r.QRCode == "" && r.MAC == "" {
		return errors.New("neither qrCode nor mac given (one is required)")
	}
	if r.Channel < 1 || r.Channel > 65535 {
		return fmt.Errorf("channel %d out of range (accepted: 1-65535)", r.Channel)
	}
	switch r.StreamType {
	case StreamVideo, StreamPlayback, StreamTalk:
	default:
		return fmt.Errorf("stream type %q unknown (accepted: video, sdvod, dtspk)", r.StreamType)
	}
	if r.Resolution < ResolutionVGA || r.Resolution > ResolutionThird {
		return fmt.Errorf("resolution %d out of range (accepted: 0-3)", r.Resolution)
	}
	return nil
}

func describe(r StreamRequest) string {
	dev := r.QRCode
	if dev == "" {
		dev = r.MAC
	}
	return fmt.Sprintf("%s/%d %s", dev, r.Channel, r.StreamType)
}

// requestStreamURL calls §1.4.5.2 and returns the sdkStreamUrl, checked.
func (c *Client) requestStreamURL(ctx context.Context, r StreamRequest) (*url.URL, error) {
	const op = "requestStreamUrl"
	body := struct {
		QRCode     string `json:"qrCode,omitempty"`
		MAC        string `json:"mac,omitempty"`
		ChannelID  int    `json:"channelId"`
		ClientType string `json:"clientType"`
		StreamType string `json:"streamType"`
		Resolution *int   `json:"resolution,omitempty"`
	}{QRCode: r.QRCode, MAC: r.MAC, ChannelID: r.Channel, ClientType: c.cfg.ClientType, StreamType: r.StreamType}
	if r.StreamType == StreamVideo {
		body.Resolution = &r.Resolution
	}
	raw, err := c.post(ctx, op, pathRequestStreamURL, body)
	if err != nil {
		return nil, err
	}
	var res struct {
		SDKStreamURL string `json:"sdkStreamUrl"`
	}
	if err := decodeResult(op, raw, &res); err != nil {
		return nil, err
	}
	return parseSDKStreamURL(res.SDKStreamURL)
}

// parseSDKStreamURL accepts the sdkStreamUrl as the cloud prints it: the
// document's own example has an unescaped space in clientType.
func parseSDKStreamURL(s string) (*url.URL, error) {
	if s == "" {
		return nil, errors.New("requestStreamUrl: answer has no sdkStreamUrl")
	}
	u, err := url.Parse(strings.ReplaceAll(s, " ", "%20"))
	if err != nil {
		return nil, errors.New("requestStreamUrl: sdkStreamUrl does not parse as a URL")
	}
	if (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || u.User != nil {
		return nil, fmt.Errorf("requestStreamUrl: sdkStreamUrl %s is not an http(s) URL with a host", redactURL(u.String()))
	}
	return u, nil
}

func (a relayAnswer) stream(where string) (Stream, error) {
	if a.URL == "" {
		return Stream{}, fmt.Errorf("tplink: resolve %s: relay answer has no url", where)
	}
	u, err := url.Parse(a.URL)
	if err != nil || u.Scheme == "" || u.Host == "" {
		return Stream{}, fmt.Errorf("tplink: resolve %s: relay url is not an absolute URL", where)
	}
	return Stream{URL: a.URL, Cookie: Secret(a.Cookie), Token: Secret(a.Token), RelayVersion: a.RelayVersion, ClientUUID: a.ClientUUID}, nil
}

// RenewRelayCookie extends the relay cookie of s by maxAge (1 s to 1 h; 0
// leaves the cloud's default of 1800 s), §1.4.5.5, and sets s.Expires from the
// Set-Cookie Max-Age the cloud answers, or from the asked age.
func (c *Client) RenewRelayCookie(ctx context.Context, s *Stream, maxAge time.Duration) error {
	const op = "renewRelayCookie"
	if maxAge != 0 && (maxAge < time.Second || maxAge > time.Hour) {
		return fmt.Errorf("tplink: %s: maxAge %s out of range (accepted: 1s to 1h)", op, maxAge)
	}
	path, err := relayCookiePath(s.URL)
	if err != nil {
		return fmt.Errorf("tplink: %s: %w", op, err)
	}
	body := struct {
		Cookie string `json:"cookie"`
		Token  string `json:"token"`
		Path   string `json:"path"`
		MaxAge int    `json:"maxAge,omitempty"`
	}{s.Cookie.Reveal(), s.Token.Reveal(), path, int(maxAge / time.Second)}
	_, header, err := c.postURL(ctx, op, c.endpoint(pathRenewRelayCookie), body)
	if err != nil {
		return err
	}
	age := maxAge
	if age == 0 {
		age = 1800 * time.Second
	}
	resp := http.Response{Header: header}
	for _, ck := range resp.Cookies() {
		if ck.MaxAge > 0 {
			age = time.Duration(ck.MaxAge) * time.Second
		}
	}
	s.Expires = c.cfg.Now().Add(age)
	return nil
}

// relayCookiePath is the "/sdk/{relayReqId}" part of a relay url.
func relayCookiePath(raw string) (string, error) {
	u, err := url.Parse(raw)
	if err != nil {
		return "", errors.New("relay url does not parse")
	}
	parts := strings.Split(strings.TrimPrefix(u.Path, "/"), "/")
	if len(parts) < 2 || parts[0] != "sdk" || parts[1] == "" {
		return "", fmt.Errorf("relay url %s has no /sdk/{relayReqId} path", redactURL(raw))
	}
	return "/sdk/" + parts[1], nil
}
