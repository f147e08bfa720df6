package rtmp

import (
	"errors"
	"fmt"
	"net"
	"net/url"
	"strings"
)

// defaultPort is the RTMP port when a URL names none.
const defaultPort = "1935"

// target is where an rtmp:// URL points.
type target struct {
	addr string // host:port to dial
	app  string // first path element
	name string // rest of the path, with the query kept (ingests put keys there)
}

// parseURL reads rtmp://host[:port]/app/name[?query].
func parseURL(raw string) (target, error) {
	u, err := url.Parse(raw)
	if err != nil {
		return target{}, fmt.Errorf("rtmp: bad URL: %w", err)
	}
	if !strings.EqualFold(u.Scheme, "rtmp") {
		return target{}, fmt.Errorf("rtmp: URL scheme %q is not supported; use rtmp://host[:port]/app/name", u.Scheme)
	}
	if u.User != nil {
		return target{}, errors.New("rtmp: credentials in an rtmp:// URL are not supported; put the key in the stream name or query")
	}
	if u.Hostname() == "" {
		return target{}, errors.New("rtmp: URL has no host; use rtmp://host[:port]/app/name")
	}
	port := u.Port()
	if port == "" {
		port = defaultPort
	}
	app, name, ok := strings.Cut(strings.Trim(u.Path, "/"), "/")
	if !ok || app == "" || strings.Trim(name, "/") == "" {
		return target{}, fmt.Errorf("rtmp: URL path %q must be /app/name", u.Path)
	}
	if u.RawQuery != "" {
		name += "?" + u.RawQuery
	}
	return target{addr: net.JoinHostPort(u.Hostname(), port), app: app, name: name}, nil
}

// gomediaURL is the URL in the form gomedia's client splits into tcUrl,
// app and stream name.
func (t target) gomediaURL() string {
	return "rtmp://" + t.addr + "/" + t.app + "/" + t.name
}

// streamKey is the name a stream has on the Server: "app/name" without a
// query string and without surrounding slashes.
func streamKey(app, name string) string {
	app, _, _ = strings.Cut(app, "?")
	name, _, _ = strings.Cut(name, "?")
	return cleanKey(app + "/" + name)
}

// cleanKey normalises a stream name given by a caller of the Server.
func cleanKey(name string) string {
	return strings.Trim(name, "/")
}
