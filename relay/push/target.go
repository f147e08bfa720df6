package push

import (
	"fmt"
	"net/url"
	"sort"
	"strings"

	"github.com/lubo-edge/lubo/internal/redact"
)

// maxURLLen bounds an ingest URL taken from the API.
const maxURLLen = 2048

// URLError says why an ingest URL was refused. Its message shows the URL
// redacted.
type URLError struct {
	URL    string // redacted
	Reason string
}

func (e *URLError) Error() string {
	return fmt.Sprintf("push URL %q: %s; want rtmp://host[:port]/app/stream[?query]", e.URL, e.Reason)
}

// target is one ingest address and the ways to show it without its key.
type target struct {
	raw     string   // the URL as given: sent to the ingest, never shown
	display string   // Redact(raw)
	secrets []string // substrings of raw that must not be shown, longest first
}

// parseTarget accepts rtmp://host[:port]/app/stream[?query]: the form the
// relay/rtmp pusher dials. rtmps:// (which lubo's configs accept) is refused
// here with a reason, as is a URL with userinfo: RTMP has no place for it.
func parseTarget(raw string) (target, error) {
	raw = strings.TrimSpace(raw)
	fail := func(reason string) (target, error) {
		return target{}, &URLError{URL: Redact(raw), Reason: reason}
	}
	if raw == "" {
		return fail("empty")
	}
	if len(raw) > maxURLLen {
		return fail(fmt.Sprintf("longer than %d bytes", maxURLLen))
	}
	u, err := url.Parse(raw)
	switch {
	case err != nil:
		return fail("not a URL")
	case strings.EqualFold(u.Scheme, "rtmps"):
		return fail("rtmps (RTMP over TLS) is not supported by lubo's pusher yet")
	case !strings.EqualFold(u.Scheme, "rtmp"):
		return fail(fmt.Sprintf("scheme %q is not rtmp", u.Scheme))
	case u.User != nil:
		return fail("userinfo is not supported; put the key in the stream name or the query")
	case u.Hostname() == "":
		return fail("no host")
	case u.Fragment != "":
		return fail("a #fragment is not sent over RTMP")
	}
	app, name, _ := strings.Cut(strings.Trim(u.Path, "/"), "/")
	if app == "" || strings.Trim(name, "/") == "" {
		return fail("no /app/stream path")
	}
	// The key as written and as decoded, alone and with the query.
	rawApp, rawName, _ := strings.Cut(strings.Trim(u.EscapedPath(), "/"), "/")
	secrets := []string{raw, name, rawName}
	if u.RawQuery != "" {
		secrets = append(secrets, rawName+"?"+u.RawQuery, name+"?"+u.RawQuery, u.RawQuery)
		if q, err := url.QueryUnescape(u.RawQuery); err == nil {
			secrets = append(secrets, q)
		}
	}
	sort.Slice(secrets, func(i, j int) bool { return len(secrets[i]) > len(secrets[j]) })
	// Shown from the parsed parts: Redact, working on text, would take an
	// '@' in the path for the end of a userinfo and mask the host too.
	display := strings.ToValidUTF8("rtmp://"+u.Host+"/"+rawApp+"/"+redact.Mask, "\uFFFD")
	return target{raw: raw, display: display, secrets: secrets}, nil
}

// scrub makes text about this target fit to show: every URL in it redacted,
// and the stream key and query removed wherever they appear (an error may
// quote the stream name on its own).
func (t target) scrub(s string) string {
	s = redact.Text(s)
	for _, secret := range t.secrets {
		if secret != "" {
			s = strings.ReplaceAll(s, secret, redact.Mask)
		}
	}
	return s
}

// Redact shows an ingest URL without its secrets: the userinfo, the stream
// name (the key, on most ingests) and the query are replaced by
// redact.Mask, leaving scheme, host, port and application, as in
// rtmp://ingest:1935/live/******. It works on the text, so a URL that does
// not parse is redacted too.
func Redact(raw string) string {
	return strings.ToValidUTF8(redactText(strings.TrimSpace(raw)), "\uFFFD")
}

func redactText(raw string) string {
	scheme, rest, ok := strings.Cut(raw, "://")
	if !ok {
		if raw == "" {
			return ""
		}
		return redact.Mask
	}
	// The authority ends at the first '/', '?' or '#' after the last '@'
	// (a password may hold any of them).
	at := strings.LastIndex(rest, "@")
	if at >= 0 {
		rest = rest[at+1:]
	}
	end := strings.IndexAny(rest, "/?#")
	if end < 0 {
		end = len(rest)
	}
	out := scheme + "://"
	if at >= 0 {
		out += redact.Mask + "@"
	}
	out += rest[:end]
	tail := rest[end:]
	if tail == "" {
		return out
	}
	// Keep the application: the first path element when another follows
	// (alone, it may be a key put where the application belongs).
	if strings.HasPrefix(tail, "/") {
		app := tail[1:]
		if i := strings.IndexAny(app, "/?#"); i >= 0 && app[i] == '/' {
			out += "/" + app[:i]
			tail = app[i:]
		}
	}
	if strings.Trim(tail, "/") != "" {
		out += "/" + redact.Mask
	}
	return out
}

// String is the redacted form: a target is never printed with its key.
func (t target) String() string { return t.display }

// GoString is String, for %#v.
func (t target) GoString() string { return t.display }

// CheckURL says what is wrong with an ingest URL, as Start would refuse it
// (a *URLError, which shows the URL redacted); nil when it can be pushed to.
func CheckURL(raw string) error {
	_, err := parseTarget(raw)
	return err
}
