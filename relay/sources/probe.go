package sources

import (
	"context"
	"errors"
	"sync"
	"time"

	"github.com/lubo-edge/lubo/media"
)

// ProbeTimeout is how long a probe waits for a source when its context
// has no deadline of its own (`lubo probe` and the dashboard's test button
// give it this long).
const ProbeTimeout = 15 * time.Second

// probeFrames is how many frames end a probe that has seen no video
// keyframe yet (a source with sound only).
const probeFrames = 50

// Probed is what a source showed in a probe.
type Probed struct {
	Tracks    *media.Tracks // as the source declared them
	Frames    int           // frames received
	Keyframes int           // video keyframes among them
}

// ErrNoPicture is the failure of a source that ended on its own without
// sending a frame.
var ErrNoPicture = errors.New("the source ended without sending a picture")

// Probe opens raw and reads it until it has declared its tracks and sent
// a video keyframe (or probeFrames frames), then stops it. A source that
// declares tracks but sends nothing is not a working one: the probe then
// fails with the source's error, the context's (ProbeTimeout when ctx has
// no deadline) or ErrNoPicture, as it is: the dashboard shows it to say
// what is wrong with the camera (redact it before showing; a source's own
// error may quote its URL).
func (r *Registry) Probe(ctx context.Context, raw string, opts Options) (Probed, error) {
	src, err := r.Open(raw, opts)
	if err != nil {
		return Probed{}, err
	}
	if _, ok := ctx.Deadline(); !ok {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, ProbeTimeout)
		defer cancel()
	}
	run, stop := context.WithCancel(ctx)
	defer stop()
	out := &probeOut{stop: stop}
	err = src.Run(run, out)
	if got, ok := out.result(); ok {
		return got, nil
	}
	switch {
	case ctx.Err() != nil:
		if err == nil || errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
			err = ctx.Err()
		}
	case err == nil:
		err = ErrNoPicture
	}
	return Probed{}, err
}

// Probe probes raw with the built-in registry (no cloud schemes).
func Probe(ctx context.Context, raw string, opts Options) (Probed, error) {
	return Builtin().Probe(ctx, raw, opts)
}

// probeOut keeps what a source declares and sends, and stops it once a
// keyframe proves the video flows.
type probeOut struct {
	stop context.CancelFunc

	mu  sync.Mutex // a source serializes its calls; Run's return is not a promise about other goroutines
	got Probed
}

func (p *probeOut) Begin(t *media.Tracks) {
	p.mu.Lock()
	p.got.Tracks = t
	p.mu.Unlock()
}

func (p *probeOut) WriteFrame(f *media.Frame) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.got.Frames++
	if f.IsVideo() && f.Key {
		p.got.Keyframes++
	}
	if p.got.Keyframes > 0 || p.got.Frames >= probeFrames {
		p.stop()
	}
}

// result is what came, and whether it proves a working source: declared
// tracks and at least one frame.
func (p *probeOut) result() (Probed, bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.got, p.got.Tracks != nil && p.got.Frames > 0
}
