package dashboard

import (
	"context"
	"errors"
	"log/slog"
	"sync"

	"github.com/lubo-edge/lubo/media"
	"github.com/lubo-edge/lubo/relay/sources"
)

// SourceProbe is Options.Probe for a source registry: it opens the URL as
// `lubo probe` does and returns the tracks once the first keyframe (or 50
// frames) came, or the source's error.
func SourceProbe(reg *sources.Registry, log *slog.Logger) func(ctx context.Context, url string) (*media.Tracks, error) {
	return func(ctx context.Context, url string) (*media.Tracks, error) {
		src, err := reg.Open(url, sources.Options{Transport: "auto", Logger: log})
		if err != nil {
			return nil, err
		}
		ctx, cancel := context.WithCancel(ctx)
		defer cancel()
		out := &probeOut{stop: cancel}
		err = src.Run(ctx, out)
		tracks, got := out.result()
		if got {
			return tracks, nil
		}
		if err == nil || errors.Is(err, context.Canceled) {
			err = ctx.Err()
		}
		if err == nil {
			err = errors.New("the source ended without sending a picture")
		}
		return nil, err
	}
}

// probeOut keeps the tracks a source declares and stops it once a
// keyframe proves the video flows.
type probeOut struct {
	stop context.CancelFunc

	mu     sync.Mutex
	tracks *media.Tracks
	frames int
	key    bool
}

func (p *probeOut) Begin(t *media.Tracks) {
	p.mu.Lock()
	p.tracks = t
	p.mu.Unlock()
}

func (p *probeOut) WriteFrame(f *media.Frame) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.frames++
	if f.IsVideo() && f.Key {
		p.key = true
	}
	if p.key || p.frames >= 50 {
		p.stop()
	}
}

// result is the tracks once frames came (a declared but silent source is
// not a working one).
func (p *probeOut) result() (*media.Tracks, bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.tracks, p.tracks != nil && p.frames > 0
}
