package outbox_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/lubo-edge/lubo/cloud/outbox"
	"github.com/lubo-edge/lubo/internal/testkit"
	"github.com/lubo-edge/lubo/storage"
)

func TestDeliversInOrderPerTarget(t *testing.T) {
	clock := newFakeClock()
	a, b := newFakeTarget("onenet", clock), newFakeTarget("other", clock)
	fx := newFixture(t, outbox.Options{Targets: []outbox.Target{a, b}, Clock: clock})
	b.setFail(func(context.Context, outbox.Item) error { return errDown }) // b is down: a must not wait for it
	var want []string
	for i := range 20 {
		it := fx.enqueue("onenet", outbox.KindSnapshot, fmt.Sprintf("a%02d", i), 100+i)
		want = append(want, it.Name)
		fx.enqueue("other", outbox.KindSnapshot, fmt.Sprintf("b%02d", i), 10)
	}
	fx.run()
	a.waitStored(t, len(want))
	if got := a.storedOrder(); !slices.Equal(got, want) {
		t.Errorf("stored %v, want %v", got, want)
	}
	fx.stop()
	if s := fx.stats("onenet"); s.Waiting != 0 || s.Successes != 20 || s.Failures != 0 || len(s.Drops) != 0 {
		t.Errorf("onenet stats %+v", s)
	}
	if s := fx.stats("other"); s.Waiting != 20 || s.Failures == 0 || s.Successes != 0 || s.OldestEnqueued != t0 {
		t.Errorf("other stats %+v", s)
	}
	for _, name := range want {
		if exists(filepath.Join(fx.dir, name)) {
			t.Errorf("owned file %s kept after delivery", name)
		}
	}
}

func TestEnqueueSameNameKeepsOne(t *testing.T) {
	target := newFakeTarget("onenet", nil)
	fx := newFixture(t, outbox.Options{Targets: []outbox.Target{target}})
	target.clock = fx.clock
	first := fx.enqueue("onenet", outbox.KindSnapshot, "same", 10)
	second := &outbox.Item{Target: "onenet", Kind: outbox.KindSnapshot, Path: fx.file("same-copy", 10), Owned: true, Name: "same", Size: 10}
	if err := fx.q.Enqueue(second); err != nil {
		t.Fatal(err)
	}
	if second.ID != first.ID || second.Path != first.Path {
		t.Errorf("second enqueue gave %+v, want the first %+v", second, first)
	}
	if exists(filepath.Join(fx.dir, "same-copy")) {
		t.Error("the redundant owned copy was kept")
	}
	third := &outbox.Item{Target: "onenet", Kind: outbox.KindSnapshot, Path: first.Path, Owned: true, Name: "same", Size: 10}
	if err := fx.q.Enqueue(third); err != nil || third.ID != first.ID {
		t.Fatalf("third enqueue: %v, id %d", err, third.ID)
	}
	if !exists(first.Path) {
		t.Error("enqueueing the same file again deleted the queued item's file")
	}
	if n := len(fx.list("")); n != 1 {
		t.Errorf("%d items queued, want 1", n)
	}
	if err := fx.q.Enqueue(&outbox.Item{Target: "nobody", Kind: outbox.KindFile, Path: "/x", Name: "x"}); !errors.Is(err, outbox.ErrUnknownTarget) {
		t.Errorf("unknown target: %v", err)
	}
}

// An answer lost after the platform stored the object: the retry meets
// "duplicate name", which is delivery, not failure.
func TestDuplicateNameIsSuccess(t *testing.T) {
	clock := newFakeClock()
	target := newFakeTarget("onenet", clock)
	target.stored["landed"] = []byte("from the attempt whose answer was lost")
	fx := newFixture(t, outbox.Options{Targets: []outbox.Target{target}, Clock: clock})
	fx.enqueue("onenet", outbox.KindSnapshot, "landed", 10)
	fx.enqueue("onenet", outbox.KindSnapshot, "next", 10)
	fx.run()
	target.waitStored(t, 1)
	fx.stop()
	if got := target.storedOrder(); !slices.Equal(got, []string{"next"}) {
		t.Errorf("stored %v, want only next", got)
	}
	if string(target.stored["landed"]) != "from the attempt whose answer was lost" {
		t.Error("the platform's copy was replaced")
	}
	s := fx.stats("onenet")
	if s.Successes != 2 || s.Duplicates != 1 || s.Failures != 0 || s.Refusals != 0 || s.Waiting != 0 || len(s.Drops) != 0 {
		t.Errorf("stats %+v", s)
	}
	if exists(filepath.Join(fx.dir, "landed")) {
		t.Error("the delivered duplicate's owned file was kept")
	}
}

