package recorder

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"sync"
	"time"

	"github.com/lubo-edge/lubo/recorder/mp4"
	"github.com/lubo-edge/lubo/storage"
)

// finalizeJob is a closed slice whose .part is to become the MP4.
type finalizeJob struct {
	id    string // record id
	rel   string
	final string // absolute path of the MP4; the .part is beside it
	start time.Time
	// state and reason are what the record becomes once the file is made:
	// complete, or failed with what ended the slice early.
	state  storage.State
	reason string
	// retentionFirst frees space before finalizing (the slice ended on a
	// full disk, and the MP4 needs room as large as the .part).
	retentionFirst bool
}

// finalizer turns closed slices into MP4 files on its own goroutine, so a
// session goes on writing the next slice while the last one (hundreds of MB
// after 30 minutes of 1080p) is copied. A .part that cannot be finalized
// yet (no room for the copy) stays, its record in state recording so
// retention leaves it alone, and is tried again every RetryInterval.
type finalizer struct {
	r    *Recorder
	wake chan struct{} // cap 1

	mu     sync.Mutex
	jobs   []finalizeJob
	closed bool

	left []finalizeJob // owned by run
}

func newFinalizer(r *Recorder) *finalizer {
	return &finalizer{r: r, wake: make(chan struct{}, 1)}
}

// add queues a job; it never blocks.
func (f *finalizer) add(j finalizeJob) {
	f.mu.Lock()
	f.jobs = append(f.jobs, j)
	f.mu.Unlock()
	f.poke()
}

// close makes run return once the queue is empty. No add may follow.
func (f *finalizer) close() {
	f.mu.Lock()
	f.closed = true
	f.mu.Unlock()
	f.poke()
}

func (f *finalizer) poke() {
	select {
	case f.wake <- struct{}{}:
	default:
	}
}

// run does the jobs until close, then finishes the queue and returns.
func (f *finalizer) run() {
	tick := time.NewTicker(f.r.opts.RetryInterval)
	defer tick.Stop()
	for {
		f.mu.Lock()
		jobs, closed := f.jobs, f.closed
		f.jobs = nil
		f.mu.Unlock()
		for _, j := range jobs {
			f.do(j, false)
		}
		if closed {
			f.retryLeft()
			return
		}
		select {
		case <-f.wake:
		case <-tick.C:
			f.retryLeft()
		}
	}
}

func (f *finalizer) retryLeft() {
	left := f.left
	f.left = nil
	for _, j := range left {
		f.do(j, true)
	}
}

// do finalizes one slice and brings its record up to date.
func (f *finalizer) do(j finalizeJob, retry bool) {
	r := f.r
	if j.retentionFirst && !retry {
		r.keep.once()
	}
	part := j.final + partSuffix
	info, err := mp4.Finalize(part, j.final)
	switch {
	case err == nil:
		r.stats.files.Add(1)
		r.updateRecord(j.id, func(rec *storage.Record) {
			rec.State, rec.Reason = j.state, j.reason
			rec.Start, rec.Duration, rec.Size = j.start, info.Duration, info.Size
			rec.End = j.start.Add(info.Duration)
		})
	case errors.Is(err, mp4.ErrEmpty):
		if rmErr := os.Remove(part); rmErr != nil && !errors.Is(rmErr, fs.ErrNotExist) {
			r.log.Warn("cannot remove an empty recording", "path", j.rel+partSuffix, "err", rmErr)
		}
		r.stats.fail(reasonEmpty)
		r.updateRecord(j.id, func(rec *storage.Record) {
			rec.State, rec.Reason = storage.StateFailed, "empty: no complete fragment reached the disk"
			if j.reason != "" {
				rec.Reason += " (" + j.reason + ")"
			}
		})
	case errors.Is(err, fs.ErrNotExist):
		// Removed meanwhile (retention of a failed record, or a human).
		r.log.Warn("recording to finalize is gone", "path", j.rel+partSuffix)
	default:
		f.left = append(f.left, j)
		if retry {
			return
		}
		r.stats.fail(reasonFinalizeError)
		r.log.Error("cannot finalize a recording yet; the .part is kept and retried", "path", j.rel+partSuffix, "err", err)
		r.updateRecord(j.id, func(rec *storage.Record) {
			rec.Reason = fmt.Sprintf("finalize pending: %v", err)
		})
	}
}

// updateRecord changes a record, logging a failure: the file on disk is
// what matters, and start-up recovery repairs the index from it.
func (r *Recorder) updateRecord(id string, fn func(*storage.Record)) {
	err := r.opts.DB.UpdateRecord(id, func(rec *storage.Record) error { fn(rec); return nil })
	if err != nil {
		r.log.Error("records index not updated", "record", id, "err", err)
	}
}
