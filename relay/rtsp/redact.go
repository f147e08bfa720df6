package rtsp

import (
	"errors"
	"strings"

	"github.com/lubo-edge/lubo/internal/redact"
)

// ErrAuthFailed is wrapped by source errors when the server refused the
// credentials (or asked for some and the URL had none).
var ErrAuthFailed = errors.New("authentication failed")

// ErrStalled is wrapped by source errors when the camera stayed connected
// but sent no media for the read timeout.
var ErrStalled = errors.New("no media")

// sourceError is what a Source returns: the redacted address, the step that
// failed and the cause, with any copy of the password masked.
type sourceError struct {
	url  string // redacted
	op   string
	err  error
	pass string // to mask in the cause's text; never printed
}

func (e *sourceError) Error() string {
	msg := redact.Text(e.err.Error())
	if e.pass != "" {
		msg = strings.ReplaceAll(msg, e.pass, redact.Mask)
	}
	return "rtsp " + e.url + ": " + e.op + ": " + msg
}

func (e *sourceError) Unwrap() error { return e.err }
