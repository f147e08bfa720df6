package onenet

import (
	"context"
	"errors"
	"fmt"
	"net/http"
)

// Documented errno values of the channel calls (2.3, 2.4).
const (
	// ErrnoChannelExists answers AddChannel for a channel that already exists:
	// "The channel already exists,cannot add again!".
	ErrnoChannelExists = 16
	// ErrnoChannelNotFound answers ModifyChannel (and, on the emulator,
	// DelChannel) for a channel the device does not have: "This channel is
	// not available under this device!".
	ErrnoChannelNotFound = 17
)

// Sentinels for conditions a caller acts on; match them with errors.Is.
var (
	// ErrChannelExists: AddChannel of a channel the device already has (errno 16).
	ErrChannelExists = errors.New("onenet: the channel already exists")
	// ErrChannelNotFound: the device has no such channel (errno 17).
	ErrChannelNotFound = errors.New("onenet: the channel is not available under this device")
	// ErrDuplicateName: an upload was refused and the platform already holds
	// an object of that name. An at-least-once uploader that retries after a
	// lost answer may count this as success.
	ErrDuplicateName = errors.New("onenet: an object of this name already exists")
	// ErrFileTooLarge: an object-storage upload over MaxFileSize, refused
	// before sending.
	ErrFileTooLarge = errors.New("onenet: file larger than 8 MiB")
)

// Error is a refusal by the platform: a non-success errno, or an HTTP status
// of 400 or more (Errno is then the body's errno if it had one, else 0).
type Error struct {
	Op         string // the call, e.g. "AddChannel"
	Errno      int    // errno of the answer
	Msg        string // the answer's "error" text
	HTTPStatus int    // HTTP status of the answer
	storage    bool   // an object-storage call, whose errno are HTTP-like
}

func (e *Error) Error() string {
	s := fmt.Sprintf("onenet: %s: errno %d", e.Op, e.Errno)
	if e.HTTPStatus != http.StatusOK && e.HTTPStatus != 0 {
		s += fmt.Sprintf(" (HTTP %d)", e.HTTPStatus)
	}
	if e.Msg != "" {
		s += ": " + e.Msg
	}
	return s
}

// Is makes errno 16 and 17 match ErrChannelExists and ErrChannelNotFound.
// The document prints them for the channel calls; the video API has one
// errno table, so they mean the same from the other calls that name a
// channel (play_address, pictures, recording). Object storage has its own
// codes and never matches.
func (e *Error) Is(target error) bool {
	if e.storage {
		return false
	}
	switch target {
	case ErrChannelExists:
		return e.Errno == ErrnoChannelExists
	case ErrChannelNotFound:
		return e.Errno == ErrnoChannelNotFound
	}
	return false
}

// retryable says whether the same request may succeed later: server-side
// trouble (HTTP 5xx, 429, object-storage errno 5xx), never a refusal.
func (e *Error) retryable() bool {
	if e.HTTPStatus >= 500 || e.HTTPStatus == http.StatusTooManyRequests {
		return true
	}
	return e.storage && e.Errno >= 500 && e.Errno <= 599
}

// FieldError is a value refused locally, before anything was sent, because
// it breaks a limit of the document.
type FieldError struct {
	Op     string // the call
	Field  string // the parameter, as the document names it
	Len    int    // its length (characters, bytes or items; see Rule)
	Limit  int    // the documented limit, or 0 when the rule is not a length
	Rule   string // what is accepted
	Reject string // what was wrong when it is not the length
}

func (e *FieldError) Error() string {
	if e.Reject != "" {
		return fmt.Sprintf("onenet: %s: %s %s; accepted: %s", e.Op, e.Field, e.Reject, e.Rule)
	}
	return fmt.Sprintf("onenet: %s: %s is %d long, limit %d (%s)", e.Op, e.Field, e.Len, e.Limit, e.Rule)
}

// TransportError is a request that got no usable answer: the connection
// failed, timed out, or was cut. The request may or may not have reached
// the platform.
type TransportError struct {
	Op  string
	Err error
}

func (e *TransportError) Error() string { return fmt.Sprintf("onenet: %s: %v", e.Op, e.Err) }
func (e *TransportError) Unwrap() error { return e.Err }

// ProtocolError is an answer that could not be understood (not JSON, no
// errno, a field of the wrong shape). Treated as temporary: the outcome of
// the request is unknown.
type ProtocolError struct {
	Op         string
	HTTPStatus int
	Reason     string
}

func (e *ProtocolError) Error() string {
	return fmt.Sprintf("onenet: %s: unreadable answer (HTTP %d): %s", e.Op, e.HTTPStatus, e.Reason)
}

// duplicateError is an upload refusal explained by an existing object of
// the same name.
type duplicateError struct {
	op, name string
	refusal  error
}

func (e *duplicateError) Error() string {
	return fmt.Sprintf("onenet: %s: name %q already exists (%v)", e.op, e.name, e.refusal)
}
func (e *duplicateError) Is(target error) bool { return target == ErrDuplicateName }
func (e *duplicateError) Unwrap() error        { return e.refusal }

// Retryable reports whether err is worth retrying later: transport errors,
// timeouts and cancellations, HTTP 5xx and 429, object-storage errno 5xx and
// unreadable answers. It is false for nil, for ErrDuplicateName (the object
// is already there), for local validation errors and for every other refusal.
func Retryable(err error) bool {
	if err == nil || errors.Is(err, ErrDuplicateName) {
		return false
	}
	var (
		te *TransportError
		pe *ProtocolError
		fe *FieldError
		e  *Error
	)
	switch {
	case errors.As(err, &fe), errors.Is(err, ErrFileTooLarge):
		return false
	case errors.As(err, &te), errors.As(err, &pe):
		return true
	case errors.As(err, &e):
		return e.retryable()
	case errors.Is(err, context.DeadlineExceeded), errors.Is(err, context.Canceled):
		return true
	}
	return false
}
