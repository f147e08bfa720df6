package onenet

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync/atomic"
	"time"
)

// call is one API request as the operations describe it.
type call struct {
	op          string
	method      string
	base        *url.URL // default c.api; the HLS preload goes to the play address
	path        string
	query       url.Values
	body        *payload // nil: no body
	contentType string
	noKey       bool // register_de: the register code is the credential
	once        bool // not idempotent: resend only when it surely did not arrive
	storage     bool // object storage: errno 200 is success for upload/delete
	successCode int  // errno meaning success: 0, or 200 for storage upload/delete
}

// payload is a request body that can be sent again when it is replayable.
type payload struct {
	size       int64
	replayable bool
	open       func() (*exactReader, error)
}

func jsonPayload(v any) (*payload, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	return bytesPayload(b), nil
}

func bytesPayload(b []byte) *payload {
	return &payload{size: int64(len(b)), replayable: true, open: func() (*exactReader, error) {
		return &exactReader{r: bytes.NewReader(b), left: int64(len(b))}, nil
	}}
}

// readerPayload sends size bytes of r. A reader that can seek is rewound
// to where it stood for every attempt; any other is sent once.
func readerPayload(r io.Reader, size int64) (*payload, error) {
	s, ok := r.(io.Seeker)
	if !ok {
		used := false
		return &payload{size: size, open: func() (*exactReader, error) {
			if used {
				return nil, errors.New("body already sent once")
			}
			used = true
			return &exactReader{r: r, left: size}, nil
		}}, nil
	}
	start, err := s.Seek(0, io.SeekCurrent)
	if err != nil {
		return nil, fmt.Errorf("body: %w", err)
	}
	return &payload{size: size, replayable: true, open: func() (*exactReader, error) {
		if _, err := s.Seek(start, io.SeekStart); err != nil {
			return nil, fmt.Errorf("body: rewind: %w", err)
		}
		return &exactReader{r: r, left: size}, nil
	}}, nil
}

// errBodySize is a body that did not hold exactly the size the caller gave.
var errBodySize = errors.New("body length differs from the size given")

// exactReader yields exactly left bytes of r and fails (remembering it) if
// r has fewer or more, so a file that changed while sending is not taken
// for a complete upload. The last bytes are held back until r is known to
// end there: a longer body never reaches the platform complete.
type exactReader struct {
	r        io.Reader
	left     int64
	done     bool
	mismatch atomic.Bool // set by the transport's writer goroutine, read by do
}

func (e *exactReader) Read(p []byte) (int, error) {
	if e.done || e.left <= 0 && e.probeEnd() {
		e.done = true
		return 0, io.EOF
	}
	if e.mismatch.Load() {
		return 0, errBodySize
	}
	if int64(len(p)) > e.left {
		p = p[:e.left]
	}
	n, err := e.r.Read(p)
	e.left -= int64(n)
	if e.left == 0 {
		if !e.probeEnd() {
			return 0, errBodySize // withhold the last bytes
		}
		e.done = true
		return n, nil
	}
	if err == io.EOF {
		e.mismatch.Store(true)
		return n, errBodySize
	}
	return n, err
}

// probeEnd reads one byte past the expected end: true when there is none.
func (e *exactReader) probeEnd() bool {
	var one [1]byte
	for range 3 { // a reader may return 0, nil; give it a few chances
		n, err := e.r.Read(one[:])
		if n > 0 {
			e.mismatch.Store(true)
			return false
		}
		if err != nil {
			return true // EOF, or a failure past the size: the bytes are all there
		}
	}
	return true
}

// envelope is the common shape of every JSON answer.
type envelope struct {
	Errno  *flexInt        `json:"errno"`
	Error  string          `json:"error"`
	Data   json.RawMessage `json:"data"`
	Result json.RawMessage `json:"result"`
}

// do runs cl with retries and returns the decoded envelope of a successful
// answer.
func (c *Client) do(ctx context.Context, cl call) (*envelope, error) {
	timeout := c.timeout
	if cl.body != nil && cl.body.size > 0 && cl.method == http.MethodPut {
		timeout = c.uploadTimeout
	}
	attempts := c.attempts
	if cl.body != nil && !cl.body.replayable {
		attempts = 1
	}
	var err error
	for attempt := 1; ; attempt++ {
		var env *envelope
		env, err = c.once(ctx, cl, timeout)
		if err == nil {
			return env, nil
		}
		if attempt >= attempts || !retryNow(err, cl.once) || ctx.Err() != nil {
			return nil, err
		}
		pause := c.backoff(attempt)
		c.log.Warn("onenet: retrying", "op", cl.op, "attempt", attempt, "pause", pause, "err", err)
		t := time.NewTimer(pause)
		select {
		case <-ctx.Done():
			t.Stop()
			return nil, err
		case <-t.C:
		}
	}
}

// retryNow says whether to send again at once: transport failures and
// server errors (HTTP 5xx, object-storage errno 5xx). An unreadable answer
// or a 429 is left to the caller's later retry. A call that must not run
// twice is resent only when the connection was never made.
func retryNow(err error, once bool) bool {
	var e *Error
	if errors.As(err, &e) {
		return e.HTTPStatus >= 500 || e.storage && e.Errno >= 500 && e.Errno <= 599
	}
	var te *TransportError
	if !errors.As(err, &te) {
		return false
	}
	if !once {
		return true
	}
	var op *net.OpError
	return errors.As(err, &op) && op.Op == "dial"
}

