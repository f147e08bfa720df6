package dashboard

import (
	"context"
	"log/slog"

	"github.com/lubo-edge/lubo/media"
	"github.com/lubo-edge/lubo/relay/sources"
)

// SourceProbe is Options.Probe for a source registry: reg.Probe, which
// opens the URL as `lubo probe` does and returns the tracks once the first
// keyframe (or 50 frames) came, or the source's error.
func SourceProbe(reg *sources.Registry, log *slog.Logger) func(ctx context.Context, url string) (*media.Tracks, error) {
	return func(ctx context.Context, url string) (*media.Tracks, error) {
		got, err := reg.Probe(ctx, url, sources.Options{Transport: "auto", Logger: log})
		return got.Tracks, err
	}
}
