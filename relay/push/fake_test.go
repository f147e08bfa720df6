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
	mu     sync.Mutex
	refuse bool
	dials  int
	frames int
}

func (f *fakeIngests) dial(_ context.Context, url string, t *media.Tracks) (ingest, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.dials++
	if f.refuse {
		return nil, fmt.Errorf("connect to %s: connection refused", url)
	}
	return &fakeConn{f: f, tracks: t}, nil
}

func (f *fakeIngests) counts() (dials, frames int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.dials, f.frames
}

type fakeConn struct {
	f      *fakeIngests
	tracks *media.Tracks
	closed bool
}

func (c *fakeConn) WriteFrame(fr *media.Frame) error {
	c.f.mu.Lock()
	defer c.f.mu.Unlock()
	if c.closed {
		return errors.New("fake ingest: closed")
	}
	if !media.SameVideo(fr.Tracks.Video, c.tracks.Video) || !media.SameAudio(fr.Tracks.Audio, c.tracks.Audio) {
		return rtmp.ErrTracksChanged
	}
	c.f.frames++
	return nil
}

func (c *fakeConn) Close() error {
	c.f.mu.Lock()
	defer c.f.mu.Unlock()
	c.closed = true
	return nil
}
