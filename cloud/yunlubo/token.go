package yunlubo

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"sync"
	"time"
)

// DefaultTokenLifetime is the document's token lifetime (7200 s), used when
// the server's expires is missing or not positive.
const DefaultTokenLifetime = 7200 * time.Second

// maxTokenLifetime caps a hostile expires.
const maxTokenLifetime = 7 * 24 * time.Hour

// Token is an access token (访问凭证) obtained from a unionid.
type Token struct {
	Value    Secret
	Obtained time.Time
	Expires  time.Time
	// Account tells which server and unionid the token belongs to (a hash,
	// not the unionid): a stored token of another account is not used.
	Account string
}

// storedToken is the storage form of a Token (the value in clear).
type storedToken struct {
	Value    string    `json:"value"`
	Obtained time.Time `json:"obtained"`
	Expires  time.Time `json:"expires"`
	Account  string    `json:"account"`
}

// EncodeToken is the form a TokenStore may keep on disk. The token value is
// in it in clear: json.Marshal of a Token would write "******" instead.
func EncodeToken(t Token) []byte {
	b, _ := json.Marshal(storedToken{t.Value.Reveal(), t.Obtained, t.Expires, t.Account})
	return b
}

// DecodeToken reads what EncodeToken wrote.
func DecodeToken(b []byte) (Token, error) {
	var st storedToken
	if err := json.Unmarshal(b, &st); err != nil {
		return Token{}, fmt.Errorf("yunlubo: stored token: %w", err)
	}
	return Token{Value: Secret(st.Value), Obtained: st.Obtained, Expires: st.Expires, Account: st.Account}, nil
}

// TokenStore keeps the token across restarts (lubo backs it with bbolt).
// LoadToken returns the zero Token and a nil error when it has none.
type TokenStore interface {
	LoadToken(ctx context.Context) (Token, error)
	SaveToken(ctx context.Context, t Token) error
}

// MemoryTokenStore is a TokenStore in memory, safe for concurrent use.
type MemoryTokenStore struct {
	mu sync.Mutex
	t  Token
}

// LoadToken returns the saved token.
func (m *MemoryTokenStore) LoadToken(context.Context) (Token, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.t, nil
}

// SaveToken replaces the saved token.
func (m *MemoryTokenStore) SaveToken(_ context.Context, t Token) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.t = t
	return nil
}

func accountOf(base string, unionid Secret) string {
	h := sha256.Sum256([]byte(base + "\x00" + unionid.Reveal()))
	return hex.EncodeToString(h[:8])
}

// tokenFlight is one renewal in progress; others wait for its result.
type tokenFlight struct {
	done chan struct{}
	tok  Token
	err  error
}

// token returns a usable token other than stale (a token the server just
// refused), renewing it if needed. One renewal runs at a time.
func (c *Client) token(ctx context.Context, stale Secret) (Secret, error) {
	for {
		c.mu.Lock()
		if c.loaded && c.usable(c.tok) && c.tok.Value != stale {
			v := c.tok.Value
			c.mu.Unlock()
			return v, nil
		}
		if f := c.flight; f != nil {
			c.mu.Unlock()
			select {
			case <-ctx.Done():
				return "", fmt.Errorf("yunlubo: waiting for a token: %w", ctx.Err())
			case <-f.done:
			}
			if f.err != nil {
				return "", f.err
			}
			if f.tok.Value != stale {
				return f.tok.Value, nil
			}
			continue
		}
		f := &tokenFlight{done: make(chan struct{})}
		c.flight = f
		tryStore := !c.loaded
		c.loaded = true
		c.mu.Unlock()

		f.tok, f.err = c.obtain(ctx, tryStore, stale)
		c.mu.Lock()
		if f.err == nil {
			c.tok = f.tok
		}
		c.flight = nil
		c.mu.Unlock()
		close(f.done)
		if f.err != nil {
			return "", f.err
		}
		return f.tok.Value, nil
	}
}

// usable: not empty and not within the renewal margin of its expiry.
func (c *Client) usable(t Token) bool {
	if t.Value == "" || t.Account != c.account {
		return false
	}
	margin := min(c.opts.RenewBefore, t.Expires.Sub(t.Obtained)/4)
	return c.opts.Now().Before(t.Expires.Add(-margin))
}

// obtain takes the stored token if it is still good, else asks access_token.
func (c *Client) obtain(ctx context.Context, tryStore bool, stale Secret) (Token, error) {
	if tryStore {
		t, err := c.opts.Tokens.LoadToken(ctx)
		switch {
		case err != nil:
			c.log.Warn("yunlubo: loading the stored token", "err", c.scrub(err, t.Value))
		case c.usable(t) && t.Value != stale:
			return t, nil
		}
	}
	t, err := c.requestToken(ctx)
	if err != nil {
		return Token{}, err
	}
	if err := c.opts.Tokens.SaveToken(ctx, t); err != nil {
		c.log.Warn("yunlubo: saving the token", "err", c.scrub(err, t.Value))
	}
	c.log.Debug("yunlubo: new token", "expires", t.Expires)
	return t, nil
}

// requestToken is §3.2: unionid -> token, expires.
func (c *Client) requestToken(ctx context.Context) (Token, error) {
	var ans struct {
		Token   Secret `json:"token"`
		Expires Int    `json:"expires"`
	}
	params := url.Values{"unionid": {c.opts.UnionID.Reveal()}}
	body, err := c.fetch(ctx, EndpointAccessToken, params, "")
	if err != nil {
		return Token{}, err
	}
	if err := c.decode(EndpointAccessToken, body, &ans, ""); err != nil {
		return Token{}, err
	}
	if ans.Token == "" {
		return Token{}, errors.New("yunlubo: access_token: answer without a token")
	}
	life := DefaultTokenLifetime
	if ans.Expires > 0 && ans.Expires < Int(maxTokenLifetime/time.Second) {
		life = time.Duration(ans.Expires) * time.Second
	}
	now := c.opts.Now()
	return Token{Value: ans.Token, Obtained: now, Expires: now.Add(life), Account: c.account}, nil
}

// RenewToken fetches a new token now, whatever the cached one's state.
func (c *Client) RenewToken(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, c.opts.CallTimeout)
	defer cancel()
	c.mu.Lock()
	stale := c.tok.Value
	c.loaded = true
	c.mu.Unlock()
	if stale == "" {
		stale = "\x00" // nothing cached: any new token will do
	}
	_, err := c.token(ctx, stale)
	return err
}
