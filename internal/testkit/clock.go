package testkit

import (
	"context"
	"sync"
	"time"
)

// ManualClock is a clock for tests: Now stands still until Advance or
// Sleep moves it. Hand Now to both an emulator and the client under test,
// and Sleep to the client, so expiry and backoff happen without waiting.
type ManualClock struct {
	mu  sync.Mutex
	now time.Time
}

// NewManualClock starts a clock at start.
func NewManualClock(start time.Time) *ManualClock { return &ManualClock{now: start} }

// Now returns the clock's time.
func (c *ManualClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

// Advance moves the clock forward by d.
func (c *ManualClock) Advance(d time.Duration) {
	c.mu.Lock()
	c.now = c.now.Add(d)
	c.mu.Unlock()
}

// Sleep advances the clock by d at once, unless ctx is already done.
func (c *ManualClock) Sleep(ctx context.Context, d time.Duration) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	c.Advance(d)
	return nil
}

// MemStore is an in-memory version of the small key-value state lubo keeps
// in its store (storage.DB's GetState/PutState).
type MemStore struct {
	mu sync.Mutex
	m  map[string][]byte
}

// GetState returns a copy of key's value, nil when there is none.
func (s *MemStore) GetState(key string) ([]byte, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if v, ok := s.m[key]; ok {
		return append([]byte{}, v...), nil
	}
	return nil, nil
}

// PutState stores a copy of value.
func (s *MemStore) PutState(key string, value []byte) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.m == nil {
		s.m = map[string][]byte{}
	}
	s.m[key] = append([]byte{}, value...)
	return nil
}
