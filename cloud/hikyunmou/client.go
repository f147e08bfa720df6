package hikyunmou

import (
	"bytes"
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

// DefaultBaseURL is the 云眸 open API.
const DefaultBaseURL = "https://api2.hik-cloud.com"

// maxBody caps what is read of any answer.
const maxBody = 1 << 20

// Paths are the API paths; each is a setting because the document prints none
// for the 确权 calls. Empty fields take the defaults of DefaultPaths.
type Paths struct {
	Token          string
	Register       string
	AutoConfirm    string
	OfflineConfirm string
	OnlineConfirm  string
}

// DefaultPaths are lubo's defaults (issue 8).
var DefaultPaths = Paths{
	Token:          "/oauth/token",
	Register:       "/api/v1/open/basic/devices/create",
	AutoConfirm:    "/v1/carrier/wing/endpoint/confirm/right/autoconfirm",
	OfflineConfirm: "/v1/carrier/wing/endpoint/confirm/right/offlineconfirm",
	OnlineConfirm:  "/v1/carrier/wing/endpoint/confirm/right/onlineconfirm",
}

// Config is what a Client needs. Zero fields take the default in their comment.
type Config struct {
	BaseURL      string // default DefaultBaseURL
	ClientID     string
	ClientSecret Secret
	Paths        Paths // default DefaultPaths, field by field

	Confirm ConfirmSettings // the 确权 flow's timing

	HTTPClient  *http.Client  // default: a client with a 30 s timeout
	CallTimeout time.Duration // per HTTP attempt; default 10 s
	Retries     int           // extra attempts after a transport error or 5xx; default 2, negative = none
	RetryBase   time.Duration // first backoff; default 500 ms, doubled per attempt, jittered
	RetryMax    time.Duration // backoff cap; default 5 s
	RenewBefore time.Duration // renew the token this long before expiry; default 5 min (at most half its life)

	Now    func() time.Time                                 // default time.Now
	Sleep  func(ctx context.Context, d time.Duration) error // default: a timer ctx can cut short
	Logger *slog.Logger                                     // default slog.Default()
}

// Client talks to the 云眸 open API. It is safe for concurrent use.
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
	if err != nil || (base.Scheme != "http" && base.Scheme != "https") || base.Host == "" || base.User != nil {
		return nil, fmt.Errorf("hikyunmou: base URL must be http(s)://host[:port] without user info")
	}
	if cfg.ClientID == "" || cfg.ClientSecret == "" {
		return nil, errors.New("hikyunmou: client_id and client_secret are both required (云眸 open platform console)")
	}
	p := &cfg.Paths
	for _, f := range []struct {
		field *string
		def   string
	}{{&p.Token, DefaultPaths.Token}, {&p.Register, DefaultPaths.Register}, {&p.AutoConfirm, DefaultPaths.AutoConfirm}, {&p.OfflineConfirm, DefaultPaths.OfflineConfirm}, {&p.OnlineConfirm, DefaultPaths.OnlineConfirm}} {
		if *f.field == "" {
			*f.field = f.def
		}
		if !strings.HasPrefix(*f.field, "/") || strings.ContainsAny(*f.field, "?# ") {
			return nil, fmt.Errorf("hikyunmou: path %q: want an absolute path without query", *f.field)
		}
	}
	cfg.Confirm = cfg.Confirm.withDefaults()
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
	return fmt.Sprintf("hikyunmou.Client{%s clientID=%s}", c.base.String(), c.cfg.ClientID)
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

// request is one HTTP call to make.
type request struct {
	op          string
	method      string
	path        string
	query       url.Values
	contentType string
	body        []byte
	bearer      Secret // empty: no Authorization header
}

// answer is a capped body with its status.
type answer struct {
	status int
	body   []byte
}

// authorized sends r with a bearer token; a 401 or invalid_token renews the
// token once and sends r once more, never a loop.
func (c *Client) authorized(ctx context.Context, r request, decode func(answer) error) error {
	for renewed := false; ; renewed = true {
		tok, err := c.accessToken(ctx)
		if err != nil {
			return fmt.Errorf("hikyunmou %s: %w", r.op, err)
		}
		r.bearer = tok
		a, err := c.send(ctx, r)
		if err != nil {
			return err
		}
		err = decode(a)
		var e *Error
		if !renewed && errors.As(err, &e) && (e.HTTPStatus == http.StatusUnauthorized || e.Code == CodeInvalidToken) {
			c.cfg.Logger.Info("hikyunmou: bearer token refused, renewing once", "op", r.op)
			c.dropToken(tok)
			continue
		}
		return err
	}
}

// send makes r, retrying transport errors and 5xx with capped, jittered backoff.
func (c *Client) send(ctx context.Context, r request) (answer, error) {
	endpoint := c.base.JoinPath(r.path)
	endpoint.RawQuery = r.query.Encode()
	var last error
	for attempt := 0; attempt <= c.cfg.Retries; attempt++ {
		if attempt > 0 {
			d := backoff(c.cfg.RetryBase, c.cfg.RetryMax, attempt)
			c.cfg.Logger.Warn("hikyunmou: retrying", "op", r.op, "attempt", attempt+1, "after", d, "err", last)
			if err := c.cfg.Sleep(ctx, d); err != nil {
				return answer{}, fmt.Errorf("hikyunmou %s: %w (last error: %v)", r.op, err, last)
			}
		}
		a, retry, err := c.sendOnce(ctx, endpoint.String(), r)
		if err == nil {
			return a, nil
		}
		last = fmt.Errorf("hikyunmou %s: %w", r.op, err)
		if !retry || ctx.Err() != nil {
			return answer{}, last
		}
	}
	return answer{}, last
}

func (c *Client) sendOnce(ctx context.Context, endpoint string, r request) (a answer, retry bool, err error) {
	ctx, cancel := context.WithTimeout(ctx, c.cfg.CallTimeout)
	defer cancel()
	var body io.Reader
	if r.body != nil {
		body = bytes.NewReader(r.body)
	}
	req, err := http.NewRequestWithContext(ctx, r.method, endpoint, body)
	if err != nil {
		return a, false, err
	}
	if r.contentType != "" {
		req.Header.Set("Content-Type", r.contentType)
	}
	req.Header.Set("Accept", "application/json")
	if r.bearer != "" {
		req.Header.Set("Authorization", "Bearer "+r.bearer.Reveal())
	}
	resp, err := c.cfg.HTTPClient.Do(req)
	if err != nil {
		return a, true, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, maxBody+1))
	if err != nil {
		return a, true, fmt.Errorf("reading answer: %w", err)
	}
	if len(b) > maxBody {
		return a, false, fmt.Errorf("answer larger than %d bytes", maxBody)
	}
	if resp.StatusCode >= 500 {
		return a, true, fmt.Errorf("HTTP %s", resp.Status)
	}
	return answer{status: resp.StatusCode, body: b}, false, nil
}

// backoff is the wait before attempt n (n >= 1): base·2^(n-1) capped at max,
// then a random point in its upper half.
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
