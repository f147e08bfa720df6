package storage

import (
	"errors"
	"fmt"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
)

func outboxItem(target string, kind OutboxKind, name string) *OutboxItem {
	return &OutboxItem{
		Target:  target,
		Kind:    kind,
		Channel: "c101",
		Path:    "/data/outbox/" + target + "/" + name + ".jpg",
		Owned:   kind != OutboxRecord,
		Name:    name,
		Meta:    map[string]string{"device_id": "42", "channel_id": "1"},
		Size:    int64(len(name)) * 100,
	}
}

func mustEnqueue(t testing.TB, o *Outbox, it *OutboxItem) *OutboxItem {
	t.Helper()
	created, err := o.Enqueue(it)
	if err != nil {
		t.Fatalf("Enqueue(%s %s): %v", it.Target, it.Name, err)
	}
	if !created {
		t.Fatalf("Enqueue(%s %s): not created", it.Target, it.Name)
	}
	return it
}

func mustCheckOutbox(t testing.TB, o *Outbox) {
	t.Helper()
	if err := o.Check(); err != nil {
		t.Fatal(err)
	}
}

func headName(t testing.TB, o *Outbox, target string) string {
	t.Helper()
	it, err := o.Head(target)
	if errors.Is(err, ErrNotFound) {
		return ""
	}
	if err != nil {
		t.Fatal(err)
	}
	return it.Name
}

func itemNames(items []*OutboxItem) []string {
	var out []string
	for _, it := range items {
		out = append(out, it.Name)
	}
	return out
}

func TestOutboxEmptyStore(t *testing.T) {
	o := openTest(t).Outbox()
	if _, err := o.Head("onenet"); !errors.Is(err, ErrNotFound) {
		t.Errorf("Head on an empty store: %v, want ErrNotFound", err)
	}
	if _, err := o.Get(1); !errors.Is(err, ErrNotFound) {
		t.Errorf("Get on an empty store: %v, want ErrNotFound", err)
	}
	if _, err := o.MarkDone(1); !errors.Is(err, ErrNotFound) {
		t.Errorf("MarkDone on an empty store: %v, want ErrNotFound", err)
	}
	items, err := o.List(OutboxFilter{})
	if err != nil || len(items) != 0 {
		t.Errorf("List: %v %v", items, err)
	}
	stats, err := o.Stats()
	if err != nil || len(stats) != 0 {
		t.Errorf("Stats: %v %v", stats, err)
	}
	if p, err := o.HasPending("/x"); err != nil || p {
		t.Errorf("HasPending: %v %v", p, err)
	}
	mustCheckOutbox(t, o)
}

func TestOutboxEnqueueIsIdempotent(t *testing.T) {
	o := openTest(t).Outbox()
	first := mustEnqueue(t, o, outboxItem("onenet", OutboxSnapshot, "c101_20261127T101800Z"))
	if first.ID == 0 || first.State != OutboxWaiting || first.Enqueued.IsZero() {
		t.Fatalf("enqueued item not filled in: %+v", first)
	}
	again := outboxItem("onenet", OutboxSnapshot, "c101_20261127T101800Z")
	again.Path = "/elsewhere.jpg"
	created, err := o.Enqueue(again)
	if err != nil || created {
		t.Fatalf("second Enqueue: created %v, %v", created, err)
	}
	if again.ID != first.ID || again.Path != first.Path {
		t.Errorf("second Enqueue returned %+v, want the stored %+v", again, first)
	}
	// The same name for another target is another upload.
	other := mustEnqueue(t, o, outboxItem("tplink", OutboxSnapshot, "c101_20261127T101800Z"))
	if other.ID == first.ID {
		t.Error("two targets share an id")
	}
	items, err := o.List(OutboxFilter{})
	if err != nil || len(items) != 2 {
		t.Fatalf("List: %d items, %v; want 2", len(items), err)
	}
	mustCheckOutbox(t, o)
}

