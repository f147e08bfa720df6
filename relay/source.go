package relay

import (
	"context"

	"github.com/lubo-edge/lubo/media"
)

// Source pulls one stream from a camera, a server or a file.
//
// Run connects, declares the session's tracks with out.Begin, then writes
// frames until the connection fails or ctx is done. It returns nil only when
// ctx is done; any other return is a failure the Stream retries with backoff.
// Timestamps may start anywhere: the Stream rebases every session onto one
// monotonic timeline, so a source only has to keep them monotonic within a
// session. Frame.Tracks is filled in by the Stream.
type Source interface {
	Run(ctx context.Context, out Publisher) error
}

// Publisher receives what a Source pulls. A source must serialize its calls
// (one goroutine, or a mutex when a library delivers packets on several);
// neither method blocks on readers.
type Publisher interface {
	// Begin starts a session with its tracks. It must be called once per
	// Run before the first WriteFrame.
	Begin(t *media.Tracks)
	// WriteFrame hands over a frame; the source must not touch f or f.Data
	// afterwards.
	WriteFrame(f *media.Frame)
}

// SourceFunc adapts a function to Source.
type SourceFunc func(ctx context.Context, out Publisher) error

// Run calls fn.
func (fn SourceFunc) Run(ctx context.Context, out Publisher) error { return fn(ctx, out) }
