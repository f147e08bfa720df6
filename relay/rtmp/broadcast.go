package rtmp

import (
	"context"
	"errors"
	"sync"

	"github.com/lubo-edge/lubo/media"
)

// GOP cache bounds: a publisher with a huge keyframe interval must not make
// the cache grow without limit.
const (
	maxGOPFrames = 2048
	maxGOPBytes  = 16 << 20
)

// errNameBusy is returned when a name already has a publisher.
var errNameBusy = errors.New("stream name already has a publisher")

// broadcast is one stream name on the server: at most one publisher, any
// number of readers (RTMP players, Server.Source runs).
type broadcast struct {
	key  string
	refs int // guarded by Server.mu

	mu       sync.Mutex
	claimed  bool
	sessions int
	cur      *session      // live session, nil when nobody publishes
	begun    chan struct{} // closed (and replaced) when a session begins
}

func newBroadcast(key string) *broadcast {
	return &broadcast{key: key, begun: make(chan struct{})}
}

// session is what one publisher sends under one set of tracks.
type session struct {
	tracks   *media.Tracks
	hasVideo bool
	gop      []*media.Frame // frames since the last video keyframe
	gopBytes int
	queues   []*frameQueue
}

// subscribe waits for a live session and attaches a reader queue primed
// with its cached GOP.
func (b *broadcast) subscribe(ctx context.Context, size int) (*session, *frameQueue, error) {
	for {
		b.mu.Lock()
		if s := b.cur; s != nil {
			q := newFrameQueue(size, s.hasVideo)
			q.prefill(s.gop)
			s.queues = append(s.queues, q)
			b.mu.Unlock()
			return s, q, nil
		}
		begun := b.begun
		b.mu.Unlock()
		select {
		case <-begun:
		case <-ctx.Done():
			return nil, nil, ctx.Err()
		}
	}
}

func (b *broadcast) unsubscribe(s *session, q *frameQueue) {
	b.mu.Lock()
	defer b.mu.Unlock()
	for i, x := range s.queues {
		if x == q {
			last := len(s.queues) - 1
			s.queues[i] = s.queues[last]
			s.queues[last] = nil
			s.queues = s.queues[:last]
			return
		}
	}
}

// claim makes the caller the name's publisher.
func (b *broadcast) claim() (*claim, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.claimed {
		return nil, errNameBusy
	}
	b.claimed = true
	return &claim{b: b}, nil
}

// claim is the publisher's handle on a broadcast. Its methods are called
// from the publisher's goroutine only.
type claim struct {
	b    *broadcast
	sess *session
}

// begin ends the publisher's previous session, if any, and starts one with
// tracks t. Readers of the old session drain and end; waiting readers
// join the new one.
func (c *claim) begin(t *media.Tracks) {
	b := c.b
	b.mu.Lock()
	defer b.mu.Unlock()
	c.endLocked()
	b.sessions++
	tracks := *t
	tracks.Session = b.sessions
	s := &session{tracks: &tracks, hasVideo: tracks.Video != nil}
	c.sess = s
	b.cur = s
	close(b.begun)
	b.begun = make(chan struct{})
}

// write caches f and queues it for every reader; it never blocks on one.
// The broadcast takes ownership of f.
func (c *claim) write(f *media.Frame) {
	b := c.b
	b.mu.Lock()
	defer b.mu.Unlock()
	s := c.sess
	if s == nil {
		return // a publisher that forgot begin
	}
	if f.Tracks != s.tracks {
		f.Tracks = s.tracks
	}
	s.cache(f)
	for _, q := range s.queues {
		q.push(f)
	}
}

// release ends the session and frees the name.
func (c *claim) release() {
	c.b.mu.Lock()
	defer c.b.mu.Unlock()
	c.endLocked()
	c.b.claimed = false
}

func (c *claim) endLocked() {
	s := c.sess
	if s == nil {
		return
	}
	for _, q := range s.queues {
		q.end()
	}
	s.gop = clearFrames(s.gop)
	if c.b.cur == s {
		c.b.cur = nil
	}
	c.sess = nil
}

// cache keeps the frames since the last video keyframe for late joiners.
func (s *session) cache(f *media.Frame) {
	if !s.hasVideo {
		return
	}
	if f.IsVideo() && f.Key {
		s.gop = clearFrames(s.gop)
		s.gopBytes = 0
	} else if len(s.gop) == 0 {
		return // no keyframe yet
	}
	if len(s.gop) >= maxGOPFrames || s.gopBytes+len(f.Data) > maxGOPBytes {
		s.gop = clearFrames(s.gop) // newcomers wait for the next keyframe
		s.gopBytes = 0
		return
	}
	s.gop = append(s.gop, f)
	s.gopBytes += len(f.Data)
}