func TestPermanentRefusalIsSetAside(t *testing.T) {
	clock := newFakeClock()
	target := newFakeTarget("onenet", clock)
	target.setFail(func(_ context.Context, it outbox.Item) error {
		if it.Name == "bad" {
			return fmt.Errorf("upload %s: %w", it.Name, errRefused)
		}
		return nil
	})
	fx := newFixture(t, outbox.Options{Targets: []outbox.Target{target}, Clock: clock})
	fx.enqueue("onenet", outbox.KindSnapshot, "a", 10)
	bad := fx.enqueue("onenet", outbox.KindRecord, "bad", 10)
	fx.enqueue("onenet", outbox.KindSnapshot, "c", 10)
	fx.run()
	target.waitStored(t, 2)
	if got := target.storedOrder(); !slices.Equal(got, []string{"a", "c"}) {
		t.Errorf("stored %v, want a, c", got)
	}
	refused := fx.list(storage.OutboxRefused)
	if len(refused) != 1 || refused[0].ID != bad.ID || !strings.Contains(refused[0].LastError, "invalid name") || refused[0].Attempts != 1 {
		t.Fatalf("refused items %+v", refused)
	}
	if n := len(target.attemptsOf("bad")); n != 1 {
		t.Errorf("a refused item was tried %d times", n)
	}
	testkit.WaitFor(t, "c marked done", func() bool { return fx.stats("onenet").Waiting == 0 })
	if s := fx.stats("onenet"); s.Refusals != 1 || s.Refused != 1 || s.Waiting != 0 || s.Successes != 2 {
		t.Errorf("stats %+v", s)
	}
	if pending, _ := fx.db.Outbox().HasPending(bad.Path); pending {
		t.Error("a refused recording still counts as pending")
	}
	if !exists(bad.Path) {
		t.Error("the refused recording's file was deleted")
	}
	// The operator fixes the cause and retries it.
	target.setFail(nil)
	if err := fx.q.RetryNow(bad.ID); err != nil {
		t.Fatal(err)
	}
	target.waitStored(t, 1)
	fx.stop()
	if len(fx.list("")) != 0 {
		t.Error("retried item still queued")
	}
	if !exists(bad.Path) {
		t.Error("a recording the queue does not own was deleted")
	}
	if !strings.Contains(fx.logs.String(), "upload refused") {
		t.Error("the refusal was not logged")
	}
}

// The platform is down for 24 hours of the fake clock: the head item is
// retried with exponential, jittered waits that never exceed the cap, the
// items behind it wait, and once the platform is back every item arrives
// in order.
func TestDayLongOutage(t *testing.T) {
	clock := newFakeClock()
	target := newFakeTarget("onenet", clock)
	backAt := t0.Add(24 * time.Hour)
	target.setFail(func(context.Context, outbox.Item) error {
		if clock.Now().Before(backAt) {
			return errDown
		}
		return nil
	})
	backoff := outbox.Backoff{Min: time.Second, Max: 10 * time.Minute}
	fx := newFixture(t, outbox.Options{Targets: []outbox.Target{target}, Clock: clock, Backoff: backoff})
	const n = 30
	var want []string
	for i := range n {
		want = append(want, fx.enqueue("onenet", outbox.KindSnapshot, fmt.Sprintf("s%02d", i), 50).Name)
	}
	fx.run()
	delivered := 0
	for delivered < n {
		select {
		case <-target.got:
			delivered++
		case <-clock.added:
			clock.advanceToNext()
		case <-time.After(30 * time.Second):
			t.Fatalf("stuck: %d of %d delivered at %v", delivered, n, clock.Now())
		}
	}
	fx.stop()
	if got := target.storedOrder(); !slices.Equal(got, want) {
		t.Errorf("stored %v, want %v", got, want)
	}
	tries := target.attemptsOf("s00")
	if len(tries) < int(24*time.Hour/backoff.Max) {
		t.Fatalf("only %d attempts in 24 h", len(tries))
	}
	for k := 1; k < len(tries); k++ {
		gap, ceil := tries[k].Sub(tries[k-1]), backoff.Ceiling(k)
		if gap < ceil/2 || gap > ceil {
			t.Errorf("wait after failure %d was %v, want within [%v, %v]", k, gap, ceil/2, ceil)
		}
	}
	if last := tries[len(tries)-1]; last.Before(backAt) || last.Sub(backAt) > backoff.Max {
		t.Errorf("delivered at %v, platform back at %v: more than the cap late", last, backAt)
	}
	for _, name := range want[1:] {
		if tries := target.attemptsOf(name); len(tries) != 1 || !tries[0].Equal(target.attemptsOf("s00")[len(target.attemptsOf("s00"))-1]) {
			t.Errorf("%s: attempts %v, want one, right after the head", name, tries)
		}
	}
	s := fx.stats("onenet")
	if s.Successes != n || s.Failures != uint64(len(tries)-1) || s.Waiting != 0 || !strings.Contains(s.LastError, "503") {
		t.Errorf("stats %+v", s)
	}
}

