package outbox_test

import (
	"context"
	"testing"
	"time"

	"github.com/lubo-edge/lubo/cloud/outbox"
	"github.com/lubo-edge/lubo/storage"
)

// An item enqueued while the uploader idles wakes it: no poll interval.
func TestEnqueueWakesIdleUploader(t *testing.T) {
	clock := newFakeClock()
	target := newFakeTarget("onenet", clock)
	fx := newFixture(t, outbox.Options{Targets: []outbox.Target{target}, Clock: clock})
	fx.run()
	for i, name := range []string{"first", "second"} {
		fx.enqueue("onenet", outbox.KindCover, name, 10+i)
		if got := target.waitStored(t, 1); got[0] != name {
			t.Errorf("stored %v, want %s", got, name)
		}
	}
	fx.stop()
	clock.mu.Lock()
	defer clock.mu.Unlock()
	if len(clock.waiters) != 0 {
		t.Errorf("the uploader set %d timers while nothing failed", len(clock.waiters))
	}
}

func TestStatsDepthAgeAndUnregisteredTargets(t *testing.T) {
	clock := newFakeClock()
	target := newFakeTarget("onenet", clock)
	fx := newFixture(t, outbox.Options{Targets: []outbox.Target{target}, Clock: clock})
	fx.enqueue("onenet", outbox.KindSnapshot, "a", 10)
	clock.mu.Lock()
	clock.now = clock.now.Add(90 * time.Minute)
	clock.mu.Unlock()
	fx.enqueue("onenet", outbox.KindSnapshot, "b", 20)
	// Items of a target this configuration no longer has stay visible.
	if _, err := fx.db.Outbox().Enqueue(&storage.OutboxItem{Target: "gone", Kind: outbox.KindFile, Path: "/x", Name: "x", Size: 5}); err != nil {
		t.Fatal(err)
	}
	stats, err := fx.q.Stats()
	if err != nil {
		t.Fatal(err)
	}
	if len(stats) != 2 || stats[0].Target != "onenet" || stats[1].Target != "gone" {
		t.Fatalf("stats %+v", stats)
	}
	s := stats[0]
	if !s.Registered || s.Waiting != 2 || s.WaitingBytes != 30 || s.OldestAge != 90*time.Minute || !s.OldestEnqueued.Equal(t0) {
		t.Errorf("onenet %+v", s)
	}
	if g := stats[1]; g.Registered || g.Waiting != 1 || g.WaitingBytes != 5 {
		t.Errorf("gone %+v", g)
	}
}

func TestNewRefusesBadOptions(t *testing.T) {
	fx := newFixture(t, outbox.Options{Targets: []outbox.Target{newFakeTarget("x", nil)}})
	for name, opts := range map[string]outbox.Options{
		"no targets":   {},
		"same name":    {Targets: []outbox.Target{newFakeTarget("x", nil), newFakeTarget("x", nil)}},
		"unnamed":      {Targets: []outbox.Target{newFakeTarget("", nil)}},
		"bad min free": {Targets: []outbox.Target{newFakeTarget("x", nil)}, MinFree: outbox.MinFree{Fraction: 1.5}},
	} {
		if _, err := outbox.New(fx.db, opts); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
	if _, err := outbox.New(nil, outbox.Options{Targets: []outbox.Target{newFakeTarget("x", nil)}}); err == nil {
		t.Error("no store: accepted")
	}
}

func TestRunTwiceRefused(t *testing.T) {
	fx := newFixture(t, outbox.Options{Targets: []outbox.Target{newFakeTarget("x", nil)}})
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := fx.q.Run(ctx); err != nil {
		t.Fatalf("first Run: %v", err)
	}
	if err := fx.q.Run(ctx); err == nil {
		t.Error("second Run accepted")
	}
}
