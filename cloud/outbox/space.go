package outbox

import (
	"errors"
	"fmt"
	"math"
	"syscall"

	"github.com/lubo-edge/lubo/storage"
)

// MinFree is the disk floor: the larger of Bytes and Fraction of the
// disk's size. The zero value keeps no floor.
type MinFree struct {
	Bytes    uint64
	Fraction float64 // 0.1 for "10%"
}

func (m MinFree) validate() error {
	if math.IsNaN(m.Fraction) || m.Fraction < 0 || m.Fraction >= 1 {
		return fmt.Errorf("outbox: min free fraction %v is not in [0, 1)", m.Fraction)
	}
	return nil
}

func (m MinFree) floor(total uint64) uint64 {
	return max(m.Bytes, uint64(m.Fraction*float64(total)))
}

// DiskFreeAt returns an Options.DiskFree for the file system holding dir:
// the bytes an unprivileged writer may still use, and the size.
func DiskFreeAt(dir string) func() (free, total uint64, err error) {
	return func() (uint64, uint64, error) {
		var st syscall.Statfs_t
		if err := syscall.Statfs(dir, &st); err != nil {
			return 0, 0, fmt.Errorf("disk free of %s: %w", dir, err)
		}
		bsize := uint64(st.Bsize)
		return uint64(st.Bavail) * bsize, uint64(st.Blocks) * bsize, nil
	}
}

// spaceOrder is what gives way when the disk runs short, first to last.
// Recordings and other files are never dropped for space.
var spaceOrder = []Kind{KindSnapshot, KindCover}

func droppableForSpace(it *Item) bool {
	return it.Owned && (it.Kind == KindSnapshot || it.Kind == KindCover)
}

// MakeRoom drops the oldest queued snapshots, then covers, whose files the
// queue owns, until the disk has need bytes above the floor. It reports
// whether that much is free; true when no floor is set or the disk cannot
// be measured (logged: the queue does not drop what it cannot justify).
// Enqueue calls it; retention may call it too.
func (q *Queue) MakeRoom(need uint64) bool {
	if q.opts.DiskFree == nil || q.opts.MinFree == (MinFree{}) {
		return true
	}
	q.spaceMu.Lock()
	defer q.spaceMu.Unlock()
	for {
		free, total, err := q.opts.DiskFree()
		if err != nil {
			q.log.Warn("outbox: cannot measure the disk, keeping every item", "err", err)
			return true
		}
		floor := q.opts.MinFree.floor(total)
		if free >= floor && free-floor >= need {
			return true
		}
		it, err := q.dropOldestForSpace()
		if errors.Is(err, storage.ErrNotFound) {
			return false
		}
		if err != nil {
			q.log.Error("outbox: drop for space", "err", err)
			return false
		}
		q.counter(it.Target).drop(DropSpace)
		q.log.Warn("outbox: disk below the floor, dropped the oldest queued picture",
			append(itemArgs(it), "reason", DropSpace, "bytes", it.Size, "free", free, "floor", floor)...)
		q.removeFile(it)
	}
}

func (q *Queue) dropOldestForSpace() (*Item, error) {
	for _, kind := range spaceOrder {
		it, err := q.store.DropOldestOwned(kind)
		if !errors.Is(err, storage.ErrNotFound) {
			return it, err
		}
	}
	return nil, storage.ErrNotFound
}
