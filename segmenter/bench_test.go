package segmenter

import (
	"bytes"
	"testing"
	"time"

	"github.com/lubo-edge/lubo/media"
)

// BenchmarkHLSMux measures muxing H.264+AAC frames into HLS segments, one
// frame per op; bytes are frame payloads. "clip" is the real 320x240 test
// clip, "4Mbps" made-up frames at a 1080p camera's size (25 fps, 20 kB
// pictures, 200 kB keyframes each second).
func BenchmarkHLSMux(b *testing.B) {
	b.Run("clip", func(b *testing.B) {
		benchmarkMux(b, loadClip(b, "h264_aac").session(1, 0, 0, false), "")
	})
	b.Run("4Mbps", func(b *testing.B) { benchmarkMux(b, synth4Mbps(), "") })
	// As the daemon runs it: segments written to files as they are made.
	b.Run("4Mbps-files", func(b *testing.B) { benchmarkMux(b, synth4Mbps(), b.TempDir()) })
	b.Run("4Mbps-fmp4", func(b *testing.B) {
		benchmarkMuxOpts(b, synth4Mbps(), HLSOptions{Variant: VariantFMP4}, "")
	})
	b.Run("4Mbps-fmp4-files", func(b *testing.B) {
		h := HLSOptions{Variant: VariantFMP4}
		benchmarkMuxOpts(b, synth4Mbps(), h, b.TempDir())
	})
}

// synth4Mbps is 6 s of a 1080p camera's frames: 25 fps, 20 kB pictures,
// 200 kB keyframes each second, AAC.
func synth4Mbps() []*media.Frame {
	frames := synthFrames(synthTracks(1), 0, 6*time.Second)
	key := media.AppendAnnexB(nil, synthSPS, synthPPS, append([]byte{0x65, 0x88}, bytes.Repeat([]byte{0xab}, 200_000)...))
	delta := media.AppendAnnexB(nil, append([]byte{0x41, 0x9a}, bytes.Repeat([]byte{0xcd}, 20_000)...))
	for _, f := range frames {
		if f.IsVideo() && f.Key {
			f.Data = key
		} else if f.IsVideo() {
			f.Data = delta
		}
	}
	return frames
}

// benchmarkMux loops frames, shifting timestamps on every pass so the
// timeline runs on as a live stream's does.
func benchmarkMux(b *testing.B, frames []*media.Frame, dir string) {
	benchmarkMuxOpts(b, frames, HLSOptions{}, dir)
}

func benchmarkMuxOpts(b *testing.B, frames []*media.Frame, opts HLSOptions, dir string) {
	var size int64
	var span time.Duration
	for _, f := range frames {
		size += int64(len(f.Data))
		span = max(span, f.DTS+40*time.Millisecond)
	}
	opts.Channel, opts.Logger, opts.Dir = "bench", quiet(), dir
	h := NewHLS(opts)
	b.SetBytes(size / int64(len(frames)))
	b.ReportAllocs()
	// A muxer may keep what a frame points to until its segment ends (the
	// fMP4 one used to keep the frame itself): each op writes a frame of
	// its own, from a ring longer than any segment.
	ring := make([]media.Frame, 2*len(frames))
	i := 0
	for b.Loop() {
		src := frames[i%len(frames)]
		off := time.Duration(i/len(frames)) * span
		fr := &ring[i%len(ring)]
		*fr = *src
		fr.DTS += off
		fr.PTS += off
		h.WriteFrame(fr)
		i++
	}
	b.StopTimer()
	h.Close()
	if i >= len(frames) && h.Stats().Segments == 0 {
		b.Fatal("no segment made")
	}
}
