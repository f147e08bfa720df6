package flv

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"time"

	"github.com/lubo-edge/lubo/relay"
)

// Default timeouts of a Source.
const (
	DefaultConnectTimeout = 10 * time.Second
	DefaultIdleTimeout    = 10 * time.Second
)

var (
	errConnectTimeout = errors.New("no response")
	errIdle           = errors.New("no data")
)

// Source pulls an HTTP-FLV stream (http or https).
type Source struct {
	url            string
	client         *http.Client
	connectTimeout time.Duration
	idleTimeout    time.Duration
	log            *slog.Logger
}

var _ relay.Source = (*Source)(nil)

// Option configures a Source.
type Option func(*Source)

// WithClient sets the HTTP client (default: a client on
// http.DefaultTransport). Its Timeout must be 0, since the body never ends.
func WithClient(c *http.Client) Option { return func(s *Source) { s.client = c } }

// WithConnectTimeout bounds connecting and waiting for the response headers
// (default DefaultConnectTimeout).
func WithConnectTimeout(d time.Duration) Option { return func(s *Source) { s.connectTimeout = d } }

// WithIdleTimeout bounds how long the body may send nothing (default
// DefaultIdleTimeout).
func WithIdleTimeout(d time.Duration) Option { return func(s *Source) { s.idleTimeout = d } }

// WithLogger sets the logger, typically one with a channel attribute
// (default: discard).
func WithLogger(l *slog.Logger) Option { return func(s *Source) { s.log = l } }

// NewSource returns a Source for an http:// or https:// FLV URL.
func NewSource(rawURL string, opts ...Option) *Source {
	s := &Source{
		url:            rawURL,
		client:         &http.Client{},
		connectTimeout: DefaultConnectTimeout,
		idleTimeout:    DefaultIdleTimeout,
		log:            slog.New(slog.DiscardHandler),
	}
	for _, o := range opts {
		o(s)
	}
	return s
}

// Run pulls the stream until it fails or ctx is done; see relay.Source.
func (s *Source) Run(ctx context.Context, out relay.Publisher) error {
	err := s.run(ctx, out)
	if ctx.Err() != nil {
		return nil
	}
	return err
}

func (s *Source) run(ctx context.Context, out relay.Publisher) error {
	u, err := url.Parse(s.url)
	if err != nil {
		return fmt.Errorf("http-flv: bad URL: %w", err)
	}
	if u.Scheme != "http" && u.Scheme != "https" {
		return fmt.Errorf("http-flv: URL scheme %q not supported (want http or https)", u.Scheme)
	}
	reqCtx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	req, err := http.NewRequestWithContext(reqCtx, http.MethodGet, s.url, nil)
	if err != nil {
		return fmt.Errorf("http-flv: %w", err)
	}
	req.Header.Set("User-Agent", "lubo")

	connectTimer := time.AfterFunc(s.connectTimeout, func() { cancel(errConnectTimeout) })
	resp, err := s.client.Do(req)
	connectTimer.Stop()
	if err != nil {
		if context.Cause(reqCtx) == errConnectTimeout {
			return fmt.Errorf("http-flv: %s: no response within %v", u.Redacted(), s.connectTimeout)
		}
		return fmt.Errorf("http-flv: %w", err)
	}
	defer func() {
		cancel(nil) // stop the transport first: closing an endless body must not wait on it
		resp.Body.Close()
	}()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("http-flv: unexpected status %s from %s", resp.Status, u.Redacted())
	}

	body := &idleReader{r: resp.Body, timeout: s.idleTimeout}
	body.timer = time.AfterFunc(s.idleTimeout, func() { cancel(errIdle) })
	defer body.timer.Stop()

	s.log.Debug("http-flv: connected", "url", u.Redacted())
	err = ReadStream(reqCtx, body, out, s.log)
	switch {
	case context.Cause(reqCtx) == errIdle:
		return fmt.Errorf("http-flv: no data for %v", s.idleTimeout)
	case errors.Is(err, io.EOF):
		return errors.New("http-flv: stream ended")
	}
	return fmt.Errorf("http-flv: %w", err)
}

// idleReader pushes the no-data deadline back whenever bytes arrive.
type idleReader struct {
	r       io.Reader
	timer   *time.Timer
	timeout time.Duration
}

func (r *idleReader) Read(p []byte) (int, error) {
	n, err := r.r.Read(p)
	if n > 0 {
		r.timer.Reset(r.timeout)
	}
	return n, err
}
