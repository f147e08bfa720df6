package snapshot

import (
	"context"
	"testing"
)

// BenchmarkJPEG is one ffmpeg run per op: a 320x240 keyframe to a JPEG.
// Most of the time is ffmpeg starting, not decoding.
func BenchmarkJPEG(b *testing.B) {
	for _, clip := range []string{"h264_aac.mp4", "h265_aac.mp4"} {
		b.Run(clip, func(b *testing.B) {
			f := keyframes(b, clip)[0]
			d := newDecoder(b, DecoderOptions{})
			ctx := context.Background()
			var size int
			for b.Loop() {
				jpeg, err := d.JPEG(ctx, f)
				if err != nil {
					b.Fatal(err)
				}
				size = len(jpeg)
			}
			b.ReportMetric(float64(b.Elapsed().Milliseconds())/float64(b.N), "ms/op")
			b.ReportMetric(float64(size), "jpeg-bytes")
		})
	}
}
