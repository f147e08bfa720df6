package tplink

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"
)

// Client talks to the TUMS open API. It is safe for concurrent use.
type Client struct {
	cfg  Config
	base *url.URL

	mu       sync.Mutex
	temp     *tempCredential // cached temporary AK/SK, nil when none
	fetching chan struct{}   // closed when the running temp AK/SK fetch ends
}

// New checks cfg and returns a client. It does not touch the network.
func New(cfg Config) (*Client, error) {
	cfg, err := cfg.withDefaults()
	if err != nil {
		return nil, err
	}
	base, err := url.Parse(strings.TrimRight(cfg.API, "/"))
	if err != nil {
		return nil, fmt.Errorf("tplink: api: %w", err)
	}
	return &Client{cfg: cfg, base: base}, nil
}

// TerminalID is the TerminalId this client signs with.
func (c *Client) TerminalID() string { return c.cfg.TerminalID }

// String names the client without any secret.
func (c *Client) String() string {
	return fmt.Sprintf("tplink.Client{api=%s ak=%s terminal=%s}", c.base.Redacted(), c.cfg.AccessKey, c.cfg.TerminalID)
}

// GoString is String, so %#v shows no secret either.
func (c *Client) GoString() string { return c.String() }

// envelope is every answer's shape (§1.3.3).
type envelope struct {
	ErrorCode flexInt         `json:"error_code"`
	Msg       string          `json:"msg"`
	Result    json.RawMessage `json:"result"`
}

// credential is the AK/SK pair one request is signed with.
type credential struct {
	ak   string
	sk   Secret
	temp bool
}

// post calls the API path with body (nil: empty body, signed as "{}") and
// returns the raw result. On a refusal it returns the result too (the -80703
// answer carries the session to poll) together with an *Error.
func (c *Client) post(ctx context.Context, op, path string, body any) (json.RawMessage, error) {
	result, _, err := c.postURL(ctx, op, c.endpoint(path), body)
	return result, err
}

// endpoint is the URL of an API path on the configured base.
func (c *Client) endpoint(path string) *url.URL {
	u := *c.base
	u.Path = c.base.Path + path
	u.RawPath = ""
	return &u
}

// postURL posts to u and also returns the answer's header. It signs with
// the escaped path of u, never its query.
func (c *Client) postURL(ctx context.Context, op string, u *url.URL, body any) (json.RawMessage, http.Header, error) {
	payload := marshalOrNil(body)
	for attempt := 0; ; attempt++ {
		cred, err := c.credential(ctx)
		if err != nil {
			return nil, nil, fmt.Errorf("tplink: %s: %w", op, err)
		}
		result, header, err := c.send(ctx, op, u, payload, cred)
		var te *Error
		// A temporary AK/SK the cloud no longer knows (expired early, or
		// cleared because the long-term pair changed): fetch a new one once.
		if cred.temp && attempt == 0 && errors.As(err, &te) && te.Code == CodeInvalidAK {
			c.dropTemp(cred.ak)
			continue
		}
		return result, header, err
	}
}

// send makes one signed POST and decodes the envelope.
func (c *Client) send(ctx context.Context, op string, u *url.URL, payload []byte, cred credential) (json.RawMessage, http.Header, error) {
	nonce, err := newNonce()
	if err != nil {
		return nil, nil, err
	}
	signed := Sign(SignInput{
		AccessKey:  cred.ak,
		SecretKey:  cred.sk,
		TerminalID: c.cfg.TerminalID,
		Timestamp:  c.cfg.Now().Unix(),
		Nonce:      nonce,
		Method:     http.MethodPost,
		Path:       u.EscapedPath(),
		Payload:    payload,
	})
	ctx, cancel := context.WithTimeout(ctx, c.cfg.Timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, u.String(), bytes.NewReader(payload))
	if err != nil {
		return nil, nil, fmt.Errorf("tplink: %s: build request: %w", op, err)
	}
	req.Header.Set("Content-Type", "application/json;charset=UTF-8")
	req.Header.Set(AuthHeader, signed.Header)
	resp, err := c.cfg.HTTPClient.Do(req)
	if err != nil {
		return nil, nil, fmt.Errorf("tplink: %s: %w", op, scrubURLError(err))
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(resp.Body, c.cfg.MaxBodyBytes+1))
	if err != nil {
		return nil, nil, fmt.Errorf("tplink: %s: read answer: %w", op, err)
	}
	if int64(len(raw)) > c.cfg.MaxBodyBytes {
		return nil, nil, fmt.Errorf("tplink: %s: answer is larger than %d bytes", op, c.cfg.MaxBodyBytes)
	}
	result, err := decodeEnvelope(op, raw, resp.StatusCode)
	var te *Error
	if errors.As(err, &te) && te.Code == CodeRequestExpired {
		te.LocalTime = c.cfg.Now()
		te.ServerTime = serverTime(resp.Header)
	}
	return result, resp.Header, err
}

// decodeEnvelope turns an answer body into its result or an *Error.
func decodeEnvelope(op string, raw []byte, status int) (json.RawMessage, error) {
	var env envelope
	if err := json.Unmarshal(raw, &env); err != nil || !env.ErrorCode.set {
		if status != http.StatusOK {
			return nil, fmt.Errorf("tplink: %s: HTTP status %d", op, status)
		}
		if err != nil {
			return nil, fmt.Errorf("tplink: %s: answer is not the documented JSON (%d bytes): %w", op, len(raw), err)
		}
		return nil, fmt.Errorf("tplink: %s: answer has no error_code (%d bytes)", op, len(raw))
	}
	if env.ErrorCode.v != 0 {
		return env.Result, newError(op, env.ErrorCode.v, env.Msg)
	}
	if status != http.StatusOK {
		return nil, fmt.Errorf("tplink: %s: HTTP status %d with error_code 0", op, status)
	}
	return env.Result, nil
}

// serverTime reads the cloud's clock from the Date header; zero when absent.
func serverTime(h http.Header) (t0 time.Time) {
	d := h.Get("Date")
	if d == "" {
		return t0
	}
	t, err := http.ParseTime(d)
	if err != nil {
		return t0
	}
	return t
}

// scrubURLError drops the URL from a transport error: a relay address
// carries session tokens in its query.
func scrubURLError(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		return fmt.Errorf("%s: %w", ue.Op, ue.Err)
	}
	return err
}

// decodeResult unmarshals a result into out with the op in the error.
func decodeResult(op string, raw json.RawMessage, out any) error {
	if len(raw) == 0 || string(raw) == "null" {
		return fmt.Errorf("tplink: %s: answer has no result", op)
	}
	if err := json.Unmarshal(raw, out); err != nil {
		return fmt.Errorf("tplink: %s: result is not the documented JSON: %w", op, err)
	}
	return nil
}

// marshalOrNil encodes a request body of plain fields (which cannot fail to
// encode); nil stays nil, the empty body.
func marshalOrNil(body any) []byte {
	if body == nil {
		return nil
	}
	b, err := json.Marshal(body)
	if err != nil {
		panic("tplink: request body does not encode: " + err.Error())
	}
	return b
}
