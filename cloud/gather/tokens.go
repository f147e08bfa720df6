package gather

import (
	"context"

	"github.com/lubo-edge/lubo/cloud/yunlubo"
)

// TokenStore keeps the server's access token in the store, so a restart
// does not ask for a new one.
type TokenStore struct{ Store Store }

const tokenKey = "yunlubo/token"

// LoadToken returns the stored token, the zero Token when there is none.
func (t TokenStore) LoadToken(context.Context) (yunlubo.Token, error) {
	b, err := t.Store.GetState(tokenKey)
	if err != nil || b == nil {
		return yunlubo.Token{}, err
	}
	return yunlubo.DecodeToken(b)
}

// SaveToken stores t.
func (t TokenStore) SaveToken(_ context.Context, tok yunlubo.Token) error {
	return t.Store.PutState(tokenKey, yunlubo.EncodeToken(tok))
}
