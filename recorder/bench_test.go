package recorder

import (
	"context"
	"testing"
	"time"

	"github.com/lubo-edge/lubo/internal/testclip"
	"github.com/lubo-edge/lubo/media"
	"github.com/lubo-edge/lubo/relay/mp4file"
	"github.com/lubo-edge/lubo/testdata/testmedia"
)

// BenchmarkSessionFrames measures what a recording costs per frame of a
// 1080p camera: the session's bookkeeping (wall clock, GOPs, slicing) and
// the MP4 writer, without fdatasync (the disk is not what is measured).
func BenchmarkSessionFrames(b *testing.B) {
	clip := testmedia.Require(b, "h264_1080p.mp4")
	tracks, frames := testclip.ReadMP4(b, clip)
	cfg := parseConfig(b, b.TempDir(), clip, "  slice: 10s\n  overlap_keyframes: 1\n  snapshot_interval: 0s\n", "")
	g := newRig(b, cfg, time.UTC, nil, func(o *Options) { o.MP4.NoSync = true })
	b.Cleanup(func() { g.db.Close() })
	start := time.Now()
	s := newSession(g.rec, Spec{Channel: "c1", Trigger: TriggerManual, Start: start, End: start.Add(time.Hour)})
	clipLen := mp4file.ClipDuration(frames)
	var bytes int64
	for _, fr := range frames {
		bytes += int64(len(fr.Data))
	}
	b.SetBytes(bytes / int64(len(frames)))
	b.ReportAllocs()
	b.ResetTimer()
	ctx := context.Background()
	for i := 0; i < b.N; i++ {
		src := frames[i%len(frames)]
		loop := time.Duration(i/len(frames)) * (clipLen + 40*time.Millisecond)
		fr := &media.Frame{Codec: src.Codec, DTS: src.DTS + loop, PTS: src.PTS + loop, Key: src.Key, Data: src.Data, Tracks: tracks}
		// The frame "arrives" in real time, so slices are cut every 10 s of media.
		s.handle(ctx, fr, start.Add(fr.DTS))
	}
	b.StopTimer()
	s.finish()
	g.rec.fin.close()
	g.rec.fin.run()
}
