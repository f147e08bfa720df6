package rtmp

import (
	"testing"
	"time"

	"github.com/yapingcat/gomedia/go-codec"
	gortmp "github.com/yapingcat/gomedia/go-rtmp"

	"github.com/lubo-edge/lubo/media"
)

// BenchmarkConverter measures the gomedia-to-media.Frame path on a real
// H.264+AAC clip, per frame.
func BenchmarkConverter(b *testing.B) {
	_, frames := framesFromFLV(b, clipPath(b, "aac"))
	type in struct {
		cid  codec.CodecID
		ms   uint32
		data []byte
	}
	ins := make([]in, len(frames))
	for i, f := range frames {
		cid := codec.CODECID_VIDEO_H264
		data := f.Data
		if !f.IsVideo() {
			cid = codec.CODECID_AUDIO_AAC
			data = append(aacConfigOf(f.Tracks.Audio).appendADTS(nil, len(f.Data)), f.Data...)
		}
		ins[i] = in{cid, uint32(f.DTS / time.Millisecond), data}
	}
	conv := newConverter(func(*media.Tracks) {}, func(*media.Frame) {})
	b.ReportAllocs()
	b.ResetTimer()
	for i := range b.N {
		x := ins[i%len(ins)]
		ms := x.ms + uint32(i/len(ins))*5000 // keep time moving forward
		conv.push(x.cid, ms, ms, x.data)
	}
}

// BenchmarkPlayerWrite measures one RTMP player's write path per frame:
// preparing the frame and gomedia's FLV muxing and chunking, into a
// discarding connection.
func BenchmarkPlayerWrite(b *testing.B) {
	tracks, frames := framesFromFLV(b, clipPath(b, "aac"))
	out := 0
	h := gortmp.NewRtmpServerHandle()
	h.SetOutput(func(p []byte) error { out += len(p); return nil })
	snd := newSender(tracks)
	b.ReportAllocs()
	b.ResetTimer()
	for i := range b.N {
		if err := snd.send(h, frames[i%len(frames)]); err != nil {
			b.Fatal(err)
		}
	}
	b.SetBytes(int64(out / max(b.N, 1)))
}
