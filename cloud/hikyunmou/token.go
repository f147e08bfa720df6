package hikyunmou

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"time"
)

// tokenFlight is one token fetch that concurrent callers wait for.
type tokenFlight struct {
	done chan struct{}
	tok  Secret
	err  error
}

// accessToken returns the cached bearer token or fetches a new one.
func (c *Client) accessToken(ctx context.Context) (Secret, error) {
	for {
		c.mu.Lock()
		if c.token != "" && c.cfg.Now().Before(c.renew) {
			tok := c.token
			c.mu.Unlock()
			return tok, nil
		}
		if f := c.flight; f != nil {
			c.mu.Unlock()
			select {
			case <-f.done:
			case <-ctx.Done():
				return "", ctx.Err()
			}
			// Another caller's cancellation is not ours: try again ourselves.
			if f.err != nil && (errors.Is(f.err, context.Canceled) || errors.Is(f.err, context.DeadlineExceeded)) && ctx.Err() == nil {
				continue
			}
			return f.tok, f.err
		}
		f := &tokenFlight{done: make(chan struct{})}
		c.flight = f
		c.mu.Unlock()

		tok, life, err := c.fetchToken(ctx)

		c.mu.Lock()
		if err == nil {
			now := c.cfg.Now()
			c.token, c.renew = tok, renewAt(now, now.Add(life), c.cfg.RenewBefore)
		}
		c.flight = nil
		c.mu.Unlock()
		f.tok, f.err = tok, err
		close(f.done)
		return tok, err
	}
}

// renewAt is RenewBefore ahead of expiry, but not before half the token's life.
func renewAt(now, exp time.Time, before time.Duration) time.Time {
	life := exp.Sub(now)
	if before > life/2 {
		before = life / 2
	}
	return exp.Add(-before)
}

func (c *Client) dropToken(tok Secret) {
	c.mu.Lock()
	if c.token == tok {
		c.token = ""
	}
	c.mu.Unlock()
}

// fetchToken is the client-credentials grant: POST form client_id,
// client_secret, grant_type=client_credentials.
func (c *Client) fetchToken(ctx context.Context) (Secret, time.Duration, error) {
	form := url.Values{
		"client_id":     {c.cfg.ClientID},
		"client_secret": {c.cfg.ClientSecret.Reveal()},
		"grant_type":    {"client_credentials"},
	}
	a, err := c.send(ctx, request{
		op: "token", method: http.MethodPost, path: c.cfg.Paths.Token,
		contentType: "application/x-www-form-urlencoded", body: []byte(form.Encode()),
	})
	if err != nil {
		return "", 0, err
	}
	return decodeToken(a.status, a.body)
}

// TokenRenewal returns when the cached token will be renewed (zero if none is cached).
func (c *Client) TokenRenewal() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.token == "" {
		return time.Time{}
	}
	return c.renew
}
