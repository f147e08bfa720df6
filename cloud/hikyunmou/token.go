package hikyunmou

import (
	"context"
	"net/http"
	"net/url"
	"time"
)

// accessToken returns the cached bearer token or fetches a new one;
// concurrent callers share one fetch.
func (c *Client) accessToken(ctx context.Context) (Secret, error) {
	return c.tokens.Get(ctx, func(ctx context.Context) (Secret, time.Time, error) {
		tok, life, err := c.fetchToken(ctx)
		return tok, c.cfg.Now().Add(life), err
	})
}

func (c *Client) dropToken(tok Secret) { c.tokens.Drop(tok) }

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
func (c *Client) TokenRenewal() time.Time { return c.tokens.Renewal() }