// backoff is the pause after the given failed attempt: exponential from
// BackoffBase, capped at BackoffMax, with "equal jitter" (half fixed, half
// random) so many boxes coming back online do not call in step.
func (c *Client) backoff(attempt int) time.Duration {
	d := c.backoffBase
	for i := 1; i < attempt && d < c.backoffMax; i++ {
		d *= 2
	}
	d = min(d, c.backoffMax)
	half := d / 2
	return half + rand.N(half+1)
}

// once sends one attempt.
func (c *Client) once(ctx context.Context, cl call, timeout time.Duration) (*envelope, error) {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()

	req, body, err := c.newRequest(ctx, cl)
	if err != nil {
		return nil, err
	}
	start := time.Now()
	resp, err := c.http.Do(req)
	if body != nil && body.mismatch.Load() {
		if resp != nil {
			resp.Body.Close()
		}
		return nil, &FieldError{Op: cl.op, Field: "body", Reject: "changed length while being sent", Rule: "exactly the size given"}
	}
	if err != nil {
		return nil, &TransportError{Op: cl.op, Err: stripURL(err)}
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(resp.Body, MaxAnswerBytes+1))
	if err != nil {
		return nil, &TransportError{Op: cl.op, Err: fmt.Errorf("reading answer: %w", err)}
	}
	env, err := c.judge(cl, resp.StatusCode, raw)
	c.log.Debug("onenet: call", "op", cl.op, "status", resp.StatusCode, "took", time.Since(start), "ok", err == nil)
	return env, err
}

func (c *Client) newRequest(ctx context.Context, cl call) (*http.Request, *exactReader, error) {
	base := cl.base
	if base == nil {
		base = c.api
	}
	u := *base
	u.Path = base.Path + cl.path
	u.RawPath = ""
	u.RawQuery = cl.query.Encode()
	var (
		body   *exactReader
		reader io.Reader
	)
	if cl.body != nil {
		var err error
		if body, err = cl.body.open(); err != nil {
			return nil, nil, fmt.Errorf("onenet: %s: %w", cl.op, err)
		}
		reader = body
		if cl.body.size == 0 {
			reader = http.NoBody
		}
	}
	req, err := http.NewRequestWithContext(ctx, cl.method, u.String(), reader)
	if err != nil {
		return nil, nil, fmt.Errorf("onenet: %s: %w", cl.op, stripURL(err))
	}
	if cl.body != nil {
		req.ContentLength = cl.body.size
		if cl.contentType != "" {
			req.Header.Set("Content-Type", cl.contentType)
		}
	}
	if !cl.noKey && c.key != "" {
		req.Header.Set("api-key", string(c.key))
	}
	req.Header.Set("Accept", "application/json")
	return req, body, nil
}

// judge turns an answer into an envelope or an error.
func (c *Client) judge(cl call, status int, raw []byte) (*envelope, error) {
	if len(raw) > MaxAnswerBytes {
		return nil, &ProtocolError{Op: cl.op, HTTPStatus: status, Reason: fmt.Sprintf("longer than %d bytes", MaxAnswerBytes)}
	}
	var env envelope
	decodeErr := json.Unmarshal(raw, &env)
	if decodeErr == nil && env.Errno == nil {
		decodeErr = errors.New("no errno")
	}
	if status >= 400 {
		e := &Error{Op: cl.op, HTTPStatus: status, storage: cl.storage}
		if decodeErr == nil {
			e.Errno, e.Msg = int(*env.Errno), c.clean(env.Error)
		} else {
			e.Msg = http.StatusText(status)
		}
		return nil, e
	}
	if decodeErr != nil {
		return nil, &ProtocolError{Op: cl.op, HTTPStatus: status, Reason: describeDecodeError(decodeErr)}
	}
	if status < 200 || status > 299 {
		return nil, &ProtocolError{Op: cl.op, HTTPStatus: status, Reason: "unexpected HTTP status"}
	}
	if int(*env.Errno) != cl.successCode {
		return nil, &Error{Op: cl.op, Errno: int(*env.Errno), Msg: c.clean(env.Error), HTTPStatus: status, storage: cl.storage}
	}
	return &env, nil
}

// clean bounds the platform's message and removes the key should the
// platform echo it.
func (c *Client) clean(msg string) string {
	if c.key != "" {
		msg = strings.ReplaceAll(msg, string(c.key), redacted)
	}
	msg = strings.ToValidUTF8(msg, "?")
	if len(msg) > 200 {
		msg = strings.ToValidUTF8(msg[:200], "") + "…"
	}
	return msg
}

// describeDecodeError keeps a decoding error short and free of the answer's
// content.
func describeDecodeError(err error) string {
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.As(err, &syn):
		return fmt.Sprintf("not JSON (offset %d)", syn.Offset)
	case errors.As(err, &typ):
		return fmt.Sprintf("field %q is a JSON %s", typ.Field, typ.Value)
	}
	// A field's own decoder failed; its message is ours and carries no
	// content of the answer (decode.go).
	s := err.Error()
	if len(s) > 120 {
		s = s[:120]
	}
	return s
}

// stripURL removes the request URL from a transport error: the HLS preload
// URL carries the play token, and the rest only repeats what Op says.
func stripURL(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		return fmt.Errorf("%s: %w", ue.Op, ue.Err)
	}
	return err
}
