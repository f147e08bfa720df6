package yunlubo

import (
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"
)

// Defaults of Options.
const (
	DefaultCallTimeout = 10 * time.Second
	DefaultRetries     = 2
	DefaultRetryBase   = 200 * time.Millisecond
	DefaultRetryMax    = 5 * time.Second
	DefaultMaxBody     = 8 << 20
	DefaultMaxPages    = 500
	DefaultPerPage     = 10
	DefaultRenewBefore = 5 * time.Minute
)

// Options configure a Client. Zero fields take the default named beside them.
type Options struct {
	// BaseURL is the server, e.g. "http://192.168.1.70:80" (required).
	BaseURL string
	// UnionID is the API credential from the server's admin page (required).
	UnionID Secret
	// HTTPClient sends the requests. Default: a client with a 30 s timeout.
	// The client never follows redirects (the token is in the URL).
	HTTPClient *http.Client
	// Tokens caches the access token across restarts. Default: in memory.
	Tokens TokenStore
	// Now is the clock for token expiry. Default: time.Now.
	Now func() time.Time
	// CallTimeout bounds one call, its retries and a token renewal included.
	// Default: 10 s.
	CallTimeout time.Duration
	// Retries is how many times a transport error or HTTP 5xx is retried
	// (err_code answers are not, except 1006/1007 once). Default: 2; -1: none.
	Retries int
	// RetryBase and RetryMax bound the full-jitter exponential backoff.
	// Defaults: 200 ms and 5 s.
	RetryBase, RetryMax time.Duration
	// MaxBody caps a response body. Default: 8 MiB.
	MaxBody int64
	// MaxPages caps a paging walk. Default: 500.
	MaxPages int
	// PerPage is per of a paging walk. Default: 10, the document's.
	PerPage int
	// RenewBefore renews a token this long before it expires (at most a
	// quarter of its lifetime). Default: 5 min.
	RenewBefore time.Duration
	// Logger receives retries and renewals. Default: slog.Default().
	Logger *slog.Logger
}

// Client talks to one 云录播 server. It is safe for concurrent use.
type Client struct {
	base    *url.URL
	opts    Options
	http    *http.Client
	log     *slog.Logger
	account string // fingerprint of base URL + unionid, see Token.Account

	mu     sync.Mutex
	tok    Token
	loaded bool         // tok was read from the store
	flight *tokenFlight // the renewal in progress, if any
}

// New checks opts and fills the defaults.
func New(opts Options) (*Client, error) {
	base, err := url.Parse(strings.TrimRight(opts.BaseURL, "/"))
	if err != nil || (base.Scheme != "http" && base.Scheme != "https") || base.Host == "" {
		return nil, fmt.Errorf("yunlubo: base URL %q: want http(s)://host[:port]", RedactURL(opts.BaseURL))
	}
	if base.User != nil || base.RawQuery != "" || base.Fragment != "" {
		return nil, fmt.Errorf("yunlubo: base URL %q: no user, query or fragment allowed", RedactURL(opts.BaseURL))
	}
	if strings.TrimSpace(opts.UnionID.Reveal()) == "" {
		return nil, errors.New("yunlubo: unionid is required")
	}
	if opts.Tokens == nil {
		opts.Tokens = &MemoryTokenStore{}
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.CallTimeout <= 0 {
		opts.CallTimeout = DefaultCallTimeout
	}
	switch {
	case opts.Retries == 0:
		opts.Retries = DefaultRetries
	case opts.Retries < 0:
		opts.Retries = 0
	}
	if opts.RetryBase <= 0 {
		opts.RetryBase = DefaultRetryBase
	}
	if opts.RetryMax <= 0 {
		opts.RetryMax = DefaultRetryMax
	}
	if opts.MaxBody <= 0 {
		opts.MaxBody = DefaultMaxBody
	}
	if opts.MaxPages <= 0 {
		opts.MaxPages = DefaultMaxPages
	}
	if opts.PerPage <= 0 {
		opts.PerPage = DefaultPerPage
	}
	if opts.RenewBefore <= 0 {
		opts.RenewBefore = DefaultRenewBefore
	}
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	hc := &http.Client{Timeout: 30 * time.Second}
	if opts.HTTPClient != nil {
		copied := *opts.HTTPClient
		hc = &copied
	}
	hc.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	c := &Client{base: base, opts: opts, http: hc, log: opts.Logger.With("component", "yunlubo")}
	c.account = accountOf(base.String(), opts.UnionID)
	return c, nil
}

// String describes the client without its credentials.
func (c *Client) String() string { return "yunlubo.Client{" + c.base.String() + "}" }

// GoString is String.
func (c *Client) GoString() string { return c.String() }

// LogValue logs the server address only.
func (c *Client) LogValue() slog.Value { return slog.StringValue(c.base.String()) }

// String hides the credentials of Options.
func (o Options) String() string {
	return fmt.Sprintf("yunlubo.Options{BaseURL:%q UnionID:%s}", RedactURL(o.BaseURL), redacted)
}

// GoString is String.
func (o Options) GoString() string { return o.String() }

// LogValue logs the server address only.
func (o Options) LogValue() slog.Value { return slog.StringValue(RedactURL(o.BaseURL)) }
