package recorder

import (
	"context"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"time"

	"github.com/lubo-edge/lubo/storage"
)

// snapshotArchiveAge is how long the per-day snapshot folders are kept
// when record.max_age is 0.
const snapshotArchiveAge = 30 * 24 * time.Hour

// finishedStates are the records retention may delete: all but recording.
var finishedStates = []storage.State{storage.StateComplete, storage.StateRecovered, storage.StateFailed, storage.StateUploaded}

// retention keeps record.min_free of the records disk free by deleting the
// oldest finished recordings (uploaded ones first), deletes recordings
// older than record.max_age, and prunes the snapshot day folders. A record
// in state recording (a file being written or waiting to be finalized) is
// never touched.
type retention struct {
	r     *Recorder
	kickc chan struct{} // cap 1
	mu    sync.Mutex    // one pass at a time

	free, total atomic.Uint64 // at the last look, for the metrics

	warned string // the last warning, so a standing problem is logged once; under mu

	// pending are the files waiting in the upload outbox, read once per
	// pass; nil when the outbox could not be read (then every file is
	// kept). Under mu.
	pending map[string]bool
}

func newRetention(r *Recorder) *retention {
	return &retention{r: r, kickc: make(chan struct{}, 1)}
}

// kick asks for a pass soon (a write hit a full disk).
func (k *retention) kick() {
	select {
	case k.kickc <- struct{}{}:
	default:
	}
}

// run makes a pass at once, then every interval and on each kick.
func (k *retention) run(ctx context.Context, interval time.Duration) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		k.once()
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		case <-k.kickc:
		}
	}
}

// once makes one pass.
func (k *retention) once() {
	k.mu.Lock()
	defer k.mu.Unlock()
	set := k.r.settings()
	now := time.Now()
	var err error
	if k.pending, err = k.r.opts.DB.Outbox().PendingPaths(); err != nil {
		k.warnOnce("retention: cannot read the upload outbox; recordings kept", "err", err)
	}
	if set.MaxAge > 0 {
		k.dropOlderThan(now.Add(-set.MaxAge))
	}
	k.keepFree(set.MinFreePercent())
	age := set.MaxAge
	if age <= 0 {
		age = snapshotArchiveAge
	}
	k.pruneSnapshots(now.Add(-age))
}

// keepFree deletes the oldest finished recordings, one at a time, until
// pct percent of the disk is free. Recordings still waiting in the upload
// outbox are passed over.
func (k *retention) keepFree(pct float64) {
	held := 0 // the oldest this many are waiting for an upload
	for {
		free, total, err := k.r.opts.DiskUsage(k.r.root)
		if err != nil {
			k.warnOnce("retention: cannot tell the free space; nothing deleted", "err", err)
			return
		}
		k.free.Store(free)
		k.total.Store(total)
		if total == 0 || float64(free) >= pct/100*float64(total) {
			k.warned = "" // a problem that comes back is logged again
			return
		}
		recs, err := k.r.opts.DB.OldestFinished(held+1, storage.StateUploaded)
		if err != nil {
			k.warnOnce("retention: cannot read the records index", "err", err)
			return
		}
		if len(recs) <= held {
			k.warnOnce("retention: the disk is below record.min_free and no finished recording is left to delete",
				"free_bytes", free, "total_bytes", total, "min_free_percent", pct, "waiting_for_upload", held)
			return
		}
		if k.uploading(recs[held]) {
			held++
			continue
		}
		if !k.delete(recs[held], "min_free") {
			return
		}
	}
}

// dropOlderThan deletes finished recordings that started before cutoff,
// except those still waiting in the upload outbox.
func (k *retention) dropOlderThan(cutoff time.Time) {
	held := 0
	for {
		recs, err := k.r.opts.DB.ListRecords(storage.RecordQuery{To: cutoff, States: finishedStates, Limit: 64, Offset: held})
		if err != nil {
			k.warnOnce("retention: cannot read the records index", "err", err)
			return
		}
		if len(recs) == 0 {
			return
		}
		for _, rec := range recs {
			if k.uploading(rec) {
				held++
				continue
			}
			if !k.delete(rec, "max_age") {
				return
			}
		}
	}
}

// uploading reports whether rec's file waits in the upload outbox (queued
// by its absolute path); when the outbox could not be read, the file is
// kept.
func (k *retention) uploading(rec *storage.Record) bool {
	if rec.Path == "" {
		return false
	}
	abs, err := filepath.Abs(filepath.Join(k.r.root, filepath.FromSlash(rec.Path)))
	if err != nil {
		return true
	}
	waiting := k.pending == nil || k.pending[abs]
	if waiting {
		k.r.log.Debug("retention: recording kept, it waits for an upload", "channel", rec.Channel, "path", rec.Path)
	}
	return waiting
}

// delete removes a recording's file, cover and record. It reports false
// when the file could not be removed: the pass stops rather than delete
// records whose space does not come back.
func (k *retention) delete(rec *storage.Record, why string) bool {
	r := k.r
	abs := filepath.Join(r.root, filepath.FromSlash(rec.Path))
	cover := rec.Cover
	if cover == "" {
		cover = coverPath(rec.Path)
	}
	for _, p := range []string{abs, abs + partSuffix, filepath.Join(r.root, filepath.FromSlash(cover))} {
		if rec.Path == "" {
			break
		}
		if err := os.Remove(p); err != nil && !errors.Is(err, fs.ErrNotExist) {
			k.warnOnce("retention: cannot delete a recording", "path", p, "err", err)
			return false
		}
	}
	if err := r.opts.DB.DeleteRecord(rec.ID); err != nil && !errors.Is(err, storage.ErrNotFound) {
		k.warnOnce("retention: cannot delete a record", "record", rec.ID, "err", err)
		return false
	}
	if rec.Path != "" {
		// The date and channel folders go once empty; Remove fails on a
		// folder that is not, which is what should happen.
		dir := filepath.Dir(abs)
		for range 2 {
			if os.Remove(dir) != nil {
				break
			}
			dir = filepath.Dir(dir)
		}
	}
	r.stats.deleted.Add(1)
	r.log.Info("retention: recording deleted", "channel", rec.Channel, "path", rec.Path, "state", rec.State, "why", why)
	return true
}

// pruneSnapshots removes the snapshot day folders {ch}/{YYYY-MM-DD} whose
// day ended before cutoff.
func (k *retention) pruneSnapshots(cutoff time.Time) {
	chans, err := os.ReadDir(k.r.snapDir)
	if err != nil {
		return // no snapshots yet
	}
	for _, ch := range chans {
		if !ch.IsDir() {
			continue
		}
		days, err := os.ReadDir(filepath.Join(k.r.snapDir, ch.Name()))
		if err != nil {
			continue
		}
		for _, d := range days {
			day, err := time.ParseInLocation("2006-01-02", d.Name(), k.r.loc)
			if err != nil || !d.IsDir() || !day.AddDate(0, 0, 1).Before(cutoff) {
				continue
			}
			p := filepath.Join(k.r.snapDir, ch.Name(), d.Name())
			if err := os.RemoveAll(p); err != nil {
				k.warnOnce("retention: cannot delete old snapshots", "path", p, "err", err)
				continue
			}
			k.r.log.Info("retention: snapshot day deleted", "channel", ch.Name(), "day", d.Name())
		}
	}
}

// warnOnce logs msg unless it was the last warning; k.mu is held.
func (k *retention) warnOnce(msg string, args ...any) {
	if k.warned == msg {
		return
	}
	k.warned = msg
	k.r.log.Warn(msg, args...)
}
