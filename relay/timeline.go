package relay

import (
	"time"

	"github.com/lubo-edge/lubo/media"
)

// sessionGap separates the last frame of one source session from the first
// of the next on the stream timeline.
const sessionGap = 40 * time.Millisecond

// Limits of a sane camera clock within one session. A step back of up to
// jitterBack is clamped (the frame is nudged just past its predecessor); a
// longer step back, or a step forward of more than maxForward, means the
// camera's clock restarted or jumped (encoder restart, a GStreamer server
// resetting a shared media's clock, NTP correcting the camera) and is
// absorbed as described on timeline.
const (
	jitterBack = 100 * time.Millisecond
	maxBack    = time.Second
	maxForward = 10 * time.Second
)

// nudge is how far past its predecessor a clamped frame is put.
const nudge = time.Millisecond

// timeline maps each source session's timestamps onto one monotonic stream
// timeline: a reconnect continues where the previous session ended instead
// of jumping back, and so does a jump of the camera's clock inside a
// session.
//
// Each kind of track (video, audio) has its own offset onto the timeline.
// They start equal, which keeps the camera's lip sync; when one track's
// clock jumps, only that track is moved so its next frame follows its
// previous one by one frame interval. Cameras jump both clocks together, so
// the audio is moved a moment after the video by the same amount and the
// two stay in sync to within a frame.
type timeline struct {
	last    time.Duration // highest DTS written, all tracks
	any     bool          // a frame has been written ever
	started bool          // a frame has been written in this session
	video   trackClock
	audio   trackClock
}

// trackClock is one kind of track's place on the timeline in this session.
type trackClock struct {
	offset time.Duration
	last   time.Duration // DTS of the kind's newest frame, on the timeline
	step   time.Duration // its newest positive frame interval
	seen   bool          // a frame of this kind in this session
}

func (t *timeline) newSession() { t.started = false }

// rebase moves f onto the timeline. It reports a discontinuity when f's
// clock jumped by more than maxBack or maxForward: the stream then starts a
// new epoch so outputs can mark it (HLS discontinuity, a new recording
// slice). Audio jumps of a stream with video are absorbed without one: the
// video's jump, which comes with them, marks the place.
func (t *timeline) rebase(f *media.Frame, hasVideo bool) (discontinuity bool) {
	if !t.started {
		next := time.Duration(0)
		if t.any {
			next = t.last + sessionGap
		}
		off := next - f.DTS
		t.video = trackClock{offset: off}
		t.audio = trackClock{offset: off}
		t.started, t.any = true, true
	}
	c := &t.audio
	if f.IsVideo() {
		c = &t.video
	}
	dts := f.DTS + c.offset
	if c.seen {
		back := c.last - dts
		jumped := back > jitterBack || -back > maxForward
		if jumped {
			// Continue one frame interval after this track's last frame.
			c.offset = c.last + c.interval(f) - f.DTS
			dts = f.DTS + c.offset
			discontinuity = (back > maxBack || -back > maxForward) && (f.IsVideo() || !hasVideo)
		}
	}
	shift := dts - f.DTS
	if c.seen && dts <= c.last {
		shift += c.last + nudge - dts // jitter: just past the predecessor
	}
	f.DTS += shift
	f.PTS += shift
	if f.PTS < f.DTS {
		f.PTS = f.DTS
	}
	if c.seen && f.DTS > c.last {
		c.step = f.DTS - c.last
	}
	c.last, c.seen = f.DTS, true
	if f.DTS > t.last {
		t.last = f.DTS
	}
	return discontinuity
}

// interval is the best guess of the track's frame interval: the last one
// seen if sane, else a typical one.
func (c *trackClock) interval(f *media.Frame) time.Duration {
	if c.step > 0 && c.step <= 200*time.Millisecond {
		return c.step
	}
	if f.IsVideo() {
		return 40 * time.Millisecond
	}
	return 20 * time.Millisecond
}
