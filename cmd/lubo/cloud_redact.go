package main

import (
	"net/url"
	"strings"

	"github.com/lubo-edge/lubo/internal/redact"
)

// harmlessQuery are query keys of vendor play addresses whose values say
// what is played, not who may play it; every other value is masked.
var harmlessQuery = map[string]bool{
	"type": true, "resolution": true, "channel": true, "streamtype": true,
	"quality": true, "begin": true, "end": true, "expire": true, "rec": true, "ev": true,
}

// maskAddress is a play address fit to print without -show-secrets: scheme,
// host, port and path stay so an installer can see where it points; the
// password, the fragment and every query value that may be a signature,
// session or token become "******". What does not parse is masked whole.
func maskAddress(raw string) string {
	u, err := url.Parse(raw)
	if err != nil || u.Opaque != "" || u.Host == "" {
		return redact.Mask
	}
	masked := false
	if u.User != nil {
		if _, ok := u.User.Password(); ok {
			u.User = url.UserPassword(u.User.Username(), redact.Mask)
			masked = true
		}
	}
	if u.Fragment != "" || u.RawFragment != "" {
		u.Fragment, u.RawFragment = redact.Mask, ""
	}
	if u.RawQuery != "" {
		parts := strings.Split(u.RawQuery, "&")
		for i, p := range parts {
			key, _, hasValue := strings.Cut(p, "=")
			name, err := url.QueryUnescape(key)
			switch {
			case err != nil || !hasValue:
				parts[i] = redact.Mask // a bare token, as OneNET appends it
			case !harmlessQuery[strings.ToLower(name)]:
				parts[i] = url.QueryEscape(name) + "=" + redact.Mask
			}
		}
		u.RawQuery = strings.Join(parts, "&")
	}
	out := u.String()
	if masked { // userinfo comes first: the first escaped mask is the password
		out = strings.Replace(out, url.QueryEscape(redact.Mask), redact.Mask, 1)
	}
	return out
}