func TestOutboxOrderPerTarget(t *testing.T) {
	o := openTest(t).Outbox()
	for i := range 5 {
		mustEnqueue(t, o, outboxItem("onenet", OutboxSnapshot, fmt.Sprintf("a%d", i)))
		mustEnqueue(t, o, outboxItem("onenet2", OutboxSnapshot, fmt.Sprintf("b%d", i)))
	}
	var got []string
	for {
		it, err := o.Head("onenet")
		if errors.Is(err, ErrNotFound) {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, it.Name)
		if _, err := o.MarkDone(it.ID); err != nil {
			t.Fatal(err)
		}
	}
	if want := []string{"a0", "a1", "a2", "a3", "a4"}; !slices.Equal(got, want) {
		t.Errorf("onenet delivered %v, want %v", got, want)
	}
	// "onenet" is a prefix of "onenet2": its queue must be untouched.
	if h := headName(t, o, "onenet2"); h != "b0" {
		t.Errorf("onenet2 head %q, want b0", h)
	}
	mustCheckOutbox(t, o)
}

func TestOutboxFailedAndRefused(t *testing.T) {
	o := openTest(t).Outbox()
	a := mustEnqueue(t, o, outboxItem("onenet", OutboxSnapshot, "a"))
	b := mustEnqueue(t, o, outboxItem("onenet", OutboxRecord, "b"))
	now := time.Date(2026, 11, 27, 10, 0, 0, 0, time.UTC)

	got, err := o.MarkFailed(a.ID, now.Add(time.Minute), "platform said 503")
	if err != nil {
		t.Fatal(err)
	}
	if got.Attempts != 1 || !got.NextAttempt.Equal(now.Add(time.Minute)) || got.LastError != "platform said 503" {
		t.Errorf("after MarkFailed: %+v", got)
	}
	head, err := o.Head("onenet")
	if err != nil || head.ID != a.ID {
		t.Fatalf("the failed head must still block its target: %v %v", head, err)
	}
	if head.Due(now) || !head.Due(now.Add(time.Minute)) {
		t.Errorf("Due wrong around NextAttempt %v", head.NextAttempt)
	}

	if _, err := o.MarkRefused(a.ID, "invalid name"); err != nil {
		t.Fatal(err)
	}
	if h := headName(t, o, "onenet"); h != "b" {
		t.Errorf("after refusing a, head %q, want b", h)
	}
	refused, err := o.List(OutboxFilter{State: OutboxRefused})
	if err != nil || len(refused) != 1 || refused[0].ID != a.ID || refused[0].Attempts != 2 || refused[0].Due(now.Add(time.Hour)) {
		t.Fatalf("refused list %+v, %v", refused, err)
	}
	stats, err := o.Stats()
	if err != nil || len(stats) != 1 || stats[0].Waiting != 1 || stats[0].Refused != 1 ||
		stats[0].WaitingBytes != b.Size || stats[0].RefusedBytes != a.Size || !stats[0].OldestEnqueued.Equal(b.Enqueued) {
		t.Errorf("stats %+v, %v", stats, err)
	}
	mustCheckOutbox(t, o)

	// Retried, a goes back to its place in front of b.
	if _, err := o.RetryNow(a.ID); err != nil {
		t.Fatal(err)
	}
	if h := headName(t, o, "onenet"); h != "a" {
		t.Errorf("after RetryNow, head %q, want a", h)
	}
	if it, _ := o.Get(a.ID); !it.Due(now) || it.Attempts != 2 {
		t.Errorf("retried item %+v not due at once", it)
	}
	mustCheckOutbox(t, o)
}

func TestOutboxRetryAll(t *testing.T) {
	o := openTest(t).Outbox()
	later := time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)
	var ids []uint64
	for i, target := range []string{"onenet", "onenet", "tplink"} {
		it := mustEnqueue(t, o, outboxItem(target, OutboxSnapshot, fmt.Sprint(i)))
		if _, err := o.MarkFailed(it.ID, later, "down"); err != nil {
			t.Fatal(err)
		}
		ids = append(ids, it.ID)
	}
	if _, err := o.MarkRefused(ids[1], "no"); err != nil {
		t.Fatal(err)
	}
	n, err := o.RetryAll("onenet")
	if err != nil || n != 2 {
		t.Fatalf("RetryAll(onenet) = %d, %v; want 2", n, err)
	}
	for i, id := range ids {
		it, err := o.Get(id)
		if err != nil {
			t.Fatal(err)
		}
		if wantDue := i < 2; it.Due(later.Add(-time.Hour)) != wantDue {
			t.Errorf("item %d due %v, want %v", i, !wantDue, wantDue)
		}
	}
	if n, err := o.RetryAll(""); err != nil || n != 1 {
		t.Errorf("RetryAll(\"\") = %d, %v; want 1", n, err)
	}
	mustCheckOutbox(t, o)
}