// Backoff waits stay within [ceiling/2, ceiling] for any jitter, and the
// ceiling doubles from Min to Max.
func TestBackoffWaits(t *testing.T) {
	b := outbox.Backoff{Min: time.Second, Max: 10 * time.Minute}
	wantCeil := []time.Duration{time.Second, 2 * time.Second, 4 * time.Second, 8 * time.Second}
	for i, w := range wantCeil {
		if got := b.Ceiling(i + 1); got != w {
			t.Errorf("Ceiling(%d) = %v, want %v", i+1, got, w)
		}
	}
	for _, failures := range []int{1, 5, 10, 11, 100, 1 << 30} {
		c := b.Ceiling(failures)
		if c > b.Max {
			t.Errorf("Ceiling(%d) = %v above the cap", failures, c)
		}
		for _, r := range []float64{0, 0.5, 0.999999} {
			if w := b.Wait(failures, func() float64 { return r }); w < c/2 || w > c {
				t.Errorf("Wait(%d, %v) = %v outside [%v, %v]", failures, r, w, c/2, c)
			}
		}
	}
}

func TestVanishedFileIsDropped(t *testing.T) {
	clock := newFakeClock()
	target := newFakeTarget("onenet", clock)
	fx := newFixture(t, outbox.Options{Targets: []outbox.Target{target}, Clock: clock})
	gone := fx.enqueue("onenet", outbox.KindSnapshot, "gone", 10)
	fx.enqueue("onenet", outbox.KindSnapshot, "here", 10)
	if err := os.Remove(gone.Path); err != nil {
		t.Fatal(err)
	}
	fx.run()
	target.waitStored(t, 1)
	fx.stop()
	if got := target.storedOrder(); !slices.Equal(got, []string{"here"}) {
		t.Errorf("stored %v", got)
	}
	if s := fx.stats("onenet"); s.Drops[outbox.DropVanished] != 1 || s.Waiting != 0 {
		t.Errorf("stats %+v", s)
	}
	if !strings.Contains(fx.logs.String(), "vanished") {
		t.Error("the drop was not logged")
	}
}

