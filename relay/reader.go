package relay

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"

	"github.com/lubo-edge/lubo/media"
)

// ErrReaderClosed is returned by Read after the reader or its stream closed.
var ErrReaderClosed = errors.New("relay: reader closed")

// Reader is one consumer of a Stream: a viewer, the HLS muxer, the recorder.
// Frames reach it through a fixed-size ring; when the ring is full the Stream
// drops frames for this reader until the next video keyframe, so a slow
// reader never holds up the source or the other readers, and never sees a
// broken GOP.
type Reader struct {
	Name string
	// stream is the stream the reader is attached to; it changes once when
	// a reader of a derived stream, attached to the parent while the
	// parent's session passed, moves to the derived stream (see
	// StreamOptions.Parent).
	stream atomic.Pointer[Stream]
	// home is that derived stream while the reader sits on its parent;
	// nil otherwise. Guarded by the parent's mu.
	home *Stream

	mu sync.Mutex
	// ring grows from a few slots to limit as a backlog needs it: a reader
	// that keeps up (nearly all do) never holds more than a handful of
	// frames, and a full-size ring per reader was 8 KB of pointers each.
	ring    []*media.Frame
	limit   int // the most frames the reader may queue
	head    int // index of the oldest frame
	n       int // frames queued
	waitKey bool
	closed  bool
	notify  chan struct{} // cap 1: "something changed"
	dropped atomic.Uint64
}

// initialRing is the ring size a reader starts with.
const initialRing = 64

func newReader(name string, s *Stream, limit int) *Reader {
	r := &Reader{Name: name, ring: make([]*media.Frame, min(initialRing, limit)), limit: limit, notify: make(chan struct{}, 1)}
	r.stream.Store(s)
	return r
}

// reserve makes room for n queued frames (at most limit); r.mu is held or
// the reader is not shared yet.
func (r *Reader) reserve(n int) {
	if n <= len(r.ring) {
		return
	}
	size := max(len(r.ring), 1)
	for size < n {
		size *= 2
	}
	ring := make([]*media.Frame, min(size, r.limit))
	// Oldest first, from index 0.
	k := copy(ring, r.ring[r.head:min(r.head+r.n, len(r.ring))])
	copy(ring[k:], r.ring[:r.n-k])
	r.ring, r.head = ring, 0
}

// push queues f without blocking. It is called by the stream's writer, s.
func (r *Reader) push(s *Stream, f *media.Frame, hasVideo bool) {
	r.mu.Lock()
	if r.closed {
		r.mu.Unlock()
		return
	}
	if r.waitKey {
		// Resume only on a picture that decodes on its own; with no video
		// in the stream every frame is such a point.
		if !hasVideo || (f.IsVideo() && f.Key) {
			r.waitKey = false
		} else {
			r.mu.Unlock()
			r.dropped.Add(1)
			s.stats.Dropped.Add(1)
			return
		}
	}
	if r.n >= r.limit {
		r.waitKey = true
		r.mu.Unlock()
		r.dropped.Add(1)
		s.stats.Dropped.Add(1)
		return
	}
	r.reserve(r.n + 1)
	r.ring[(r.head+r.n)%len(r.ring)] = f
	r.n++
	// Audio between two pictures waits for the next picture (at most one
	// frame interval): a reader is woken once per video frame instead of
	// once per frame, which halves the goroutine handoffs on a busy box and
	// lets an FLV viewer flush audio and picture in one write. Without video
	// every frame wakes; a half-full ring wakes regardless.
	wake := !hasVideo || f.IsVideo() || r.n >= r.limit/2
	r.mu.Unlock()
	if wake {
		select {
		case r.notify <- struct{}{}:
		default:
		}
	}
}

// Read returns the next frame, waiting for one. It returns ErrReaderClosed
// once the reader is closed and ctx.Err() when ctx ends.
func (r *Reader) Read(ctx context.Context) (*media.Frame, error) {
	for {
		r.mu.Lock()
		if r.n > 0 {
			f := r.ring[r.head]
			r.ring[r.head] = nil
			r.head = (r.head + 1) % len(r.ring)
			r.n--
			r.mu.Unlock()
			return f, nil
		}
		closed := r.closed
		r.mu.Unlock()
		if closed {
			return nil, ErrReaderClosed
		}
		select {
		case <-r.notify:
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
}

// Dropped counts the frames this reader lost because it fell behind.
func (r *Reader) Dropped() uint64 { return r.dropped.Load() }

// Close detaches the reader from its stream. Safe to call more than once.
func (r *Reader) Close() {
	for {
		s := r.stream.Load()
		// Not found on s and still attached to s: already detached.
		if s.removeReader(r) || r.stream.Load() == s {
			break
		}
		// It moved to a derived stream meanwhile: detach it there.
	}
	r.shut()
}

// restartAtKey makes the reader skip to the next keyframe.
func (r *Reader) restartAtKey() {
	r.mu.Lock()
	r.waitKey = true
	r.mu.Unlock()
}

// shut marks the reader closed and wakes a blocked Read.
func (r *Reader) shut() {
	r.mu.Lock()
	r.closed = true
	for i := range r.ring {
		r.ring[i] = nil
	}
	r.n = 0
	r.mu.Unlock()
	select {
	case r.notify <- struct{}{}:
	default:
	}
}

// Pending is the number of frames queued for this reader.
func (r *Reader) Pending() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.n
}
