package recorder

import (
	"errors"
	"fmt"
	"syscall"
	"time"
)

// Bounds of the default reserve (Options.Reserve 0).
const (
	minReserve    = 64 << 20        // what finalizing, the index and a burst of HLS need at least
	reserveWindow = 5 * time.Minute // of every channel being recorded, at its measured rate
)

// ErrNoRoom is why a slice is not opened: the records disk has less free
// space than the reserve. It wraps ENOSPC, so it counts as disk_full.
var ErrNoRoom = fmt.Errorf("free space on the records disk is below the reserve: %w", syscall.ENOSPC)

// reserve is the free space a new slice needs: Options.Reserve, or by
// default reserveWindow of what the channels being recorded write, at least
// minReserve. The disk is shared with the live HLS segments and the
// database: the reserve is what keeps them, and the slices already open,
// writing while retention frees space.
func (r *Recorder) reserve() int64 {
	if r.opts.Reserve > 0 {
		return r.opts.Reserve
	}
	var rate float64 // bytes per second, all sessions
	for _, s := range r.Sessions() {
		if s.Duration >= time.Second {
			rate += float64(s.Bytes) / s.Duration.Seconds()
		}
	}
	return max(minReserve, int64(rate*reserveWindow.Seconds()))
}

// roomFor reports nil when a new slice may open, else an error wrapping
// ErrNoRoom. A disk whose free space cannot be measured (off Linux) is
// given the benefit of the doubt: the writes themselves then tell.
func (r *Recorder) roomFor() error {
	free, _, err := r.opts.DiskUsage(r.root)
	if err != nil {
		return nil
	}
	if want := r.reserve(); free < uint64(want) {
		return fmt.Errorf("%w of %d bytes", ErrNoRoom, want)
	}
	return nil
}

// isDiskFull is whether err says the disk (or a quota) is full.
func isDiskFull(err error) bool {
	return errors.Is(err, syscall.ENOSPC) || errors.Is(err, syscall.EDQUOT)
}
