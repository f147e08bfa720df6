package relay

import (
	"time"

	"github.com/lubo-edge/lubo/media"
)

// sessionGap separates the last frame of one source session from the first
// of the next on the stream timeline.
const sessionGap = 40 * time.Millisecond

// timeline maps each source session's timestamps onto one monotonic stream
// timeline: a reconnect continues where the previous session ended instead
// of jumping back.
type timeline struct {
	offset  time.Duration
	last    time.Duration // highest DTS written
	started bool          // a frame has been written in this session
	any     bool          // a frame has been written ever
}

func (t *timeline) newSession() { t.started = false }

func (t *timeline) rebase(f *media.Frame) {
	if !t.started {
		next := time.Duration(0)
		if t.any {
			next = t.last + sessionGap
		}
		t.offset = next - f.DTS
		t.started = true
		t.any = true
	}
	f.DTS += t.offset
	f.PTS += t.offset
	if f.DTS > t.last {
		t.last = f.DTS
	}
}
