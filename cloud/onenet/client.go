package onenet

import (
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// DefaultAPI is the platform's API address from the document.
const DefaultAPI = "http://api.video.heclouds.com"

// Config says where the platform is and how to call it. Zero values take
// the defaults named on each field.
type Config struct {
	// API is the base URL of the API; default DefaultAPI.
	API string
	// Key is the product's master key, or a device key; empty for a box
	// that only has a register code (Register) until it gets its own key.
	Key Secret
	// ProductID is needed by object storage and recording calls.
	ProductID string
	// HTTPClient sends the requests; default one with dial, TLS-handshake
	// and response-header timeouts of 10 s. Per-call deadlines come from
	// Timeout and UploadTimeout either way.
	HTTPClient *http.Client
	// Timeout bounds one attempt of a plain call; default 15 s.
	Timeout time.Duration
	// UploadTimeout bounds one attempt of an upload; default 5 min (8 MiB
	// at about 250 kbit/s).
	UploadTimeout time.Duration
	// Attempts is how many times a call is tried when it fails with a
	// retryable error; default 3. An upload from a reader that cannot seek
	// is tried once.
	Attempts int
	// BackoffBase and BackoffMax bound the jittered exponential pause
	// between attempts; defaults 500 ms and 8 s.
	BackoffBase, BackoffMax time.Duration
	// Logger receives debug lines per attempt and a warning per retry;
	// default slog.Default(). Secrets are never logged.
	Logger *slog.Logger
}

// MaxAnswerBytes caps how much of an answer is read.
const MaxAnswerBytes = 1 << 20

// Client calls the platform. It is safe for concurrent use.
type Client struct {
	api           *url.URL
	key           Secret
	productID     string
	http          *http.Client
	timeout       time.Duration
	uploadTimeout time.Duration
	attempts      int
	backoffBase   time.Duration
	backoffMax    time.Duration
	log           *slog.Logger
}

// New checks cfg and returns a client.
func New(cfg Config) (*Client, error) {
	api := cfg.API
	if api == "" {
		api = DefaultAPI
	}
	u, err := url.Parse(api)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.User != nil || u.RawQuery != "" {
		return nil, fmt.Errorf("onenet: api %q: want http(s)://host[:port][/path] without credentials or query", Redact(api))
	}
	u.Path = strings.TrimRight(u.Path, "/")
	if strings.ContainsAny(string(cfg.Key), "\r\n") {
		return nil, errors.New("onenet: key contains a line break")
	}
	c := &Client{
		api:           u,
		key:           cfg.Key,
		productID:     cfg.ProductID,
		http:          cfg.HTTPClient,
		timeout:       orDuration(cfg.Timeout, 15*time.Second),
		uploadTimeout: orDuration(cfg.UploadTimeout, 5*time.Minute),
		attempts:      cfg.Attempts,
		backoffBase:   orDuration(cfg.BackoffBase, 500*time.Millisecond),
		backoffMax:    orDuration(cfg.BackoffMax, 8*time.Second),
		log:           cfg.Logger,
	}
	if c.http == nil {
		c.http = defaultHTTPClient()
	}
	if c.attempts <= 0 {
		c.attempts = 3
	}
	if c.log == nil {
		c.log = slog.Default()
	}
	return c, nil
}

// WithKey returns a copy of c that sends key as its api-key, e.g. the device
// key Register returned.
func (c *Client) WithKey(key Secret) *Client {
	cp := *c
	cp.key = key
	return &cp
}

// String describes the client without its key.
func (c *Client) String() string {
	return fmt.Sprintf("onenet.Client{api: %s, product: %q, key: %s}", c.api.Redacted(), c.productID, redacted)
}

// Format prints String for every verb, so %+v and %#v do not walk the
// unexported key field.
func (c *Client) Format(f fmt.State, _ rune) { _, _ = io.WriteString(f, c.String()) }

func defaultHTTPClient() *http.Client {
	dialer := &net.Dialer{Timeout: 10 * time.Second, KeepAlive: 30 * time.Second}
	return &http.Client{
		Transport: &http.Transport{
			Proxy:                 http.ProxyFromEnvironment,
			DialContext:           dialer.DialContext,
			TLSHandshakeTimeout:   10 * time.Second,
			ResponseHeaderTimeout: 60 * time.Second,
			IdleConnTimeout:       90 * time.Second,
			MaxIdleConnsPerHost:   4,
		},
		// Redirects would carry the api-key header to wherever the answer
		// points (Go drops it only across hosts); the API never redirects.
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
}

func orDuration(d, def time.Duration) time.Duration {
	if d <= 0 {
		return def
	}
	return d
}
