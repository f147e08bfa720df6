package rtsp

import (
	"testing"

	"github.com/lubo-edge/lubo/media"
)

// BenchmarkVideoAssembler: depacketized access units to lubo frames (the
// per-frame cost of pulling a camera, without the network).
func BenchmarkVideoAssembler(b *testing.B) {
	c := loadClip(b, clipH264AAC)
	var aus [][][]byte
	var bytes int64
	for _, f := range c.frames {
		if f.IsVideo() {
			aus = append(aus, withoutParams(media.H264, nalusOf(f)))
			bytes += int64(len(f.Data))
		}
	}
	v := c.tracks.Video
	b.SetBytes(bytes / int64(len(aus)))
	b.ReportAllocs()
	a := newVideoAssembler(media.H264, nil, v.SPS, v.PPS, nil)
	pts := int64(0)
	for i := 0; b.Loop(); i++ {
		if _, err := a.push(wholeUnits(aus[i%len(aus)]), pts); err != nil {
			b.Fatal(err)
		}
		pts += 3600
	}
}

// BenchmarkPacketize: one served frame to RTP packets (the per-frame cost of
// the re-serve before gortsplib fans packets out).
func BenchmarkPacketize(b *testing.B) {
	c := loadClip(b, clipH264AAC)
	out, err := buildOutStream(&c.tracks)
	if err != nil {
		b.Fatal(err)
	}
	var frames []*media.Frame
	var bytes int64
	for _, f := range c.frames {
		if f.IsVideo() {
			frames = append(frames, f)
			bytes += int64(len(f.Data))
		}
	}
	b.SetBytes(bytes / int64(len(frames)))
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		if _, err := out.video.packets(frames[i%len(frames)]); err != nil {
			b.Fatal(err)
		}
	}
}
