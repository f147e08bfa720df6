package rtsp

import (
	"runtime"
	"testing"

	"github.com/bluenviron/gortsplib/v4/pkg/format/rtph264"
)

// BenchmarkDepacketize: RTP packets of a 1080p-like H.264 stream (a 200 kB
// keyframe, then 20 kB pictures) to access units, one access unit per op.
// retained-B is the heap the depacketizer still holds after a small
// picture that followed a keyframe: what it keeps alive per camera.
func BenchmarkDepacketize(b *testing.B) {
	t := &testing.T{}
	enc, _, aus := decoderCase(t, false)
	packets := packetize(t, enc, aus, true)
	for _, kind := range []string{"gortsplib", "renewing"} {
		b.Run(kind, func(b *testing.B) {
			var dec auDecoder
			if kind == "renewing" {
				dec = newTestDecoder(t, false)
			} else {
				d := &rtph264.Decoder{PacketizationMode: 1}
				if err := d.Init(); err != nil {
					b.Fatal(err)
				}
				dec = d
			}
			// Packets are copied as gortsplib's reader makes them: one
			// buffer each.
			feed := func(i int) {
				for _, p := range packets[i%len(packets)] {
					q := *p
					q.Payload = append([]byte(nil), p.Payload...)
					if _, err := dec.Decode(&q); err != nil && !incomplete(err) {
						b.Fatal(err)
					}
				}
			}
			b.ReportAllocs()
			i := 0
			for b.Loop() {
				feed(i)
				i++
			}
			b.StopTimer()
			for i%len(packets) != 2 { // end just after the picture that follows a keyframe
				feed(i)
				i++
			}
			var with, without runtime.MemStats
			runtime.GC()
			runtime.ReadMemStats(&with)
			runtime.KeepAlive(dec)
			dec = nil
			runtime.GC()
			runtime.ReadMemStats(&without)
			b.ReportMetric(float64(int64(with.HeapAlloc)-int64(without.HeapAlloc)), "retained-B")
		})
	}
}