func TestOutboxDropOldestOwned(t *testing.T) {
	o := openTest(t).Outbox()
	notOwned := outboxItem("onenet", OutboxSnapshot, "s0")
	notOwned.Owned = false
	mustEnqueue(t, o, notOwned)
	mustEnqueue(t, o, outboxItem("onenet", OutboxRecord, "r1"))
	mustEnqueue(t, o, outboxItem("tplink", OutboxSnapshot, "s2"))
	mustEnqueue(t, o, outboxItem("onenet", OutboxSnapshot, "s3"))
	refused := mustEnqueue(t, o, outboxItem("onenet", OutboxCover, "c4"))
	if _, err := o.MarkRefused(refused.ID, "no"); err != nil {
		t.Fatal(err)
	}

	var dropped []string
	for {
		it, err := o.DropOldestOwned(OutboxSnapshot)
		if errors.Is(err, ErrNotFound) {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		dropped = append(dropped, it.Name)
	}
	if want := []string{"s2", "s3"}; !slices.Equal(dropped, want) {
		t.Errorf("dropped snapshots %v, want %v (oldest owned first, across targets)", dropped, want)
	}
	if it, err := o.DropOldestOwned(OutboxCover); err != nil || it.Name != "c4" {
		t.Errorf("a refused owned cover is droppable: %v %v", it, err)
	}
	left, err := o.List(OutboxFilter{})
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"s0", "r1"}; !slices.Equal(itemNames(left), want) {
		t.Errorf("left %v, want %v", itemNames(left), want)
	}
	mustCheckOutbox(t, o)
}

func TestOutboxHasPending(t *testing.T) {
	o := openTest(t).Outbox()
	rec := outboxItem("onenet", OutboxRecord, "r")
	rec.Path = "c101/2026-11-27/101800_1.mp4"
	mustEnqueue(t, o, rec)
	other := outboxItem("tplink", OutboxRecord, "r")
	other.Path = rec.Path
	mustEnqueue(t, o, other)

	pending := func(p string) bool {
		t.Helper()
		ok, err := o.HasPending(p)
		if err != nil {
			t.Fatal(err)
		}
		return ok
	}
	if !pending(rec.Path) || pending("c101/2026-11-27/101800_1.mp") || pending(rec.Path+"4") {
		t.Fatal("HasPending must match the exact path only")
	}
	if _, err := o.MarkDone(rec.ID); err != nil {
		t.Fatal(err)
	}
	if !pending(rec.Path) {
		t.Error("still waiting for tplink, but not pending")
	}
	paths, err := o.PendingPaths()
	if err != nil || len(paths) != 1 || !paths[rec.Path] {
		t.Errorf("PendingPaths %v %v", paths, err)
	}
	if _, err := o.MarkRefused(other.ID, "too big"); err != nil {
		t.Fatal(err)
	}
	if pending(rec.Path) {
		t.Error("a refused item still holds its recording")
	}
	if _, err := o.RetryNow(other.ID); err != nil {
		t.Fatal(err)
	}
	if !pending(rec.Path) {
		t.Error("a retried item does not hold its recording")
	}
	mustCheckOutbox(t, o)
}

func TestOutboxStatsAndTotals(t *testing.T) {
	o := openTest(t).Outbox()
	a := mustEnqueue(t, o, outboxItem("onenet", OutboxSnapshot, "a"))
	b := mustEnqueue(t, o, outboxItem("onenet", OutboxSnapshot, "bb"))
	stats, err := o.Stats()
	if err != nil || len(stats) != 1 {
		t.Fatalf("Stats %v %v", stats, err)
	}
	want := OutboxTargetStats{Target: "onenet", Waiting: 2, WaitingBytes: a.Size + b.Size, OldestEnqueued: a.Enqueued}
	if s := stats[0]; s.Target != want.Target || s.Waiting != want.Waiting || s.WaitingBytes != want.WaitingBytes || !s.OldestEnqueued.Equal(want.OldestEnqueued) {
		t.Errorf("stats %+v, want %+v", s, want)
	}
	for _, id := range []uint64{a.ID, b.ID} {
		if _, err := o.Drop(id); err != nil {
			t.Fatal(err)
		}
	}
	if stats, err := o.Stats(); err != nil || len(stats) != 0 {
		t.Errorf("an empty target still listed: %+v %v", stats, err)
	}
	mustCheckOutbox(t, o)
}

