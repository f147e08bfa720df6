// Package tokencache keeps the access token of one cloud account for the
// vendor clients: a token is fetched once for any number of concurrent
// callers, reused until a little before it expires, and dropped when the
// cloud refuses it.
package tokencache

import (
	"context"
	"errors"
	"sync"
	"time"
)

// Cache holds one token. The zero Cache is ready once Now is set.
type Cache[T comparable] struct {
	// Now is the clock of expiry. Required.
	Now func() time.Time
	// RenewBefore renews a token this long before it expires, but never
	// earlier than half way through its life.
	RenewBefore time.Duration

	mu     sync.Mutex
	tok    T
	renew  time.Time
	flight *flight[T]
}

// flight is one fetch that concurrent callers wait for.
type flight[T comparable] struct {
	done chan struct{}
	tok  T
	err  error
}

// Get returns the cached token, or fetches one (fetch returns the token
// and when it expires) when there is none or it is due for renewal.
func (c *Cache[T]) Get(ctx context.Context, fetch func(context.Context) (T, time.Time, error)) (T, error) {
	var zero T
	for {
		c.mu.Lock()
		if c.tok != zero && c.Now().Before(c.renew) {
			tok := c.tok
			c.mu.Unlock()
			return tok, nil
		}
		if f := c.flight; f != nil {
			c.mu.Unlock()
			select {
			case <-f.done:
			case <-ctx.Done():
				return zero, ctx.Err()
			}
			// Another caller's cancellation is not ours: try again ourselves.
			if f.err != nil && (errors.Is(f.err, context.Canceled) || errors.Is(f.err, context.DeadlineExceeded)) && ctx.Err() == nil {
				continue
			}
			return f.tok, f.err
		}
		f := &flight[T]{done: make(chan struct{})}
		c.flight = f
		c.mu.Unlock()

		tok, exp, err := fetch(ctx)

		c.mu.Lock()
		if err == nil {
			c.tok, c.renew = tok, RenewAt(c.Now(), exp, c.RenewBefore)
		}
		c.flight = nil
		c.mu.Unlock()
		f.tok, f.err = tok, err
		close(f.done)
		return tok, err
	}
}

// Drop forgets tok after the cloud refused it, unless it was already
// replaced.
func (c *Cache[T]) Drop(tok T) {
	var zero T
	c.mu.Lock()
	if c.tok == tok {
		c.tok = zero
	}
	c.mu.Unlock()
}

// Renewal is when the cached token will be renewed; zero when none is
// cached.
func (c *Cache[T]) Renewal() time.Time {
	var zero T
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.tok == zero {
		return time.Time{}
	}
	return c.renew
}

// RenewAt is when to fetch again: before ahead of expiry, but never
// earlier than half way through the token's remaining life.
func RenewAt(now, exp time.Time, before time.Duration) time.Time {
	life := exp.Sub(now)
	if life <= 0 {
		return now
	}
	if before > life/2 {
		before = life / 2
	}
	return exp.Add(-before)
}
