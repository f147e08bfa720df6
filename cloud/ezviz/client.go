package ezviz

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/lubo-edge/lubo/cloud/internal/tokencache"
)

// DefaultBaseURL is the Ezviz open platform.
const DefaultBaseURL = "https://open.ys7.com"

// maxBody caps what is read of any answer; the documented answers are < 1 KiB.
const maxBody = 1 << 20

// Config is what a Client needs. Zero fields take the default named in their comment.
type Config struct {
	BaseURL   string // default DefaultBaseURL
	AppKey    string
	AppSecret Secret

	HTTPClient  *http.Client  // default: a client with a 30 s timeout
	CallTimeout time.Duration // per HTTP attempt; default 10 s
	Retries     int           // extra attempts after a transport error or 5xx; default 2, negative = none
	RetryBase   time.Duration // first backoff; default 500 ms, doubled per attempt, jittered
	RetryMax    time.Duration // backoff cap; default 5 s
	RenewBefore time.Duration // renew a token this long before it expires; default 5 min (at most half its life)

	Now    func() time.Time                                 // default time.Now
	Sleep  func(ctx context.Context, d time.Duration) error // default: a timer that ctx can cut short
	Logger *slog.Logger                                     // default slog.Default()
}

// Client talks to the Ezviz open platform. It is safe for concurrent use.
type Client struct {
	cfg  Config
	base *url.URL

	tokens *tokencache.Cache[Secret]
}

// New checks cfg, fills its defaults and returns a Client. It does not call the cloud.
func New(cfg Config) (*Client, error) {
	if cfg.BaseURL == "" {
		cfg.BaseURL = DefaultBaseURL
	}
	base, err := url.Parse(cfg.BaseURL)
	if err != nil || (base.Scheme != "http" && base.Scheme != "https") || base.Host == "" {
		return nil, fmt.Errorf("ezviz: base URL %q: want http(s)://host[:port]", Redact(cfg.BaseURL))
	}
	if cfg.AppKey == "" || cfg.AppSecret == "" {
		return nil, errors.New("ezviz: app_key and app_secret are both required (控制台 → 我的账号 → 应用信息)")
	}
	if cfg.HTTPClient == nil {
		cfg.HTTPClient = &http.Client{Timeout: 30 * time.Second}
	}
	if cfg.CallTimeout <= 0 {
		cfg.CallTimeout = 10 * time.Second
	}
	if cfg.Retries == 0 {
		cfg.Retries = 2
	} else if cfg.Retries < 0 {
		cfg.Retries = 0
	}
	if cfg.RetryBase <= 0 {
		cfg.RetryBase = 500 * time.Millisecond
	}
	if cfg.RetryMax <= 0 {
		cfg.RetryMax = 5 * time.Second
	}
	if cfg.RenewBefore <= 0 {
		cfg.RenewBefore = 5 * time.Minute
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Sleep == nil {
		cfg.Sleep = sleep
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	return &Client{cfg: cfg, base: base, tokens: &tokencache.Cache[Secret]{Now: cfg.Now, RenewBefore: cfg.RenewBefore}}, nil
}

// String names the client without its secrets.
func (c *Client) String() string {
	return fmt.Sprintf("ezviz.Client{%s appKey=%s}", c.base.Redacted(), c.cfg.AppKey)
}

// GoString is String, so %#v shows no secret either.
func (c *Client) GoString() string { return c.String() }

func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// call posts form to path with a token, renews the token once on 10002 and
// retries once, and returns the answer's data.
func (c *Client) call(ctx context.Context, op, path string, form url.Values, decode func([]byte) error) error {
	for renewed := false; ; renewed = true {
		tok, err := c.accessToken(ctx)
		if err != nil {
			return fmt.Errorf("ezviz %s: %w", op, err)
		}
		form.Set("accessToken", tok.Reveal())
		body, err := c.post(ctx, op, path, form)
		if err != nil {
			return err
		}
		err = decode(body)
		var e *Error
		if !renewed && errors.As(err, &e) && e.Code == CodeTokenExpired {
			c.cfg.Logger.Info("ezviz: access token refused, renewing once", "op", op)
			c.dropToken(tok)
			continue
		}
		return err
	}
}

// post sends one form-encoded POST, retrying transport errors and 5xx with a
// capped, jittered backoff, and returns the (capped) body.
func (c *Client) post(ctx context.Context, op, path string, form url.Values) ([]byte, error) {
	endpoint := c.base.JoinPath(path).String()
	payload := form.Encode()
	var last error
	for attempt := 0; attempt <= c.cfg.Retries; attempt++ {
		if attempt > 0 {
			d := backoff(c.cfg.RetryBase, c.cfg.RetryMax, attempt)
			c.cfg.Logger.Warn("ezviz: retrying", "op", op, "attempt", attempt+1, "after", d, "err", last)
			if err := c.cfg.Sleep(ctx, d); err != nil {
				return nil, fmt.Errorf("ezviz %s: %w (last error: %v)", op, err, last)
			}
		}
		body, retry, err := c.postOnce(ctx, endpoint, payload)
		if err == nil {
			return body, nil
		}
		last = fmt.Errorf("ezviz %s: %w", op, err)
		if !retry || ctx.Err() != nil {
			return nil, last
		}
	}
	return nil, last
}

// postOnce is one attempt; retry says whether another attempt may help.
func (c *Client) postOnce(ctx context.Context, endpoint, payload string) (body []byte, retry bool, err error) {
	ctx, cancel := context.WithTimeout(ctx, c.cfg.CallTimeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, endpoint, strings.NewReader(payload))
	if err != nil {
		return nil, false, err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Accept", "application/json")
	resp, err := c.cfg.HTTPClient.Do(req)
	if err != nil {
		return nil, true, err
	}
	defer resp.Body.Close()
	body, err = io.ReadAll(io.LimitReader(resp.Body, maxBody+1))
	if err != nil {
		return nil, true, fmt.Errorf("reading answer: %w", err)
	}
	if len(body) > maxBody {
		return nil, false, fmt.Errorf("answer larger than %d bytes", maxBody)
	}
	if resp.StatusCode >= 500 {
		return nil, true, fmt.Errorf("HTTP %s", resp.Status)
	}
	if resp.StatusCode != http.StatusOK {
		// The platform answers refusals as HTTP 200 with a code; keep a coded body if there is one.
		if _, derr := decodeEnvelope("", body); derr != nil && !errors.As(derr, new(*Error)) {
			return nil, false, fmt.Errorf("HTTP %s", resp.Status)
		}
	}
	return body, false, nil
}

// backoff is the wait before attempt n (n >= 1): base·2^(n-1) capped at max,
// then a random point in its upper half so clients do not retry in step.
func backoff(base, max time.Duration, n int) time.Duration {
	d := base
	for i := 1; i < n && d < max; i++ {
		d *= 2
	}
	if d > max {
		d = max
	}
	half := d / 2
	return half + rand.N(half+1)
}