func TestOutboxRefusesBadItems(t *testing.T) {
	o := openTest(t).Outbox()
	long := strings.Repeat("x", maxOutboxName+1)
	cases := map[string]func(*OutboxItem){
		"no target":     func(it *OutboxItem) { it.Target = "" },
		"long target":   func(it *OutboxItem) { it.Target = long[:maxOutboxTarget+1] },
		"nul target":    func(it *OutboxItem) { it.Target = "one\x00net" },
		"bad kind":      func(it *OutboxItem) { it.Kind = "movie" },
		"no name":       func(it *OutboxItem) { it.Name = "" },
		"long name":     func(it *OutboxItem) { it.Name = long },
		"nul name":      func(it *OutboxItem) { it.Name = "a\x00b" },
		"no path":       func(it *OutboxItem) { it.Path = "" },
		"nul path":      func(it *OutboxItem) { it.Path = "/a\x00" },
		"latin-1 name":  func(it *OutboxItem) { it.Name = "caf\xe9" },
		"latin-1 path":  func(it *OutboxItem) { it.Path = "/caf\xe9.jpg" },
		"latin-1 meta":  func(it *OutboxItem) { it.Meta = map[string]string{"desc": "\xff"} },
		"negative size": func(it *OutboxItem) { it.Size = -1 },
		"huge meta":     func(it *OutboxItem) { it.Meta = map[string]string{"k": strings.Repeat("v", maxOutboxMetaText)} },
	}
	for name, spoil := range cases {
		it := outboxItem("onenet", OutboxSnapshot, "n")
		spoil(it)
		if _, err := o.Enqueue(it); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
	if items, _ := o.List(OutboxFilter{}); len(items) != 0 {
		t.Errorf("refused items were stored: %v", itemNames(items))
	}
}

func TestOutboxCutsLongErrors(t *testing.T) {
	o := openTest(t).Outbox()
	it := mustEnqueue(t, o, outboxItem("onenet", OutboxSnapshot, "a"))
	long := strings.Repeat("错", MaxOutboxError) // 3 bytes a rune
	got, err := o.MarkFailed(it.ID, time.Time{}, long)
	if err != nil {
		t.Fatal(err)
	}
	if len(got.LastError) > MaxOutboxError || !strings.HasPrefix(long, got.LastError) || len(got.LastError) < MaxOutboxError-3 {
		t.Errorf("LastError cut to %d bytes", len(got.LastError))
	}
}

func TestOutboxSurvivesReopen(t *testing.T) {
	path := filepath.Join(t.TempDir(), "lubo.db")
	db, err := Open(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	o := db.Outbox()
	a := mustEnqueue(t, o, outboxItem("onenet", OutboxSnapshot, "a"))
	mustEnqueue(t, o, outboxItem("onenet", OutboxSnapshot, "b"))
	if _, err := o.MarkFailed(a.ID, time.Unix(1e9, 0), "down"); err != nil {
		t.Fatal(err)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	o = openAt(t, path).Outbox()
	head, err := o.Head("onenet")
	if err != nil || head.Name != "a" || head.Attempts != 1 || !head.NextAttempt.Equal(time.Unix(1e9, 0)) {
		t.Fatalf("after reopen head %+v, %v", head, err)
	}
	c := mustEnqueue(t, o, outboxItem("onenet", OutboxSnapshot, "c"))
	if c.ID <= a.ID {
		t.Errorf("ids went back after reopen: %d after %d", c.ID, a.ID)
	}
	mustCheckOutbox(t, o)
}

// FuzzOutboxOps runs a program of outbox operations, with item fields
// from the fuzzer, against a model: after every step the store must agree
// with the model on each target's head, the totals and pending paths, and
// Check must pass. Nothing may panic.
func FuzzOutboxOps(f *testing.F) {
	f.Add([]byte{0, 1, 2, 3, 4, 5, 6, 7, 0, 0, 1, 1, 2, 2}, "c101_snapshot_20261127T101800Z", "/data/x.jpg")
	f.Add([]byte{0, 0, 0, 9, 3, 1, 4, 0, 6, 6, 6}, "a\x00b", "")
	f.Add([]byte{0, 8, 0, 16, 0, 24, 5, 1, 7, 0}, strings.Repeat("n", 600), "p")
	f.Add([]byte("00"), "\xbe", "0") // invalid UTF-8 once broke the name index
	targets := []string{"onenet", "onenet2", "t"}
	kinds := []OutboxKind{OutboxSnapshot, OutboxCover, OutboxRecord, OutboxFile, "bogus"}
	f.Fuzz(func(t *testing.T, prog []byte, name, path string) {
		if len(prog) > 64 {
			prog = prog[:64]
		}
		o := openTest(t).Outbox()
		model := map[uint64]*OutboxItem{}
		for i := 0; i+1 < len(prog); i += 2 {
			op, arg := prog[i]%8, int(prog[i+1])
			target := targets[arg%len(targets)]
			head := modelHead(model, target)
			switch op {
			case 0, 1: // enqueue
				it := &OutboxItem{Target: target, Kind: kinds[arg%len(kinds)], Name: name + strconv.Itoa(arg%4), Path: path + strconv.Itoa(arg%3), Owned: arg%2 == 0, Size: int64(arg)}
				valid := it.validate() == nil
				created, err := o.Enqueue(it)
				if valid != (err == nil) {
					t.Fatalf("enqueue %+v: valid %v, err %v", it, valid, err)
				}
				if created {
					c := *it
					model[it.ID] = &c
				}
			case 2:
				if head != nil {
					if _, err := o.MarkDone(head.ID); err != nil {
						t.Fatal(err)
					}
					delete(model, head.ID)
				}
			case 3:
				if head != nil {
					if _, err := o.MarkFailed(head.ID, time.Unix(int64(arg), 0), "e"); err != nil {
						t.Fatal(err)
					}
					head.Attempts++
				}
			case 4:
				if head != nil {
					if _, err := o.MarkRefused(head.ID, "r"); err != nil {
						t.Fatal(err)
					}
					head.State = OutboxRefused
				}
			case 5:
				_, err := o.RetryNow(uint64(arg % 8))
				if it := model[uint64(arg%8)]; it != nil {
					it.State = OutboxWaiting
				} else if !errors.Is(err, ErrNotFound) {
					t.Fatalf("RetryNow of a missing item: %v", err)
				}
			case 6:
				_, err := o.Drop(uint64(arg % 8))
				if model[uint64(arg%8)] == nil && !errors.Is(err, ErrNotFound) {
					t.Fatalf("Drop of a missing item: %v", err)
				}
				delete(model, uint64(arg%8))
			case 7:
				kind := kinds[arg%len(kinds)]
				it, err := o.DropOldestOwned(kind)
				var want *OutboxItem
				for _, m := range model {
					if m.Kind == kind && m.Owned && (want == nil || m.ID < want.ID) {
						want = m
					}
				}
				if want == nil {
					if !errors.Is(err, ErrNotFound) {
						t.Fatalf("DropOldestOwned(%s) = %v, %v; want none", kind, it, err)
					}
				} else if err != nil || it.ID != want.ID {
					t.Fatalf("DropOldestOwned(%s) = %v, %v; want %d", kind, it, err, want.ID)
				} else {
					delete(model, want.ID)
				}
			}
			compareOutbox(t, o, model, targets)
		}
	})
}

func modelHead(model map[uint64]*OutboxItem, target string) *OutboxItem {
	var head *OutboxItem
	for _, it := range model {
		if it.Target == target && it.State == OutboxWaiting && (head == nil || it.ID < head.ID) {
			head = it
		}
	}
	return head
}

func compareOutbox(t *testing.T, o *Outbox, model map[uint64]*OutboxItem, targets []string) {
	t.Helper()
	mustCheckOutbox(t, o)
	for _, target := range targets {
		want := modelHead(model, target)
		got, err := o.Head(target)
		switch {
		case want == nil && !errors.Is(err, ErrNotFound):
			t.Fatalf("%s: head %v, %v; want none", target, got, err)
		case want != nil && (err != nil || got.ID != want.ID || got.Attempts != want.Attempts):
			t.Fatalf("%s: head %+v, %v; want %+v", target, got, err, want)
		}
	}
	pending := map[string]bool{}
	for _, it := range model {
		if it.State == OutboxWaiting {
			pending[it.Path] = true
		}
	}
	got, err := o.PendingPaths()
	if err != nil || len(got) != len(pending) {
		t.Fatalf("pending paths %v, %v; want %v", got, err, pending)
	}
	for p := range pending {
		if ok, err := o.HasPending(p); !ok || err != nil || !got[p] {
			t.Fatalf("%q not pending (%v)", p, err)
		}
	}
}
