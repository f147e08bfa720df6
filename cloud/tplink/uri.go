package tplink

import (
	"context"
	"fmt"
	"net/url"
	"strconv"
	"strings"
)

// URIScheme is the scheme of a lubo channel source resolved through TUMS.
const URIScheme = "tplink"

// QRCodeLength is the length of a device code (the 17 characters after "TP*"
// on the label, §1.4.3.13).
const QRCodeLength = 17

// ParseURI reads a channel source "tplink://QRCODE/CHANNEL?stream=TYPE":
// QRCODE is the 17-character device code (letters and digits, any case,
// returned upper case), CHANNEL is 1-65535 (1 for an IPC bound directly, the
// NVR channel otherwise), and stream is "video" (live, the default when
// absent) or "sdvod" (playback). Nothing else is accepted.
func ParseURI(s string) (qrcode string, channel int, streamType string, err error) {
	u, perr := url.Parse(s)
	// The source is echoed in errors, but never a password in it.
	shown := s
	if perr != nil {
		shown = "(unparsable)"
	} else if u.User != nil {
		v := *u
		v.User = url.User("******")
		shown = v.String()
	}
	fail := func(format string, a ...any) (string, int, string, error) {
		return "", 0, "", fmt.Errorf("tplink source %.100q: "+format+" (accepted: tplink://QRCODE/CHANNEL?stream=video|sdvod)", append([]any{shown}, a...)...)
	}
	if perr != nil {
		return fail("not a URL")
	}
	if !strings.EqualFold(u.Scheme, URIScheme) {
		return fail("scheme %.20q is not tplink", u.Scheme)
	}
	if u.Opaque != "" || u.Host == "" {
		return fail("no device code after tplink://")
	}
	if u.User != nil {
		return fail("user info is not accepted")
	}
	if u.Fragment != "" {
		return fail("a #fragment is not accepted")
	}
	code := u.Host
	if len(code) != QRCodeLength || !isAlnum(code) {
		return fail("device code %.40q is not %d letters and digits", code, QRCodeLength)
	}
	path := strings.TrimPrefix(u.Path, "/")
	if path == "" {
		return fail("no channel number after the device code")
	}
	if strings.Contains(path, "/") {
		return fail("path %.40q has more than a channel number", u.Path)
	}
	if !isDigits(path) || len(path) > 5 {
		return fail("channel %.20q is not a number from 1 to 65535", path)
	}
	ch, _ := strconv.Atoi(path)
	if ch < 1 || ch > 65535 {
		return fail("channel %d is not a number from 1 to 65535", ch)
	}
	q, qerr := url.ParseQuery(u.RawQuery)
	if qerr != nil {
		return fail("query does not parse")
	}
	stream := StreamVideo
	for key, vals := range q {
		if key != "stream" {
			return fail("query parameter %.40q is unknown", key)
		}
		if len(vals) != 1 {
			return fail("stream is given %d times", len(vals))
		}
		stream = vals[0]
	}
	if stream != StreamVideo && stream != StreamPlayback {
		return fail("stream %.20q is not video or sdvod", stream)
	}
	return strings.ToUpper(code), ch, stream, nil
}

func isAlnum(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z') {
			return false
		}
	}
	return true
}

func isDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}

// ResolveURI resolves a "tplink://QRCODE/CHANNEL?stream=TYPE" source (see
// ParseURI) to a relay address with ResolveStream.
func (c *Client) ResolveURI(ctx context.Context, uri string) (Stream, error) {
	qr, ch, st, err := ParseURI(uri)
	if err != nil {
		return Stream{}, err
	}
	return c.ResolveStream(ctx, StreamRequest{QRCode: qr, Channel: ch, StreamType: st})
}
