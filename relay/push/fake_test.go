package push

import (
	"context"
	"errors"
	"fmt"
	"sync"

	"github.com/lubo-edge/lubo/media"
	"github.com/lubo-edge/lubo/relay/rtmp"
)

// fakeIngests stands in for the RTMP client where a test judges the
// Manager, not the wire: it counts dials and frames, can refuse (with an
// error quoting the whole URL, as a careless library would), and refuses
// frames with other codec parameters as rtmp.Pusher does.
type fakeIngests struct {
	mu       sync.Mutex
	refuse   bool
	dials    int
	frames   int
	gate     chan struct{} // when set, writes wait for it to close (a stalled ingest)
	received []*media.Frame

	slowClose chan struct{} // when set, Close waits for it to close (a slow TCP close)
	open      int           // connections dialled and not closed
	maxOpen   int
}

// hold makes writes block until release.
func (f *fakeIngests) hold() {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.gate = make(chan struct{})
}

func (f *fakeIngests) release() {
	f.mu.Lock()
	defer f.mu.Unlock()
	close(f.gate)
	f.gate = nil
}

func (f *fakeIngests) got() []*media.Frame {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]*media.Frame(nil), f.received...)
}

func (f *fakeIngests) dial(_ context.Context, url string, t *media.Tracks) (ingest, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.dials++
	if f.refuse {
		return nil, fmt.Errorf("connect to %s: connection refused", url)
	}
	f.open++
	f.maxOpen = max(f.maxOpen, f.open)
	return &fakeConn{f: f, tracks: t, done: make(chan struct{})}, nil
}

func (f *fakeIngests) counts() (dials, frames int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.dials, f.frames
}

type fakeConn struct {
	f      *fakeIngests
	tracks *media.Tracks
	done   chan struct{}
	close  sync.Once
}

func (c *fakeConn) WriteFrame(fr *media.Frame) error {
	c.f.mu.Lock()
	if gate := c.f.gate; gate != nil {
		c.f.mu.Unlock()
		select {
		case <-gate:
		case <-c.done:
		}
		c.f.mu.Lock()
	}
	defer c.f.mu.Unlock()
	select {
	case <-c.done:
		return errors.New("fake ingest: closed")
	default:
	}
	if !media.SameVideo(fr.Tracks.Video, c.tracks.Video) || !media.SameAudio(fr.Tracks.Audio, c.tracks.Audio) {
		return rtmp.ErrTracksChanged
	}
	c.f.frames++
	c.f.received = append(c.f.received, fr)
	return nil
}

// Close may come from any goroutine, as with rtmp.Pusher.
func (c *fakeConn) Close() error {
	c.close.Do(func() {
		close(c.done)
		c.f.mu.Lock()
		slow := c.f.slowClose
		c.f.mu.Unlock()
		if slow != nil {
			<-slow
		}
		c.f.mu.Lock()
		c.f.open--
		c.f.mu.Unlock()
	})
	return nil
}
