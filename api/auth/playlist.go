package auth

import (
	"bytes"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
)

// maxPlaylist is the largest playlist the guard rewrites; a bigger answer
// passes unchanged (a real lubo playlist is a few KiB).
const maxPlaylist = 1 << 20

// playlistWriter holds back an HLS playlist served on a ticket so the
// ticket can be added to the URIs in it (see the package doc).
type playlistWriter struct {
	http.ResponseWriter
	ticket      string
	status      int
	buf         bytes.Buffer
	passThrough bool
}

func (p *playlistWriter) WriteHeader(code int) {
	if p.status != 0 {
		return
	}
	p.status = code
	if code != http.StatusOK {
		p.passThrough = true
		p.ResponseWriter.WriteHeader(code)
	}
}

func (p *playlistWriter) Write(b []byte) (int, error) {
	if p.status == 0 {
		p.WriteHeader(http.StatusOK)
	}
	if p.passThrough {
		return p.ResponseWriter.Write(b)
	}
	if p.buf.Len()+len(b) > maxPlaylist {
		p.passThrough = true
		p.ResponseWriter.WriteHeader(p.status)
		if _, err := p.ResponseWriter.Write(p.buf.Bytes()); err != nil {
			return 0, err
		}
		p.buf.Reset()
		return p.ResponseWriter.Write(b)
	}
	return p.buf.Write(b)
}

// Flush is a no-op while the playlist is held back.
func (p *playlistWriter) Flush() {
	if p.passThrough {
		if f, ok := p.ResponseWriter.(http.Flusher); ok {
			f.Flush()
		}
	}
}

// Unwrap lets http.ResponseController reach the real writer (deadlines).
func (p *playlistWriter) Unwrap() http.ResponseWriter { return p.ResponseWriter }

// finish writes the held-back playlist with the ticket added.
func (p *playlistWriter) finish() {
	if p.passThrough || p.status == 0 {
		return
	}
	body := addTicket(p.buf.Bytes(), p.ticket)
	h := p.ResponseWriter.Header()
	h.Set("Content-Length", strconv.Itoa(len(body)))
	h.Set("Cache-Control", "no-store")
	p.ResponseWriter.WriteHeader(p.status)
	_, _ = p.ResponseWriter.Write(body) // the player went away: nothing to do
}

var uriAttr = regexp.MustCompile(`URI="([^"]*)"`)

// addTicket adds "ticket=T" to every relative URI of an M3U8 playlist:
// the URI lines and the URI="…" attributes of tags.
func addTicket(playlist []byte, ticket string) []byte {
	lines := strings.SplitAfter(string(playlist), "\n")
	var out strings.Builder
	out.Grow(len(playlist) + 64)
	for _, line := range lines {
		body := strings.TrimRight(line, "\r\n")
		end := line[len(body):]
		switch {
		case strings.TrimSpace(body) == "":
			out.WriteString(line)
		case strings.HasPrefix(body, "#"):
			out.WriteString(uriAttr.ReplaceAllStringFunc(body, func(m string) string {
				uri := m[len(`URI="`) : len(m)-1]
				return `URI="` + withTicket(uri, ticket) + `"`
			}))
			out.WriteString(end)
		default:
			out.WriteString(withTicket(body, ticket))
			out.WriteString(end)
		}
	}
	return []byte(out.String())
}

// withTicket adds the ticket to a relative URI; an absolute one (another
// host, a data: URI) is left alone so the ticket stays on the box.
func withTicket(uri, ticket string) string {
	u, err := url.Parse(strings.TrimSpace(uri))
	if err != nil || u.Scheme != "" || u.Host != "" || strings.HasPrefix(strings.TrimSpace(uri), "//") {
		return uri
	}
	base, frag, hasFrag := strings.Cut(uri, "#")
	sep := "?"
	if strings.Contains(base, "?") {
		sep = "&"
	}
	out := base + sep + "ticket=" + url.QueryEscape(ticket)
	if hasFrag {
		out += "#" + frag
	}
	return out
}