func TestUploadTimeoutIsRetried(t *testing.T) {
	clock := newFakeClock()
	target := newFakeTarget("onenet", clock)
	target.setFail(func(ctx context.Context, _ outbox.Item) error {
		<-ctx.Done() // the platform never answers
		return ctx.Err()
	})
	fx := newFixture(t, outbox.Options{Targets: []outbox.Target{target}, Clock: clock, UploadTimeout: 20 * time.Millisecond})
	it := fx.enqueue("onenet", outbox.KindSnapshot, "slow", 10)
	fx.run()
	<-clock.added // the uploader waits for its retry: the attempt has been recorded
	fx.stop()
	got, err := fx.db.Outbox().Get(it.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.Attempts != 1 || got.NextAttempt.IsZero() || !strings.Contains(got.LastError, "deadline") {
		t.Errorf("after a timed-out attempt: %+v", got)
	}
}

// A shutdown in the middle of an upload leaves the item as it was.
func TestShutdownKeepsItemInFlight(t *testing.T) {
	clock := newFakeClock()
	target := newFakeTarget("onenet", clock)
	started := make(chan struct{})
	target.setFail(func(ctx context.Context, _ outbox.Item) error {
		close(started)
		<-ctx.Done() // never answers; only the context ends the attempt
		return ctx.Err()
	})
	fx := newFixture(t, outbox.Options{Targets: []outbox.Target{target}, Clock: clock})
	it := fx.enqueue("onenet", outbox.KindSnapshot, "inflight", 10)
	fx.run()
	<-started
	fx.stop()
	got, err := fx.db.Outbox().Get(it.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.Attempts != 0 || !got.NextAttempt.IsZero() || got.State != storage.OutboxWaiting || !exists(got.Path) {
		t.Errorf("after shutdown mid-upload: %+v", got)
	}
	if s := fx.stats("onenet"); s.Failures != 0 {
		t.Errorf("a shutdown counted as a failure: %+v", s)
	}
}

func TestOperatorDropAndRetryAll(t *testing.T) {
	clock := newFakeClock()
	target := newFakeTarget("onenet", clock)
	target.setFail(func(context.Context, outbox.Item) error { return errDown })
	fx := newFixture(t, outbox.Options{Targets: []outbox.Target{target}, Clock: clock})
	a := fx.enqueue("onenet", outbox.KindSnapshot, "a", 10)
	fx.enqueue("onenet", outbox.KindSnapshot, "b", 10)
	fx.run()
	<-clock.added // a failed and waits
	// The platform is back before a goes, so b cannot fail behind it and
	// wait on a clock the test does not move.
	target.setFail(nil)
	if err := fx.q.Drop(a.ID); err != nil {
		t.Fatal(err)
	}
	if exists(a.Path) {
		t.Error("dropped item's owned file kept")
	}
	if err := fx.q.Drop(a.ID); !errors.Is(err, storage.ErrNotFound) {
		t.Errorf("second drop: %v", err)
	}
	if _, err := fx.q.RetryAll(""); err != nil {
		t.Fatal(err)
	}
	target.waitStored(t, 1)
	fx.stop()
	if got := target.storedOrder(); !slices.Equal(got, []string{"b"}) {
		t.Errorf("stored %v", got)
	}
	if s := fx.stats("onenet"); s.Drops[outbox.DropOperator] != 1 {
		t.Errorf("stats %+v", s)
	}
}

func TestEnqueueBytesAndSpoolSweep(t *testing.T) {
	clock := newFakeClock()
	target := newFakeTarget("onenet", clock)
	spool := filepath.Join(t.TempDir(), "spool")
	fx := newFixture(t, outbox.Options{Targets: []outbox.Target{target}, Clock: clock, SpoolDir: spool})
	name := outbox.ObjectName("c101", outbox.KindSnapshot, t0, "")
	it := &outbox.Item{Target: "onenet", Kind: outbox.KindSnapshot, Channel: "c101", Name: name}
	if err := fx.q.EnqueueBytes(it, []byte("jpeg bytes")); err != nil {
		t.Fatal(err)
	}
	if !it.Owned || it.Size != 10 || filepath.Dir(it.Path) != spool {
		t.Errorf("spooled item %+v", it)
	}
	orphan := filepath.Join(spool, strings.Repeat("ab", 16))
	if err := os.WriteFile(orphan, []byte("left by a crash"), 0o640); err != nil {
		t.Fatal(err)
	}
	fx.run()
	target.waitStored(t, 1)
	fx.stop()
	if got := string(target.stored[name]); got != "jpeg bytes" {
		t.Errorf("platform got %q", got)
	}
	ents, err := os.ReadDir(spool)
	if err != nil || len(ents) != 0 {
		t.Errorf("spool not empty after delivery and sweep: %v %v", ents, err)
	}
}

func TestObjectName(t *testing.T) {
	at := time.Date(2026, 11, 27, 18, 30, 5, 0, time.FixedZone("CST", 8*3600))
	got := outbox.ObjectName("c101", outbox.KindSnapshot, at, "_1")
	if want := "c101_snapshot_20261127T103005Z_1"; got != want {
		t.Errorf("ObjectName = %q, want %q", got, want)
	}
	if got := outbox.ObjectName("一年级/../x", outbox.KindCover, at, ""); strings.ContainsAny(got, "/一 ") {
		t.Errorf("unsafe name %q", got)
	}
}
