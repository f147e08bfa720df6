package ezviz

import (
	"context"
	"net/url"
	"time"
)

// TokenPath is the token call (named, not printed, in the document).
const TokenPath = "/api/lapp/token/get"

// accessToken returns a cached token, or fetches one when there is none or it
// is about to expire; concurrent callers share one fetch.
func (c *Client) accessToken(ctx context.Context) (Secret, error) {
	return c.tokens.Get(ctx, c.fetchToken)
}

// dropToken forgets tok after the cloud refused it, unless it was already replaced.
func (c *Client) dropToken(tok Secret) { c.tokens.Drop(tok) }

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
func (c *Client) TokenExpiry() time.Time { return c.tokens.Renewal() }
