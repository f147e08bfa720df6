package mp4file

import (
	"context"
	"log/slog"
	"time"
)

// Clock is the time a Source paces frames against. Tests substitute a fake
// one so that looping takes no real time.
type Clock interface {
	Now() time.Time
	// Sleep waits for d, or until ctx is done and then returns ctx.Err().
	Sleep(ctx context.Context, d time.Duration) error
}

// wallClock is the real clock, with one timer reused for every wait so that
// pacing allocates nothing per frame.
type wallClock struct {
	timer *time.Timer
}

func newWallClock() *wallClock {
	t := time.NewTimer(time.Hour)
	t.Stop()
	return &wallClock{timer: t}
}

func (*wallClock) Now() time.Time { return time.Now() }

func (c *wallClock) Sleep(ctx context.Context, d time.Duration) error {
	// Since Go 1.23 Reset on a stopped or fired timer leaves no stale tick.
	c.timer.Reset(d)
	select {
	case <-ctx.Done():
		c.timer.Stop()
		return ctx.Err()
	case <-c.timer.C:
		return nil
	}
}

func (c *wallClock) stop() { c.timer.Stop() }

// maxLag is how far playback may fall behind the clock (a stalled machine, a
// suspended VM) before it gives up catching up and restarts its timeline
// from now, instead of bursting out everything it owes.
const maxLag = time.Second

// pacer releases frames when the clock reaches their DTS. Each wait aims at
// start+DTS rather than sleeping frame durations, so rounding and scheduling
// delays never add up over loops.
type pacer struct {
	clock Clock
	start time.Time // clock time of DTS 0
	log   *slog.Logger
}

// wait returns when it is time for dts, or ctx's error when ctx is done.
func (p *pacer) wait(ctx context.Context, dts time.Duration) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	d := p.start.Add(dts).Sub(p.clock.Now())
	if d <= 0 {
		if -d > maxLag {
			p.log.Warn("mp4 loop fell behind the clock; restarting its timeline", "behind", -d)
			p.start = p.start.Add(-d)
		}
		return nil
	}
	return p.clock.Sleep(ctx, d)
}
