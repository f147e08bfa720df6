package ezviz

import (
	"net/url"
	"strings"
)

// keptQueryKeys are query parameters of Ezviz addresses that grant nothing and
// help reading logs. Every other value (t= signature, tokens, unknown keys) is hidden.
var keptQueryKeys = map[string]bool{"begin": true, "end": true, "expire": true, "rec": true, "ev": true}

// Redact returns a stream address fit for logs: scheme, host, port and path
// stay; a password in the user info, the fragment and every query value except
// begin, end, expire, rec and ev become "******". Something that does not parse
// as a URL becomes "******" as a whole.
func Redact(raw string) string {
	u, err := url.Parse(raw)
	if err != nil || u.Scheme == "" || u.Opaque != "" {
		return redacted
	}
	hidePassword := false
	if u.User != nil {
		if _, has := u.User.Password(); has {
			u.User = url.UserPassword(u.User.Username(), "pwmark") // url would escape the stars
			hidePassword = true
		}
	}
	if u.Fragment != "" {
		u.Fragment, u.RawFragment = redacted, ""
	}
	if u.RawQuery != "" {
		parts := strings.Split(u.RawQuery, "&")
		for i, p := range parts {
			key, _, hasValue := strings.Cut(p, "=")
			name, err := url.QueryUnescape(key)
			switch {
			case err == nil && keptQueryKeys[strings.ToLower(name)]:
			case err == nil && hasValue:
				parts[i] = key + "=" + redacted
			default: // a bare or broken key may itself be the token
				parts[i] = redacted
			}
		}
		u.RawQuery = strings.Join(parts, "&")
	}
	out := u.String()
	if hidePassword {
		out = strings.Replace(out, ":pwmark@", ":"+redacted+"@", 1)
	}
	return out
}
