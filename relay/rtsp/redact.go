package rtsp

import (
	"errors"
	"net/url"
	"strings"
)

// mask replaces a password wherever lubo shows a source address.
const mask = "******"

// ErrAuthFailed is wrapped by source errors when the server refused the
// credentials (or asked for some and the URL had none).
var ErrAuthFailed = errors.New("authentication failed")

// redactURL gives raw with its password replaced by ******, for logs and
// errors. An address that does not parse is reduced to what precedes the
// userinfo, so a password never leaks through a typo either.
func redactURL(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		scheme, rest, ok := strings.Cut(raw, "://")
		if !ok {
			return "(invalid URL)"
		}
		if at := strings.LastIndexByte(rest, '@'); at >= 0 {
			rest = rest[at+1:]
		}
		return scheme + "://" + rest
	}
	if u.User == nil {
		if at := strings.LastIndexByte(raw, '@'); at >= 0 && u.Host == "" {
			return mask + "@" + raw[at+1:] // "user:pass@host" without a scheme
		}
		return u.String()
	}
	user := u.User.Username()
	_, hasPass := u.User.Password()
	u.User = nil
	s := u.String()
	scheme, rest, _ := strings.Cut(s, "://")
	info := url.User(user).String()
	if hasPass {
		info += ":" + mask
	}
	return scheme + "://" + info + "@" + rest
}

// sourceError is what a Source returns: the redacted address, the step that
// failed and the cause, with any copy of the password masked.
type sourceError struct {
	url  string // redacted
	op   string
	err  error
	pass string // to mask in the cause's text; never printed
}

func (e *sourceError) Error() string {
	msg := e.err.Error()
	if e.pass != "" {
		msg = strings.ReplaceAll(msg, e.pass, mask)
	}
	return "rtsp " + e.url + ": " + e.op + ": " + msg
}

func (e *sourceError) Unwrap() error { return e.err }
