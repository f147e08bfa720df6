// Package sources picks the relay.Source for a source URL by its scheme.
package sources

import (
	"fmt"
	"log/slog"
	"net/url"
	"strings"

	"github.com/lubo-edge/lubo/configs"
	"github.com/lubo-edge/lubo/internal/redact"
	"github.com/lubo-edge/lubo/relay"
	"github.com/lubo-edge/lubo/relay/flv"
	"github.com/lubo-edge/lubo/relay/mp4file"
	"github.com/lubo-edge/lubo/relay/rtmp"
	"github.com/lubo-edge/lubo/relay/rtsp"
)

// Options are the per-channel settings a source may need.
type Options struct {
	// Transport is the RTSP transport: tcp, udp or auto. Default tcp.
	Transport string
	// Logger receives the source's log lines. Default slog.Default().
	Logger *slog.Logger
}

// Open returns the source for raw: rtsp(s)://, rtmp://, http(s)://…flv or
// file: (a local MP4 played as a loop).
func Open(raw string, opts Options) (relay.Source, error) {
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	u, err := url.Parse(raw)
	if err != nil {
		// The parser's message quotes the URL, password included.
		return nil, fmt.Errorf("source %s: not a valid URL; percent-encode special characters in the user and password", redact.URL(raw))
	}
	switch strings.ToLower(u.Scheme) {
	case "rtsp", "rtsps":
		return rtsp.NewSource(raw, rtsp.SourceOptions{Transport: opts.Transport, Logger: opts.Logger}), nil
	case "rtmp":
		return rtmp.NewSource(raw), nil
	case "http", "https":
		return flv.NewSource(raw, flv.WithLogger(opts.Logger)), nil
	case "file":
		path, ok := configs.FilePath(raw)
		if !ok {
			return nil, fmt.Errorf("source %s: not a file path; want file:///abs/path.mp4 or file:relative/path.mp4", raw)
		}
		return mp4file.NewSource(path, mp4file.WithLogger(opts.Logger)), nil
	}
	return nil, fmt.Errorf("source %s: unsupported scheme %q; want rtsp, rtmp, http(s) (FLV) or file", redact.URL(raw), u.Scheme)
}
