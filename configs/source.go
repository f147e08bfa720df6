package configs

import (
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"strings"

	"github.com/lubo-edge/lubo/internal/redact"
)

const wantSchemes = "want rtsp, rtmp, http(s) (FLV) or file"

// checkSource reports what is wrong with a channel's source URL. Messages
// show the URL redacted: it may hold a camera password.
func checkSource(ps *problems, path, raw string) {
	shown := redact.URL(raw)
	u, err := url.Parse(raw)
	if err != nil {
		msg := fmt.Sprintf("%q is not a valid URL", shown)
		var ue *url.Error
		switch {
		case strings.Contains(raw, "@"):
			// The parser's reason may quote part of the password.
			msg += "; percent-encode special characters in the user and password (@ as %40, : as %3A, / as %2F, # as %23, ? as %3F)"
		case errors.As(err, &ue):
			msg += ": " + ue.Err.Error()
		}
		ps.add(path, "%s", msg)
		return
	}
	if p := u.Port(); p != "" {
		if n, err := strconv.Atoi(p); err != nil || n < 1 || n > 65535 {
			ps.add(path, "%q has port %s; want a port from 1 to 65535", shown, p)
			return
		}
	}
	switch u.Scheme {
	case "rtsp", "rtsps", "rtmp":
		if u.Host == "" {
			ps.add(path, "%q has no host; want %s://HOST[:PORT]/PATH", shown, u.Scheme)
		}
	case "http", "https":
		if u.Host == "" {
			ps.add(path, "%q has no host; want %s://HOST[:PORT]/PATH.flv", shown, u.Scheme)
		} else if strings.HasSuffix(strings.ToLower(u.Path), ".m3u8") {
			ps.add(path, "%q is an HLS playlist; HTTP sources must be HTTP-FLV", shown)
		}
	case "file":
		if u.Host != "" && u.Host != "localhost" {
			ps.add(path, "%q names host %q; want file:///abs/path.mp4 or file:relative/path.mp4", shown, u.Host)
		} else if p, _ := FilePath(raw); p == "" {
			ps.add(path, "%q has no file path; want file:///abs/path.mp4 or file:relative/path.mp4", shown)
		}
	case "":
		ps.add(path, "%q has no scheme; %s", shown, wantSchemes)
	default:
		ps.add(path, "unsupported scheme %q; %s", u.Scheme, wantSchemes)
	}
}

// FilePath returns the local path of a file: source (file:///abs/x.mp4 or
// file:relative/x.mp4, relative to the working directory) and true, or ""
// and false when source is not a file URL.
func FilePath(source string) (string, bool) {
	u, err := url.Parse(source)
	if err != nil || u.Scheme != "file" {
		return "", false
	}
	if u.Opaque != "" {
		p, err := url.PathUnescape(u.Opaque)
		if err != nil {
			return "", false
		}
		return p, true
	}
	return u.Path, true
}
