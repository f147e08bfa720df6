package configs

import (
	"log/slog"
	"strings"
)

// redacted replaces secrets wherever they are shown.
const redacted = "******"

// Secret is a password, key or token. It prints, logs and marshals (JSON,
// YAML, text) as "******"; string(s) is the real value, for use on the wire.
type Secret string

// String returns "******".
func (Secret) String() string { return redacted }

// GoString returns "******" so %#v does not reveal the value either.
func (Secret) GoString() string { return `"` + redacted + `"` }

// LogValue returns "******" for log/slog.
func (Secret) LogValue() slog.Value { return slog.StringValue(redacted) }

// MarshalText returns "******", so encoders (JSON, YAML) never write the value.
func (Secret) MarshalText() ([]byte, error) { return []byte(redacted), nil }

// RedactURL returns raw with the password of its userinfo replaced by
// "******", and the values of query parameters whose names suggest a
// credential (token, key, secret, sign, auth, pass, pwd) as well. It works
// on the text, so a URL that does not parse is redacted too; anything
// before the last '@' after "//" counts as userinfo, which may over-redact
// but never leaks a password that contains '/', '?', '#' or '@'.
func RedactURL(raw string) string {
	head, rest, ok := strings.Cut(raw, "//")
	if !ok {
		return redactQuery(raw)
	}
	if at := strings.LastIndex(rest, "@"); at >= 0 {
		user, _, hasPass := strings.Cut(rest[:at], ":")
		if hasPass {
			rest = user + ":" + redacted + rest[at:]
		}
	}
	return head + "//" + redactQuery(rest)
}

// redactQuery redacts credential-like query values after the first '?'.
func redactQuery(s string) string {
	base, query, ok := strings.Cut(s, "?")
	if !ok {
		return s
	}
	query, fragment, hasFragment := strings.Cut(query, "#")
	pairs := strings.Split(query, "&")
	for i, p := range pairs {
		key, _, hasValue := strings.Cut(p, "=")
		if hasValue && isCredentialKey(key) {
			pairs[i] = key + "=" + redacted
		}
	}
	out := base + "?" + strings.Join(pairs, "&")
	if hasFragment {
		out += "#" + fragment
	}
	return out
}

func isCredentialKey(key string) bool {
	key = strings.ToLower(key)
	for _, w := range []string{"token", "key", "secret", "sign", "auth", "pass", "pwd"} {
		if strings.Contains(key, w) {
			return true
		}
	}
	return false
}
