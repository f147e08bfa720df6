package recorder

import "github.com/lubo-edge/lubo/media"

// maxGOPFrames bounds one GOP in the history: a camera that never sends a
// keyframe must not grow it without limit (the relay's GOP cache has the
// same bound).
const maxGOPFrames = 4096

// gopHistory keeps the newest GOPs of the current source session: the open
// one and up to keep complete ones before it. Slices start from it: the GOP
// in progress at the course start, and the overlap of N GOPs.
// It holds references to the stream's shared frames, never copies.
type gopHistory struct {
	keep int
	gops [][]*media.Frame // oldest first; the last one is open
}

// reset forgets everything (a reconnect: old GOPs cannot start a file of
// the new session).
func (h *gopHistory) reset() {
	for i := range h.gops {
		clear(h.gops[i])
		h.gops[i] = h.gops[i][:0]
	}
	h.gops = h.gops[:0]
}

// startGOP opens a new GOP, dropping the oldest beyond keep complete ones.
func (h *gopHistory) startGOP() {
	var reuse []*media.Frame
	if len(h.gops) > h.keep {
		reuse = h.gops[0]
		clear(reuse)
		reuse = reuse[:0]
		copy(h.gops, h.gops[1:])
		h.gops = h.gops[:len(h.gops)-1]
	}
	h.gops = append(h.gops, reuse)
}

// add appends f to the open GOP; without one (no keyframe yet) f is not
// kept.
func (h *gopHistory) add(f *media.Frame) {
	if len(h.gops) == 0 {
		return
	}
	last := len(h.gops) - 1
	if len(h.gops[last]) >= maxGOPFrames {
		h.reset()
		return
	}
	h.gops[last] = append(h.gops[last], f)
}

// recent returns the frames of the newest n GOPs (the open one counts), in
// order; nil when there are none.
func (h *gopHistory) recent(n int) []*media.Frame {
	if n <= 0 || len(h.gops) == 0 {
		return nil
	}
	from := max(len(h.gops)-n, 0)
	var out []*media.Frame
	for _, g := range h.gops[from:] {
		out = append(out, g...)
	}
	return out
}
