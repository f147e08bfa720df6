package onenet

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// Protocol is the protocol_type of a play address (4.1).
type Protocol int

const (
	RTMP     Protocol = 0 // type://addr/live/{device}-{channel}?token
	HLS      Protocol = 1 // http://addr/live/live_{device}_{channel}/index.m3u8?token
	HTTPSHLS Protocol = 2 // the same over https
)

func (p Protocol) String() string {
	switch p {
	case RTMP:
		return "rtmp"
	case HLS:
		return "hls"
	case HTTPSHLS:
		return "https-hls"
	}
	return "protocol(" + strconv.Itoa(int(p)) + ")"
}

// PlayAddress is the answer of 4.1 for one channel. URL assembles the
// address the player uses; String and %v show it redacted.
type PlayAddress struct {
	Protocol  Protocol
	DeviceID  string
	ChannelID int
	Addr      string // "ip:port" of the media server
	Type      string // URL scheme of an RTMP address: "rtmp" or "rtmpe"
	Token     Secret // accessToken, appended after '?'
}

// URL returns the play address with its token, exactly as the document
// assembles it. Never log it; use String or Redact.
func (p PlayAddress) URL() string {
	switch p.Protocol {
	case RTMP:
		return fmt.Sprintf("%s://%s/live/%s-%d?%s", p.Type, p.Addr, p.DeviceID, p.ChannelID, string(p.Token))
	case HTTPSHLS:
		return fmt.Sprintf("https://%s/live/live_%s_%d/index.m3u8?%s", p.Addr, p.DeviceID, p.ChannelID, string(p.Token))
	default:
		return fmt.Sprintf("http://%s/live/live_%s_%d/index.m3u8?%s", p.Addr, p.DeviceID, p.ChannelID, string(p.Token))
	}
}

// String is the address with its token redacted.
func (p PlayAddress) String() string { return Redact(p.URL()) }

// maxTokenLen bounds a play token taken from an answer.
const maxTokenLen = 2048

// PlayAddress resolves where a channel plays (4.1).
func (c *Client) PlayAddress(ctx context.Context, deviceID string, channelID int, proto Protocol) (PlayAddress, error) {
	const op = "play_address"
	if err := checkID(op, "device_id", deviceID); err != nil {
		return PlayAddress{}, err
	}
	if err := checkChannelID(op, channelID); err != nil {
		return PlayAddress{}, err
	}
	if proto != RTMP && proto != HLS && proto != HTTPSHLS {
		return PlayAddress{}, fieldBad(op, "protocol_type", "is "+strconv.Itoa(int(proto)), "0 rtmp, 1 hls, 2 https-hls")
	}
	env, err := c.do(ctx, call{op: op, method: http.MethodGet, path: "/ipc/video/play_address", query: url.Values{
		"device_id": {deviceID}, "channel_id": {strconv.Itoa(channelID)}, "protocol_type": {strconv.Itoa(int(proto))}}})
	if err != nil {
		return PlayAddress{}, err
	}
	var data struct {
		Addr        string `json:"addr"`
		AccessToken string `json:"accessToken"`
		Type        string `json:"type"`
	}
	if err := decodeInto(op, env.Data, &data); err != nil {
		return PlayAddress{}, err
	}
	p := PlayAddress{Protocol: proto, DeviceID: deviceID, ChannelID: channelID, Addr: data.Addr, Type: strings.ToLower(data.Type), Token: Secret(data.AccessToken)}
	if reason := checkAnswerAddress(p); reason != "" {
		return PlayAddress{}, &ProtocolError{Op: op, HTTPStatus: 200, Reason: reason}
	}
	return p, nil
}

// checkAnswerAddress refuses answers that would assemble into something
// other than the documented address: an addr with a path or userinfo, a
// scheme other than rtmp(e), a token that could break out of the query.
func checkAnswerAddress(p PlayAddress) string {
	host := p.Addr
	if h, port, err := net.SplitHostPort(p.Addr); err == nil {
		if n, err := strconv.Atoi(port); err != nil || n < 1 || n > 65535 {
			return "addr has a bad port"
		}
		host = h
	}
	if host == "" || len(p.Addr) > 255 || strings.ContainsFunc(host, func(r rune) bool {
		return !(isASCIIAlnum(r) || r == '.' || r == '-' || r == ':' || r == '[' || r == ']')
	}) {
		return "addr is not host:port"
	}
	if p.Protocol == RTMP && p.Type != "rtmp" && p.Type != "rtmpe" {
		return "type is not rtmp or rtmpe"
	}
	if p.Token == "" || len(p.Token) > maxTokenLen {
		return "accessToken is empty or too long"
	}
	if strings.ContainsFunc(string(p.Token), func(r rune) bool { return r <= ' ' || r == '#' || r >= 0x7f }) {
		return "accessToken contains characters a URL cannot carry"
	}
	return ""
}

// PreloadHLS asks the HLS server to start pulling a channel so the first
// viewer does not wait (4.2). p must be an HLS address from PlayAddress;
// idle (at most 120 s, whole seconds) is how long the server keeps the
// stream without viewers.
func (c *Client) PreloadHLS(ctx context.Context, p PlayAddress, idle time.Duration) error {
	const op = "preload"
	if p.Protocol != HLS && p.Protocol != HTTPSHLS {
		return fieldBad(op, "address", "is "+p.Protocol.String(), "an HLS play address")
	}
	if reason := checkAnswerAddress(p); reason != "" {
		return fieldBad(op, "address", reason, "an address from PlayAddress")
	}
	if err := checkID(op, "device_id", p.DeviceID); err != nil {
		return err
	}
	if err := checkChannelID(op, p.ChannelID); err != nil {
		return err
	}
	secs := int(idle / time.Second)
	if idle%time.Second != 0 || secs < 1 || secs > MaxPreloadIdle {
		return fieldBad(op, "idle_time", "is "+idle.String(), "1-120 whole seconds")
	}
	scheme := "http"
	if p.Protocol == HTTPSHLS {
		scheme = "https"
	}
	base := &url.URL{Scheme: scheme, Host: p.Addr}
	_, err := c.do(ctx, call{op: op, method: http.MethodGet, base: base,
		path:  fmt.Sprintf("/live/live_%s_%d/preload", p.DeviceID, p.ChannelID),
		query: url.Values{"token": {string(p.Token)}, "idle_time": {strconv.Itoa(secs)}}})
	return err
}
