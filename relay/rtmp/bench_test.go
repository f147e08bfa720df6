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

// BenchmarkServerRead measures what a publisher's bytes cost on the way in,
// per frame: gomedia's server handle and lubo's converter fed straight
// from the socket's reads (the old path, which hostile input can spin),
// and with lubo's chunk reader in front (the path in use).
func BenchmarkServerRead(b *testing.B) {
	tracks, frames := framesFromFLV(b, clipPath(b, "aac"))
	stream, _ := conversation(b, true, frames, tracks)
	stream = append(make([]byte, handshakeSize), stream...)
	for _, guarded := range []bool{false, true} {
		name := "gomedia"
		if guarded {
			name = "inbound+gomedia"
		}
		b.Run(name, func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(len(stream)))
			got := 0
			for b.Loop() {
				h := gortmp.NewRtmpServerHandle()
				h.SetOutput(func([]byte) error { return nil })
				h.OnPublish(func(_, _ string) gortmp.StatusCode { return gortmp.NETSTREAM_PUBLISH_START })
				conv := newConverter(func(*media.Tracks) {}, func(*media.Frame) { got++ })
				h.OnFrame(conv.push)
				input := h.Input
				if guarded {
					input = newInbound(h.Input).feed1
				}
				for i := 0; i < len(stream); i += readBufSize {
					if err := input(stream[i:min(i+readBufSize, len(stream))]); err != nil {
						b.Fatal(err)
					}
				}
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(max(got, 1)), "ns/frame")
			b.ReportMetric(float64(got)/float64(b.N), "frames/op")
		})
	}
}

// feed1 is feed at a fixed time, shaped like gomedia's Input.
func (r *inbound) feed1(p []byte) error { return r.feed(p, time.Time{}) }

// BenchmarkChunkReader measures lubo's chunk reader alone on a publisher's
// stream (chunk headers, reassembly, the type-0 re-framing), per message.
// gortmplib's chunk and message layer was measured on the same bytes for
// the decision in doc.go.
func BenchmarkChunkReader(b *testing.B) {
	tracks, frames := framesFromFLV(b, clipPath(b, "aac"))
	stream, _ := conversation(b, true, frames, tracks)
	b.ReportAllocs()
	b.SetBytes(int64(len(stream)))
	msgs := 0
	for b.Loop() {
		r := newInbound(func([]byte) error { msgs++; return nil })
		if err := r.feed(make([]byte, handshakeSize), time.Time{}); err != nil {
			b.Fatal(err)
		}
		for i := 0; i < len(stream); i += readBufSize {
			if err := r.feed(stream[i:min(i+readBufSize, len(stream))], time.Time{}); err != nil {
				b.Fatal(err)
			}
		}
	}
	b.ReportMetric(float64(msgs)/float64(b.N), "msgs/op")
}
