package onenet

import (
	"fmt"
	"io"
	"log/slog"
	"strings"
)

// redacted replaces a secret wherever it would be shown.
const redacted = "******"

// Secret is an api-key, device key or play token. Every way of printing it
// (fmt verbs, slog, text and JSON marshalling) shows "******"; string(s) is
// the real value, used only on the wire.
type Secret string

// String returns "******".
func (Secret) String() string { return redacted }

// GoString returns "******" for %#v.
func (Secret) GoString() string { return `"` + redacted + `"` }

// Format makes every fmt verb (%d and %x included) print "******".
func (Secret) Format(f fmt.State, _ rune) { _, _ = io.WriteString(f, redacted) }

// LogValue returns "******" for log/slog.
func (Secret) LogValue() slog.Value { return slog.StringValue(redacted) }

// MarshalText returns "******", so encoders never write the value.
func (Secret) MarshalText() ([]byte, error) { return []byte(redacted), nil }

// Redact returns a play address fit for logs: the query (the play token
// follows '?') and any fragment become "******", and userinfo before '@' in
// the authority is masked too. It works on the text, so an address that
// does not parse is redacted as well.
func Redact(addr string) string {
	base, _, hadQuery := strings.Cut(addr, "?")
	base, _, hadFragment := strings.Cut(base, "#")
	if scheme, rest, ok := strings.Cut(base, "://"); ok {
		authority, path, hasPath := strings.Cut(rest, "/")
		if at := strings.LastIndexByte(authority, '@'); at >= 0 {
			authority = redacted + authority[at:]
		}
		base = scheme + "://" + authority
		if hasPath {
			base += "/" + path
		}
	} else if at := strings.LastIndexByte(base, '@'); at >= 0 {
		base = redacted + base[at:]
	}
	if hadQuery || hadFragment {
		base += "?" + redacted
	}
	return base
}
