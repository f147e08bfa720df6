package yunlubo

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// maxErrMsg caps err_msg kept in an *Error.
const maxErrMsg = 256

// call runs one endpoint: token, request with retries, one renewal and
// retry on 1006/1007, decoding into out (nil: status only). The whole call
// is bounded by CallTimeout.
func (c *Client) call(ctx context.Context, op string, params url.Values, out any) error {
	ctx, cancel := context.WithTimeout(ctx, c.opts.CallTimeout)
	defer cancel()
	return c.callTimed(ctx, op, params, out)
}

func (c *Client) callTimed(ctx context.Context, op string, params url.Values, out any) error {
	if !NeedsToken(op) {
		body, err := c.fetch(ctx, op, params, "")
		if err != nil {
			return err
		}
		return c.decode(op, body, out, "")
	}
	tok, err := c.token(ctx, "")
	if err != nil {
		return err
	}
	body, err := c.fetch(ctx, op, params, tok)
	if err != nil {
		return err
	}
	err = c.decode(op, body, out, tok)
	var apiErr *Error
	if !errors.As(err, &apiErr) || !apiErr.TokenRejected() {
		return err
	}
	// The server refused the token (1006/1007): renew once, retry once.
	c.log.Info("yunlubo: token refused, renewing", "op", op, "err_code", apiErr.Code)
	fresh, err := c.token(ctx, tok)
	if err != nil {
		return err
	}
	body, err = c.fetch(ctx, op, params, fresh)
	if err != nil {
		return err
	}
	return c.decode(op, body, out, fresh)
}

// decode checks err_code/err_msg and fills out.
func (c *Client) decode(op string, body []byte, out any, tok Secret) error {
	var st struct {
		ErrCode *Int   `json:"err_code"`
		ErrMsg  string `json:"err_msg"`
	}
	if err := json.Unmarshal(body, &st); err != nil {
		return c.scrub(fmt.Errorf("yunlubo: %s: malformed answer: %w", op, err), tok)
	}
	if st.ErrCode == nil {
		return fmt.Errorf("yunlubo: %s: malformed answer: no err_code", op)
	}
	if *st.ErrCode != CodeOK {
		return &Error{Op: op, Code: int(*st.ErrCode), Msg: clip(c.scrubText(st.ErrMsg, tok), maxErrMsg)}
	}
	if out == nil {
		return nil
	}
	if err := json.Unmarshal(body, out); err != nil {
		return c.scrub(fmt.Errorf("yunlubo: %s: malformed answer: %w", op, err), tok)
	}
	return nil
}

// fetch GETs /api/v1/op?params(&token=), retrying transport errors and 5xx
// with capped, jittered exponential backoff.
func (c *Client) fetch(ctx context.Context, op string, params url.Values, tok Secret) ([]byte, error) {
	q := url.Values{}
	for k, v := range params {
		q[k] = v
	}
	if tok != "" {
		q.Set("token", tok.Reveal())
	}
	u := *c.base
	u.Path = strings.TrimRight(u.Path, "/") + APIPrefix + op
	u.RawQuery = q.Encode()
	for attempt := 0; ; attempt++ {
		body, retry, err := c.once(ctx, op, u.String())
		if err == nil {
			return body, nil
		}
		err = c.scrub(err, tok)
		if !retry || attempt >= c.opts.Retries || ctx.Err() != nil {
			return nil, err
		}
		wait := c.backoff(attempt)
		c.log.Warn("yunlubo: retrying", "op", op, "attempt", attempt+1, "wait", wait, "err", err)
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return nil, fmt.Errorf("%w (no time left to retry: %v)", err, ctx.Err())
		case <-t.C:
		}
	}
}

// once is one HTTP exchange; retry says whether another attempt may help.
func (c *Client) once(ctx context.Context, op, rawURL string) (body []byte, retry bool, err error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, rawURL, nil)
	if err != nil {
		return nil, false, fmt.Errorf("yunlubo: %s: %w", op, err)
	}
	req.Header.Set("Accept", "application/json")
	resp, err := c.http.Do(req)
	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) {
			err = &url.Error{Op: ue.Op, URL: RedactURL(ue.URL), Err: ue.Err}
		}
		return nil, true, fmt.Errorf("yunlubo: %s: %w", op, err)
	}
	defer resp.Body.Close()
	body, err = io.ReadAll(io.LimitReader(resp.Body, c.opts.MaxBody+1))
	if err != nil {
		return nil, true, fmt.Errorf("yunlubo: %s: reading answer: %w", op, err)
	}
	if int64(len(body)) > c.opts.MaxBody {
		return nil, false, fmt.Errorf("yunlubo: %s: answer larger than %d bytes", op, c.opts.MaxBody)
	}
	switch {
	case resp.StatusCode >= 500:
		return nil, true, &HTTPError{Op: op, StatusCode: resp.StatusCode}
	case resp.StatusCode != http.StatusOK:
		return nil, false, &HTTPError{Op: op, StatusCode: resp.StatusCode}
	}
	return body, false, nil
}

// HTTPError is an answer with an HTTP status other than 200.
type HTTPError struct {
	Op         string
	StatusCode int
}

func (e *HTTPError) Error() string {
	return fmt.Sprintf("yunlubo: %s: HTTP %d %s", e.Op, e.StatusCode, http.StatusText(e.StatusCode))
}

// backoff is full jitter in [d/2, d] with d = base·2^attempt capped at max.
func (c *Client) backoff(attempt int) time.Duration {
	d := c.opts.RetryMax
	if attempt < 30 {
		d = min(c.opts.RetryBase<<attempt, c.opts.RetryMax)
	}
	half := d / 2
	return half + time.Duration(rand.Int64N(int64(half)+1))
}

// scrub makes sure neither the unionid nor tok appears in err's text.
func (c *Client) scrub(err error, tok Secret) error {
	if err == nil {
		return nil
	}
	return &scrubbed{err: err, text: c.scrubText(err.Error(), tok)}
}

func (c *Client) scrubText(text string, tok Secret) string {
	for _, sec := range []Secret{c.opts.UnionID, tok} {
		v := sec.Reveal()
		if v == "" {
			continue
		}
		for _, form := range []string{v, url.QueryEscape(v), url.PathEscape(v)} {
			text = strings.ReplaceAll(text, form, redacted)
		}
	}
	return text
}

// scrubbed is an error whose text has the credentials removed; Unwrap keeps
// errors.Is/As working (the *url.Error inside already has a redacted URL).
type scrubbed struct {
	err  error
	text string
}

func (s *scrubbed) Error() string { return s.text }
func (s *scrubbed) Unwrap() error { return s.err }
