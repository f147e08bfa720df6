package rtmp

import (
	"context"
	"errors"
	"sync"

	"github.com/lubo-edge/lubo/media"
)

// errSessionEnded is what a queue returns once its publisher's session is
// over and every queued frame has been read.
var errSessionEnded = errors.New("publisher session ended")

// frameQueue is one reader's bounded queue of a published session. The
// publisher pushes without ever blocking; when the ring is full the queue
// drops frames until the next video keyframe, so a slow player loses a
// stretch of the stream but never decodes a broken GOP.
type frameQueue struct {
	hasVideo bool

	mu      sync.Mutex
	ring    []*media.Frame
	head, n int
	waitKey bool
	ended   bool
	dropped uint64
	wake    chan struct{} // cap 1: something changed
}

func newFrameQueue(size int, hasVideo bool) *frameQueue {
	return &frameQueue{hasVideo: hasVideo, ring: make([]*media.Frame, size), wake: make(chan struct{}, 1)}
}

// prefill queues the cached GOP of a session a reader joins late. Called
// before the queue is shared.
func (q *frameQueue) prefill(gop []*media.Frame) {
	if len(gop) > 0 && len(gop) <= len(q.ring) {
		q.n = copy(q.ring, gop)
		return
	}
	// Mid-GOP with nothing cached (or too much to queue): start at the
	// next keyframe.
	q.waitKey = q.hasVideo
}

// startsGOP reports whether a reader may resume at f.
func (q *frameQueue) startsGOP(f *media.Frame) bool {
	return !q.hasVideo || f.IsVideo() && f.Key
}

func (q *frameQueue) push(f *media.Frame) {
	q.mu.Lock()
	switch {
	case q.ended:
	case q.waitKey && !q.startsGOP(f), q.n == len(q.ring):
		q.waitKey = true
		q.dropped++
	default:
		q.waitKey = false
		q.ring[(q.head+q.n)%len(q.ring)] = f
		q.n++
	}
	q.mu.Unlock()
	q.poke()
}

// end marks the session over; readers drain what is queued first.
func (q *frameQueue) end() {
	q.mu.Lock()
	q.ended = true
	q.mu.Unlock()
	q.poke()
}

func (q *frameQueue) poke() {
	select {
	case q.wake <- struct{}{}:
	default:
	}
}

// next returns the next frame, waiting for one; errSessionEnded after the
// session ended and the queue drained, ctx.Err() when ctx ends.
func (q *frameQueue) next(ctx context.Context) (*media.Frame, error) {
	for {
		q.mu.Lock()
		if q.n > 0 {
			f := q.ring[q.head]
			q.ring[q.head] = nil
			q.head = (q.head + 1) % len(q.ring)
			q.n--
			q.mu.Unlock()
			return f, nil
		}
		ended := q.ended
		q.mu.Unlock()
		if ended {
			return nil, errSessionEnded
		}
		select {
		case <-q.wake:
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
}

// takeDropped returns the frames dropped since the last call.
func (q *frameQueue) takeDropped() uint64 {
	q.mu.Lock()
	defer q.mu.Unlock()
	d := q.dropped
	q.dropped = 0
	return d
}
