package outbox_test

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/lubo-edge/lubo/cloud/outbox"
)

// fakeDisk is a disk of capacity bytes whose use is measured: the sizes of
// the files under dir.
func fakeDisk(t *testing.T, dir *string, capacity uint64) func() (uint64, uint64, error) {
	return func() (uint64, uint64, error) {
		var used uint64
		err := filepath.WalkDir(*dir, func(_ string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() {
				return err
			}
			info, err := d.Info()
			if err != nil {
				return err
			}
			used += uint64(info.Size())
			return nil
		})
		if err != nil {
			return 0, 0, err
		}
		return capacity - min(used, capacity), capacity, nil
	}
}

// A disk short of its floor drops the oldest queued snapshots first, then
// covers, across targets, counting and logging each; recordings stay.
func TestDiskFloorDropsOldestSnapshotsNeverRecordings(t *testing.T) {
	clock := newFakeClock()
	onenet, other := newFakeTarget("onenet", clock), newFakeTarget("other", clock)
	var dir string
	spool := filepath.Join(t.TempDir(), "spool")
	fx := newFixture(t, outbox.Options{
		SpoolDir: spool,
		Targets:  []outbox.Target{onenet, other},
		Clock:    clock,
		DiskFree: fakeDisk(t, &dir, 10_000),
		MinFree:  outbox.MinFree{Fraction: 0.2}, // 2,000 bytes
	})
	dir = fx.dir
	rec1 := fx.enqueue("onenet", outbox.KindRecord, "rec1", 3000)
	s1 := fx.enqueue("other", outbox.KindSnapshot, "s1", 500)
	s2 := fx.enqueue("onenet", outbox.KindSnapshot, "s2", 500)
	c1 := fx.enqueue("onenet", outbox.KindCover, "c1", 300)
	s3 := fx.enqueue("onenet", outbox.KindSnapshot, "s3", 500)
	s4 := fx.enqueue("onenet", outbox.KindSnapshot, "s4", 500)
	// 5,300 used. A second recording leaves 1,700 free: one snapshot, the
	// oldest (another target's), gives way.
	rec2 := fx.enqueue("onenet", outbox.KindRecord, "rec2", 3000)
	if exists(s1.Path) || !exists(s2.Path) {
		t.Fatalf("after rec2: s1 kept %v, s2 kept %v; want only s1 dropped", exists(s1.Path), exists(s2.Path))
	}
	// A third leaves 200 free: every snapshot, then the cover, goes.
	rec3 := fx.enqueue("onenet", outbox.KindRecord, "rec3", 2000)
	for _, it := range []*outbox.Item{s2, s3, s4, c1} {
		if exists(it.Path) {
			t.Errorf("%s kept below the floor", it.Name)
		}
	}
	// Nothing left to give way: a new snapshot is refused and counted ...
	s5 := &outbox.Item{Target: "onenet", Kind: outbox.KindSnapshot, Path: fx.file("s5", 100), Owned: true, Name: "s5", Size: 100}
	if err := fx.q.Enqueue(s5); !errors.Is(err, outbox.ErrNoSpace) {
		t.Errorf("snapshot below the floor: %v, want ErrNoSpace", err)
	}
	if exists(s5.Path) {
		t.Error("the refused snapshot's owned file kept")
	}
	shot := &outbox.Item{Target: "onenet", Kind: outbox.KindSnapshot, Name: "s6"}
	if err := fx.q.EnqueueBytes(shot, make([]byte, 100)); !errors.Is(err, outbox.ErrNoSpace) {
		t.Errorf("spooled snapshot below the floor: %v, want ErrNoSpace", err)
	}
	if ents, _ := os.ReadDir(spool); len(ents) != 0 {
		t.Errorf("spool holds %d files after a refused snapshot", len(ents))
	}
	// ... but a recording is queued all the same.
	rec4 := fx.enqueue("onenet", outbox.KindRecord, "rec4", 100)

	var left []string
	for _, it := range fx.list("") {
		left = append(left, it.Name)
	}
	if want := []string{"rec1", "rec2", "rec3", "rec4"}; !slices.Equal(left, want) {
		t.Errorf("queued %v, want %v", left, want)
	}
	for _, it := range []*outbox.Item{rec1, rec2, rec3, rec4} {
		pending, err := fx.db.Outbox().HasPending(it.Path)
		if err != nil || !pending || !exists(it.Path) {
			t.Errorf("%s: pending %v (%v), file kept %v", it.Name, pending, err, exists(it.Path))
		}
	}
	if s := fx.stats("onenet"); s.Drops[outbox.DropSpace] != 6 {
		t.Errorf("onenet space drops %d, want 6 (s2, s3, s4, c1, s5, s6)", s.Drops[outbox.DropSpace])
	}
	if s := fx.stats("other"); s.Drops[outbox.DropSpace] != 1 {
		t.Errorf("other space drops %d, want 1", s.Drops[outbox.DropSpace])
	}
	if n := strings.Count(fx.logs.String(), "reason=space"); n != 7 {
		t.Errorf("%d drop log lines, want 7:\n%s", n, fx.logs)
	}
}

func TestMinFreeValidated(t *testing.T) {
	for _, f := range []float64{-0.1, 1, 2} {
		fx := newFixture(t, outbox.Options{Targets: []outbox.Target{newFakeTarget("x", nil)}})
		if _, err := outbox.New(fx.db, outbox.Options{Targets: []outbox.Target{newFakeTarget("x", nil)}, MinFree: outbox.MinFree{Fraction: f}}); err == nil {
			t.Errorf("fraction %v accepted", f)
		}
	}
}

func TestDiskFreeAt(t *testing.T) {
	free, total, err := outbox.DiskFreeAt(t.TempDir())()
	if err != nil || total == 0 || free > total {
		t.Errorf("DiskFreeAt: free %d total %d err %v", free, total, err)
	}
	if _, _, err := outbox.DiskFreeAt(filepath.Join(t.TempDir(), "missing"))(); err == nil {
		t.Error("no error for a missing directory")
	}
}
