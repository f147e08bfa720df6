package recorder

import (
	"errors"
	"maps"
	"sync"
	"sync/atomic"

	"github.com/lubo-edge/lubo/recorder/mp4"
)

// Failure reasons, the label of the failures metric.
const (
	reasonDiskFull      = "disk_full"      // ENOSPC or a quota
	reasonWriteError    = "write_error"    // any other I/O error on the file
	reasonUnrecordable  = "unrecordable"   // no track MP4 can carry (G.711 only)
	reasonFinalizeError = "finalize_error" // the .part could not be made an MP4 yet
	reasonEmpty         = "empty"          // a slice without one complete fragment
	reasonNoSource      = "no_source"      // a lesson over without a picture from its channel
)

// failureReason sorts a write or open error into a metric label.
func failureReason(err error) string {
	switch {
	case isDiskFull(err):
		return reasonDiskFull
	case errors.Is(err, mp4.ErrNothingToRecord):
		return reasonUnrecordable
	}
	return reasonWriteError
}

// reasonText is the words a record's Reason starts with.
func reasonText(reason string) string {
	switch reason {
	case reasonDiskFull:
		return "disk full"
	case reasonUnrecordable:
		return "nothing MP4 can carry"
	case reasonFinalizeError:
		return "finalize failed"
	case reasonEmpty:
		return "empty"
	}
	return "write error"
}

// counters are the Recorder's own numbers; the metrics read them.
type counters struct {
	files      atomic.Uint64 // slices finalized
	bytes      atomic.Uint64 // written to .part files
	recoveries atomic.Uint64 // .part files recovered at start-up
	deleted    atomic.Uint64 // recordings retention removed
	// openRetries counts slice opens that failed or were refused (a full
	// disk); each is retried after RetryInterval.
	openRetries atomic.Uint64
	inPlace     atomic.Uint64 // slices finalized without a copy
	recovering  atomic.Int64  // .part files left by the last run still waiting for recovery

	mu       sync.Mutex
	failures map[string]uint64
}

func (c *counters) fail(reason string) {
	c.mu.Lock()
	c.failures[reason]++
	c.mu.Unlock()
}

// Stats are a Recorder's counters, read by the metrics and the dashboard.
type Stats struct {
	FilesWritten uint64            // slices finalized (complete or failed with content)
	BytesWritten uint64            // bytes written to recordings
	Recoveries   uint64            // .part files turned into MP4 at start-up
	Deleted      uint64            // recordings removed by retention
	Failures     map[string]uint64 // by reason: disk_full, write_error, unrecordable, finalize_error, empty, no_source
	// OpenRetries counts slice opens that failed or were refused because
	// the disk was below the reserve; each was retried.
	OpenRetries uint64
	// FinalizedInPlace counts the slices finalized without a copy (a
	// fragmented MP4) because the disk had no room for one.
	FinalizedInPlace uint64
	// Recovering is the .part files of the last run still waiting to be
	// recovered; recording does not wait for them.
	Recovering int64
	// DiskFree and DiskTotal are the records disk's bytes at the last
	// retention pass; 0 before the first or when statfs fails.
	DiskFree, DiskTotal uint64
	// Recording is the channels with a slice being written now.
	Recording map[string]bool
}

// Stats gives a copy of the counters.
func (r *Recorder) Stats() Stats {
	st := Stats{
		FilesWritten: r.stats.files.Load(),
		BytesWritten: r.stats.bytes.Load(),
		Recoveries:   r.stats.recoveries.Load(),
		Deleted:      r.stats.deleted.Load(),
		OpenRetries:  r.stats.openRetries.Load(),
		Recovering:   r.stats.recovering.Load(),

		FinalizedInPlace: r.stats.inPlace.Load(),
		DiskFree:         r.keep.free.Load(),
		DiskTotal:        r.keep.total.Load(),
		Recording:        map[string]bool{},
	}
	r.stats.mu.Lock()
	st.Failures = maps.Clone(r.stats.failures)
	r.stats.mu.Unlock()
	for _, s := range r.Sessions() {
		if s.Phase == PhaseRecording {
			st.Recording[s.Channel] = true
		}
	}
	return st
}
