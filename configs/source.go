package configs

import (
	"net/url"
	"strings"

	"github.com/lubo-edge/lubo/internal/redact"
	"github.com/lubo-edge/lubo/relay/sources"
)

// sourceSchemes is the one table of source schemes, shared with the relay.
var sourceSchemes = sources.Builtin()

// checkSource reports what is wrong with a channel's source URL. Messages
// show the URL redacted: it may hold a camera password.
func checkSource(ps *problems, path, raw string) {
	if msg := sourceSchemes.Check(raw); msg != "" {
		ps.add(path, "%s", msg)
	}
}

// checkPushURL accepts an RTMP ingest URL: rtmp:// with a host and an
// application path (lubo's RTMP client does not speak rtmps).
func checkPushURL(ps *problems, path, raw string) {
	u, err := url.Parse(raw)
	switch {
	case err != nil || u.Host == "":
		ps.add(path, "%q is not a URL; want rtmp://host[:port]/app/stream", redact.URL(raw))
	case u.Scheme != "rtmp":
		ps.add(path, "unsupported scheme %q; want rtmp (rtmps is not supported)", u.Scheme)
	case strings.Trim(u.Path, "/") == "":
		ps.add(path, "%q has no application path; want rtmp://host[:port]/app/stream", redact.URL(raw))
	}
}
