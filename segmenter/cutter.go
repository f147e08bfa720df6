// Package segmenter cuts a stream's frames into keyframe-aligned segments
// (Cutter, shared by HLS and recording) and serves live HLS (HLS), in
// MPEG-TS or fMP4 segments held in memory or in files.
package segmenter

import (
	"time"

	"github.com/lubo-edge/lubo/media"
)

// Cut is what a Cutter decided for one frame. The zero Cut means "append the
// frame to the open segment".
type Cut struct {
	// End closes the open segment before this frame.
	End bool
	// Start opens a new segment with this frame as its first.
	Start bool
	// Discontinuity marks the new segment as following a source reconnect.
	// Only set together with Start.
	Discontinuity bool
	// Drop means the frame belongs to no segment: a segment must begin on a
	// video keyframe and none has come yet in this session.
	Drop bool
	// Split marks a new segment that begins on a picture that is not a
	// keyframe, because the open one reached the Cutter's Limit first.
	// Only set together with Start.
	Split bool
}

// Cutter decides segment boundaries on a frame sequence. A new segment
// starts at the first video keyframe whose DTS is at least the open segment's
// start + Target; streams without video cut on audio frames by the same rule.
// A change of the frame's Tracks pointer (a source reconnect) closes the open
// segment at once, and the next one, which again starts on a keyframe, is
// marked discontinuous.
//
// Frames must carry their Tracks: a stream "has video" when Tracks.Video is
// set. A Cutter is not safe for concurrent use; it does no I/O.
type Cutter struct {
	// Target is the shortest segment the Cutter aims for; segments end on
	// the first cut point at or after it.
	Target time.Duration
	// Limit, when set, is a length a segment must stay below: when the
	// frame after this one could reach it (judged by the longest interval
	// between frames lately) and no keyframe has cut before, the segment ends
	// before this frame even though it is not a keyframe (Cut.Split).
	// A segment that began so ends at the next keyframe, however short.
	// HLS uses it to keep every segment within the playlist's fixed target
	// duration whatever the camera's GOP. Default 0: segments end on cut
	// points only.
	Limit time.Duration

	last          time.Duration // DTS of the last frame of the kind segments are cut on
	split         bool          // the open segment began with a split
	maxStep       time.Duration // longest interval between timing frames in the open segment
	prevMaxStep   time.Duration // and in the one before
	open          bool          // a segment is open
	start         time.Duration // DTS of the open segment's first frame
	seen          bool          // a frame has been seen since the last Reset
	started       bool          // a segment has been started since the last Reset
	tracks        *media.Tracks // session of the previous frame
	discontinuity bool          // the next segment follows a reconnect
}

// NewCutter returns a Cutter aiming for segments of target length.
func NewCutter(target time.Duration) *Cutter { return &Cutter{Target: target} }

// Next decides what to do with f, the next frame of the stream.
func (c *Cutter) Next(f *media.Frame) Cut {
	var cut Cut
	if c.seen && f.Tracks != c.tracks {
		if c.open {
			cut.End = true
			c.open = false
		}
		// Before the first segment there is nothing to be discontinuous with.
		c.discontinuity = c.started
	}
	c.seen = true
	c.tracks = f.Tracks

	hasVideo := f.IsVideo() || (f.Tracks != nil && f.Tracks.Video != nil)
	// Every audio frame decodes on its own, so without video any one can
	// begin a segment.
	cutPoint := (f.IsVideo() && f.Key) || (!hasVideo && !f.IsVideo())
	// The frames whose timestamps a segment's length is measured on.
	timing := f.IsVideo() || !hasVideo

	if !c.open {
		if !cutPoint {
			cut.Drop = true
			return cut
		}
		c.open = true
		c.started = true
		c.start = f.DTS
		c.last = f.DTS
		c.split = false
		cut.Start = true
		cut.Discontinuity = c.discontinuity
		c.discontinuity = false
		return cut
	}
	// A DTS before the segment's start cannot happen on a healthy stream;
	// cutting there keeps one bad timestamp from growing a segment forever.
	// A segment split off mid-GOP ends at the next keyframe, however
	// short, so the ones after it begin on keyframes again.
	if cutPoint && (f.DTS >= c.start+c.Target || f.DTS < c.start || c.split) {
		cut.End = true
		cut.Start = true
		c.start = f.DTS
		c.split = false
	} else if timing && c.Limit > 0 && f.DTS+c.nextStep(f.DTS)-c.start >= c.Limit {
		cut.End = true
		cut.Start = true
		cut.Split = !cutPoint
		c.split = cut.Split
		c.start = f.DTS
	}
	if timing {
		if cut.Start {
			c.prevMaxStep, c.maxStep = c.maxStep, 0
		}
		c.maxStep = max(c.maxStep, f.DTS-c.last)
		c.last = f.DTS
	}
	return cut
}

// nextStep guesses how far after a frame at dts the next one comes, on the
// safe side: the longest interval of this segment and the one before, or
// this one if longer, so a camera's jitter does not push a segment past
// the limit.
func (c *Cutter) nextStep(dts time.Duration) time.Duration {
	return max(dts-c.last, c.maxStep, c.prevMaxStep)
}

// Open reports whether a segment is open, and the DTS of its first frame.
func (c *Cutter) Open() (start time.Duration, open bool) { return c.start, c.open }

// Reset forgets everything: the next frame is treated as the first of a
// stream, so its segment is not discontinuous.
func (c *Cutter) Reset() { *c = Cutter{Target: c.Target, Limit: c.Limit} }
