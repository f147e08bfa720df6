package recorder

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
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
}

// finalizer turns closed slices into MP4 files on its own goroutine, so a
// session goes on writing the next slice while the last one (hundreds of MB
// after 30 minutes of 1080p) is copied. Without room for the copy the
// slice is finalized in place (see finalizeFile), so a full disk never
// keeps a slice unfinished. A .part that still cannot be finalized (an I/O
// error) stays, its record in state recording so retention leaves it
// alone, and is tried again every RetryInterval.
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
	part := j.final + partSuffix
	info, err := r.finalizeFile(part, j.final, j.rel)
	switch {
	case err == nil:
		r.stats.files.Add(1)
		r.updateRecord(j.id, func(rec *storage.Record) {
			rec.State, rec.Reason = j.state, j.reason
			rec.Start, rec.Duration, rec.Size = j.start, info.Duration, info.Size
			rec.End = j.start.Add(info.Duration)
		})
	case errors.Is(err, mp4.ErrEmpty):
		r.dropEmpty(j.rel, j.id, j.reason)
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

// finalizeFile makes the MP4 final from part. With room for a copy above
// the reserve it writes a progressive copy (moov in front: the best file
// for web players, which then seek with one range request); without, or
// when the copy runs out of room, it finalizes in place: the fragmented
// .part, cut after its last complete fragment and indexed (sidx), becomes
// the MP4, which needs no free space. ffmpeg and browsers play both and
// seek in both.
func (r *Recorder) finalizeFile(part, final, rel string) (mp4.Info, error) {
	st, err := os.Stat(part)
	if err != nil {
		return mp4.Info{}, err
	}
	free, _, derr := r.opts.DiskUsage(r.root)
	if derr != nil || free >= uint64(st.Size())+uint64(r.reserve()) {
		info, err := mp4.Finalize(part, final)
		if err == nil || !isDiskFull(err) {
			return info, err
		}
		r.log.Warn("no room to copy the recording into its final form; finalizing it in place", "path", rel, "err", err)
	}
	info, err := mp4.FinalizeInPlace(part, final)
	if err == nil {
		r.stats.inPlace.Add(1)
		r.log.Info("recording finalized in place (fragmented MP4): the disk had no room for a copy", "path", rel, "bytes", info.Size)
	}
	return info, err
}

// dropEmpty removes what a slice without one complete fragment left: the
// .part, its cover and its record. Nothing empty stays indexed; the
// failure is counted and logged.
func (r *Recorder) dropEmpty(rel, id, why string) {
	abs := filepath.Join(r.root, filepath.FromSlash(rel))
	if err := os.Remove(abs + partSuffix); err != nil && !errors.Is(err, fs.ErrNotExist) {
		r.log.Warn("cannot remove an empty recording", "path", rel+partSuffix, "err", err)
	}
	r.removeCover(rel)
	if id == "" {
		if rec, err := r.opts.DB.RecordByPath(rel); err == nil {
			id = rec.ID
		}
	}
	if id != "" {
		if err := r.opts.DB.DeleteRecord(id); err != nil && !errors.Is(err, storage.ErrNotFound) {
			r.log.Error("cannot drop the record of an empty recording", "path", rel, "err", err)
		}
	}
	r.stats.fail(reasonEmpty)
	r.log.Warn("recording dropped: no complete fragment reached the disk", "path", rel, "ended_by", why)
}

// removeCover deletes the cover of the slice rel, if any.
func (r *Recorder) removeCover(rel string) {
	p := filepath.Join(r.root, filepath.FromSlash(coverPath(rel)))
	if err := os.Remove(p); err != nil && !errors.Is(err, fs.ErrNotExist) {
		r.log.Warn("cannot remove a cover", "path", coverPath(rel), "err", err)
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
