// Package redact is lubo's one way of hiding secrets in text it shows: the
// password of a URL's userinfo and credential-like query values, in a URL
// or anywhere inside a message (an error that quotes the URL it failed on).
package redact

import (
	"log/slog"
	"strings"
)

// Mask replaces a secret wherever it is shown.
const Mask = "******"

// URL returns raw with the password of its userinfo replaced by Mask, and
// the values of query parameters whose names suggest a credential (token,
// key, secret, sign, auth, pass, pwd, cookie, session, and the exact keys
// t, sig, st, ticket and code) as well. It works on
// the text, so a URL that does not parse is redacted too; anything before
// the last '@' after "//" counts as userinfo, which may over-redact but
// never leaks a password that contains '/', '?', '#' or '@'.
func URL(raw string) string {
	head, rest, ok := strings.Cut(raw, "//")
	if !ok {
		if at := strings.LastIndex(raw, "@"); at >= 0 && strings.Contains(raw[:at], ":") {
			return Mask + query(raw[at:]) // "user:pass@host" without a scheme
		}
		return query(raw)
	}
	if at := strings.LastIndex(rest, "@"); at >= 0 {
		user, _, hasPass := strings.Cut(rest[:at], ":")
		if hasPass {
			rest = user + ":" + Mask + rest[at:]
		}
	}
	return head + "//" + query(rest)
}

// query redacts credential-like query values after the first '?'.
func query(s string) string {
	base, q, ok := strings.Cut(s, "?")
	if !ok {
		return s
	}
	q, fragment, hasFragment := strings.Cut(q, "#")
	pairs := strings.Split(q, "&")
	for i, p := range pairs {
		key, _, hasValue := strings.Cut(p, "=")
		if hasValue && isCredentialKey(key) {
			pairs[i] = key + "=" + Mask
		}
	}
	out := base + "?" + strings.Join(pairs, "&")
	if hasFragment {
		out += "#" + fragment
	}
	return out
}

// exactKeys are short query keys that carry signatures in vendors' play
// addresses (Ezviz's t=, common sig= and st=), ticket and code values.
var exactKeys = map[string]bool{"t": true, "sig": true, "st": true, "ticket": true, "code": true}

func isCredentialKey(key string) bool {
	key = strings.ToLower(key)
	if exactKeys[key] {
		return true
	}
	for _, w := range []string{"token", "key", "secret", "sign", "auth", "pass", "pwd", "cookie", "session"} {
		if strings.Contains(key, w) {
			return true
		}
	}
	return false
}

// Text redacts every URL in s (a scheme, "://", up to the next space or
// quote), so an error from a library that quotes the address it failed on
// can be logged and shown.
func Text(s string) string {
	var b strings.Builder
	for {
		i := strings.Index(s, "://")
		if i < 0 {
			b.WriteString(s)
			return b.String()
		}
		start := i
		for start > 0 && isSchemeByte(s[start-1]) {
			start--
		}
		end := i + 3
		for end < len(s) && !isURLEnd(s[end]) {
			end++
		}
		// A password may hold a space: an '@' further on, before the
		// quote or line that ends the URL, still belongs to it.
		quote := i + 3
		for quote < len(s) && !isQuoteEnd(s[quote]) {
			quote++
		}
		if at := strings.LastIndexByte(s[end:quote], '@'); at >= 0 {
			end += at + 1
			for end < len(s) && !isURLEnd(s[end]) {
				end++
			}
		}
		b.WriteString(s[:start])
		b.WriteString(URL(s[start:end]))
		s = s[end:]
	}
}

func isSchemeByte(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '+' || c == '-' || c == '.'
}

func isURLEnd(c byte) bool {
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '"' || c == '\'' || c == '<' || c == '>' || c == '`'
}

func isQuoteEnd(c byte) bool {
	return c == '\n' || c == '\r' || c == '"' || c == '\'' || c == '<' || c == '>' || c == '`'
}

// ReplaceAttr is a slog.HandlerOptions.ReplaceAttr that passes every string
// and error value through Text, so no log line shows a URL's secrets
// whichever part of lubo or its libraries wrote it.
func ReplaceAttr(_ []string, a slog.Attr) slog.Attr {
	switch a.Value.Kind() {
	case slog.KindString:
		if s := a.Value.String(); strings.Contains(s, "://") {
			a.Value = slog.StringValue(Text(s))
		}
	case slog.KindAny:
		if err, ok := a.Value.Any().(error); ok {
			a.Value = slog.StringValue(Text(err.Error()))
		}
	}
	return a
}
