package tokencache

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/lubo-edge/lubo/internal/testkit"
)

func TestGetFetchesOnceAndRenewsBeforeExpiry(t *testing.T) {
	clock := testkit.NewManualClock(time.Date(2026, 11, 27, 8, 0, 0, 0, time.UTC))
	c := &Cache[string]{Now: clock.Now, RenewBefore: 5 * time.Minute}
	var fetches atomic.Int64
	release := make(chan struct{})
	fetch := func(context.Context) (string, time.Time, error) {
		n := fetches.Add(1)
		<-release
		return "tok" + string(rune('0'+n)), clock.Now().Add(time.Hour), nil
	}
	var wg sync.WaitGroup
	got := make([]string, 8)
	for i := range got {
		wg.Add(1)
		go func() { defer wg.Done(); got[i], _ = c.Get(context.Background(), fetch) }()
	}
	testkit.WaitFor(t, "the one fetch to start", func() bool { return fetches.Load() == 1 })
	close(release)
	wg.Wait()
	for _, g := range got {
		if g != "tok1" {
			t.Fatalf("callers got %v, want one shared fetch", got)
		}
	}
	if r := c.Renewal(); !r.Equal(clock.Now().Add(55 * time.Minute)) {
		t.Fatalf("renewal at %v", r)
	}
	clock.Advance(56 * time.Minute)
	if tok, _ := c.Get(context.Background(), fetch); tok != "tok2" || fetches.Load() != 2 {
		t.Fatalf("after the renewal time: %s, %d fetches", tok, fetches.Load())
	}
	c.Drop("tok1") // an older token: ignored
	if c.Renewal().IsZero() {
		t.Fatal("dropping an old token forgot the current one")
	}
	c.Drop("tok2")
	if !c.Renewal().IsZero() {
		t.Fatal("the refused token is still cached")
	}
}

func TestAnotherCallersCancelIsNotOurs(t *testing.T) {
	clock := testkit.NewManualClock(time.Unix(0, 0))
	c := &Cache[string]{Now: clock.Now}
	calls := 0
	fetch := func(ctx context.Context) (string, time.Time, error) {
		calls++
		if calls == 1 {
			return "", time.Time{}, context.Canceled
		}
		return "ok", clock.Now().Add(time.Hour), nil
	}
	if _, err := c.Get(context.Background(), fetch); !errors.Is(err, context.Canceled) {
		t.Fatalf("first: %v", err)
	}
	if tok, err := c.Get(context.Background(), fetch); tok != "ok" || err != nil {
		t.Fatalf("second: %q %v", tok, err)
	}
	if at := RenewAt(clock.Now(), clock.Now().Add(-time.Second), time.Minute); !at.Equal(clock.Now()) {
		t.Fatalf("an expired token renews at %v, want now", at)
	}
}
