package outbox

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/lubo-edge/lubo/internal/durable"
	"github.com/lubo-edge/lubo/storage"
)

// spoolName is the file EnqueueBytes keeps an item's bytes in: a hash of
// (target, name), so names need not be valid file names and the same
// upload always lands on the same file.
func spoolName(target, name string) string {
	sum := sha256.Sum256([]byte(target + "\x00" + name))
	return hex.EncodeToString(sum[:16])
}

const spoolTmp = durable.TempSuffix

// EnqueueBytes writes data into the spool directory (durably: written,
// fsync'd, renamed, directory fsync'd) and enqueues it as a file the queue
// owns. Snapshots and covers go in this way as they are taken, so the
// producer may overwrite its own copy at once. it.Path, Owned and Size are
// set here.
func (q *Queue) EnqueueBytes(it *Item, data []byte) error {
	if q.opts.SpoolDir == "" {
		return errors.New("outbox: EnqueueBytes needs Options.SpoolDir")
	}
	if q.targets[it.Target] == nil {
		return fmt.Errorf("enqueue %s: %w %q", it.Name, ErrUnknownTarget, it.Target)
	}
	q.spoolMu.RLock() // a sweep must not take the file between write and enqueue
	defer q.spoolMu.RUnlock()
	if !q.MakeRoom(uint64(len(data))) && (it.Kind == KindSnapshot || it.Kind == KindCover) {
		q.counter(it.Target).drop(DropSpace)
		q.log.Warn("outbox: no room for a new item, dropped", append(itemArgs(it), "reason", DropSpace, "bytes", len(data))...)
		return fmt.Errorf("enqueue %s %s: %w", it.Target, it.Name, ErrNoSpace)
	}
	path := filepath.Join(q.opts.SpoolDir, spoolName(it.Target, it.Name))
	if err := writeDurably(path, data); err != nil {
		return fmt.Errorf("enqueue %s %s: %w", it.Target, it.Name, err)
	}
	it.Path, it.Owned, it.Size = path, true, int64(len(data))
	if err := q.enqueue(it, false); err != nil {
		_ = os.Remove(path) // not queued: nobody would delete it
		return err
	}
	return nil
}

// writeDurably puts data at path so that after a crash the file is either
// absent or whole.
func writeDurably(path string, data []byte) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o750); err != nil {
		return fmt.Errorf("spool: %w", err)
	}
	if err := durable.WriteFile(path, data, 0o640); err != nil {
		return fmt.Errorf("spool %s: %w", path, err)
	}
	return nil
}

// sweepSpool deletes spool files no item names: left by a crash between
// writing a file and queueing it, or between delivering an item and
// deleting its file.
func (q *Queue) sweepSpool() {
	if q.opts.SpoolDir == "" {
		return
	}
	q.spoolMu.Lock()
	defer q.spoolMu.Unlock()
	ents, err := os.ReadDir(q.opts.SpoolDir)
	if err != nil {
		if !errors.Is(err, os.ErrNotExist) {
			q.log.Warn("outbox: read spool", "err", err)
		}
		return
	}
	items, err := q.store.List(storage.OutboxFilter{})
	if err != nil {
		q.log.Warn("outbox: sweep spool", "err", err)
		return
	}
	used := map[string]bool{}
	for _, it := range items {
		used[q.path(it)] = true
	}
	for _, e := range ents {
		p := filepath.Join(q.opts.SpoolDir, e.Name())
		if e.Type().IsRegular() && !used[p] && (len(e.Name()) == 32 || strings.HasSuffix(e.Name(), spoolTmp)) {
			if err := os.Remove(p); err != nil {
				q.log.Warn("outbox: sweep spool", "err", err)
			}
		}
	}
}
