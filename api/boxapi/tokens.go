package boxapi

import (
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"regexp"
	"sync"
	"time"

	"github.com/lubo-edge/lubo/cloud/yunlubo"
)

// TokenLifetime is how long an access token lives (§2.2: 7200 s).
const TokenLifetime = 7200 * time.Second

// maxTokens bounds the tokens kept in memory; past it the one closest to
// expiry is forgotten (its holder gets 1006 and asks again).
const maxTokens = 4096

// unionidPattern is what a unionid looks like; anything else is 1001.
var unionidPattern = regexp.MustCompile(`^[A-Za-z0-9_.~-]{1,256}$`)

// tokenBook issues and checks access tokens. Tokens live in memory only: a
// restart invalidates them and clients ask again after 1006.
type tokenBook struct {
	unionid [32]byte // sha256 of the configured unionid
	now     func() time.Time

	mu     sync.Mutex
	tokens map[string]time.Time // sha256 hex of the token -> expiry
}

func newTokenBook(unionid yunlubo.Secret, now func() time.Time) *tokenBook {
	return &tokenBook{unionid: sha256.Sum256([]byte(unionid.Reveal())), now: now, tokens: map[string]time.Time{}}
}

// issue answers §3.2 for a presented unionid: a new token, or 1001 (not a
// unionid at all) or 1002 (no such account: not this box's unionid).
func (b *tokenBook) issue(unionid string) (token string, code int) {
	if !unionidPattern.MatchString(unionid) {
		return "", yunlubo.CodeInvalidUnionID
	}
	got := sha256.Sum256([]byte(unionid))
	if subtle.ConstantTimeCompare(got[:], b.unionid[:]) != 1 {
		return "", yunlubo.CodeAccountNotFound
	}
	raw := make([]byte, 24)
	if _, err := rand.Read(raw); err != nil {
		return "", yunlubo.CodeNoToken // 1004 on access_token: 生成 token 过程中发生错误
	}
	token = hex.EncodeToString(raw)
	now := b.now()
	b.mu.Lock()
	defer b.mu.Unlock()
	b.sweepLocked(now)
	if len(b.tokens) >= maxTokens {
		var oldest string
		var oldestExp time.Time
		for k, exp := range b.tokens {
			if oldest == "" || exp.Before(oldestExp) {
				oldest, oldestExp = k, exp
			}
		}
		delete(b.tokens, oldest)
	}
	b.tokens[tokenKey(token)] = now.Add(TokenLifetime)
	return token, 0
}

// check answers 0 for a live token, 1004 for none, 1006 for one this box
// did not issue (or forgot), 1007 for an expired one.
func (b *tokenBook) check(token string) int {
	if token == "" {
		return yunlubo.CodeNoToken
	}
	if len(token) > 256 {
		return yunlubo.CodeTokenInvalid
	}
	now := b.now()
	b.mu.Lock()
	defer b.mu.Unlock()
	exp, ok := b.tokens[tokenKey(token)]
	switch {
	case !ok:
		return yunlubo.CodeTokenInvalid
	case !now.Before(exp):
		return yunlubo.CodeTokenExpired
	}
	return 0
}

// sweepLocked forgets tokens expired for more than a day (until then an
// expired token still answers 1007, which tells a client what happened).
func (b *tokenBook) sweepLocked(now time.Time) {
	for k, exp := range b.tokens {
		if now.Sub(exp) > 24*time.Hour {
			delete(b.tokens, k)
		}
	}
}

// tokenKey is how a token is kept: hashed, so the map never holds one.
func tokenKey(token string) string {
	h := sha256.Sum256([]byte(token))
	return hex.EncodeToString(h[:])
}
