package recorder

import (
	"time"

	"github.com/lubo-edge/lubo/media"
)

// wallClock maps a stream's DTS to wall time for one source session.
//
// A frame cannot arrive before it was captured, so for every frame
// now-DTS is the wall time of DTS 0 plus the frame's delay; the smallest
// value seen is the one closest to the truth: the live edge. The frames a
// new reader gets from the GOP cache arrive late and are corrected as soon
// as live ones come. A reconnect (a new Tracks) starts over, since the
// stream's timeline runs on through the outage while the wall clock jumps.
type wallClock struct {
	tracks *media.Tracks
	zero   time.Time // wall time of DTS 0
	set    bool
}

// observe takes f, which arrived at now, into account.
func (c *wallClock) observe(f *media.Frame, now time.Time) {
	if f.Tracks != c.tracks {
		c.tracks, c.set = f.Tracks, false
	}
	z := now.Add(-f.DTS)
	if !c.set || z.Before(c.zero) {
		c.zero, c.set = z, true
	}
}

// at is the wall time of dts.
func (c *wallClock) at(dts time.Duration) time.Time { return c.zero.Add(dts) }
