package ezviz

import (
	"context"
	"errors"
	"net/url"
	"time"
)

// TokenPath is the token call (named, not printed, in the document).
const TokenPath = "/api/lapp/token/get"

// tokenFlight is one token fetch that concurrent callers wait for, so a burst
// of calls with an expired token asks the cloud once.
type tokenFlight struct {
	done chan struct{}
	tok  Secret
	err  error
}

// accessToken returns a cached token, or fetches one when there is none or it
// is about to expire.
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

		tok, exp, err := c.fetchToken(ctx)

		c.mu.Lock()
		if err == nil {
			c.token, c.renew = tok, renewAt(c.cfg.Now(), exp, c.cfg.RenewBefore)
		}
		c.flight = nil
		c.mu.Unlock()
		f.tok, f.err = tok, err
		close(f.done)
		return tok, err
	}
}

// renewAt is when to fetch again: RenewBefore ahead of expiry, but never
// earlier than half way through the token's remaining life.
func renewAt(now, exp time.Time, before time.Duration) time.Time {
	life := exp.Sub(now)
	if life <= 0 {
		return now
	}
	if before > life/2 {
		before = life / 2
	}
	return exp.Add(-before)
}

// dropToken forgets tok after the cloud refused it, unless it was already replaced.
func (c *Client) dropToken(tok Secret) {
	c.mu.Lock()
	if c.token == tok {
		c.token = ""
	}
	c.mu.Unlock()
}

// fetchToken asks for a new access token with the appKey and appSecret.
func (c *Client) fetchToken(ctx context.Context) (Secret, time.Time, error) {
	form := url.Values{"appKey": {c.cfg.AppKey}, "appSecret": {c.cfg.AppSecret.Reveal()}}
	body, err := c.post(ctx, "token", TokenPath, form)
	if err != nil {
		return "", time.Time{}, err
	}
	return decodeToken(body)
}

// TokenExpiry returns when the cached token expires for renewal purposes (zero
// when none is cached); for metrics and tests.
func (c *Client) TokenExpiry() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.token == "" {
		return time.Time{}
	}
	return c.renew
}
