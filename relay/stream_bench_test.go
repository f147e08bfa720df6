package relay

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/lubo-edge/lubo/media"
)

// BenchmarkAddReader is what a reader costs to attach to a stream with a
// 2 s GOP of 1080p (144 frames cached), with the default queue of 1024.
func BenchmarkAddReader(b *testing.B) {
	s := NewStream("bench", nil, quiet(StreamOptions{}))
	pub := s.nextSession()
	pub.Begin(&media.Tracks{Video: &media.VideoTrack{Codec: media.H264}})
	for i := range 144 {
		pub.WriteFrame(&media.Frame{Codec: media.H264, DTS: time.Duration(i) * 14 * time.Millisecond, Key: i == 0, Data: []byte{0, 0, 0, 1, 0x41, 1}})
	}
	b.ReportAllocs()
	for b.Loop() {
		r, err := s.AddReader("r")
		if err != nil {
			b.Fatal(err)
		}
		r.Close()
	}
}

// BenchmarkFanOut measures one Write reaching N readers that keep up.
func BenchmarkFanOut(b *testing.B) {
	for _, n := range []int{1, 10, 100} {
		b.Run(fmt.Sprintf("readers=%d", n), func(b *testing.B) {
			s := NewStream("bench", nil, quiet(StreamOptions{ReaderQueue: 64}))
			pub := s.nextSession()
			pub.Begin(&media.Tracks{Video: &media.VideoTrack{Codec: media.H264}})
			readers := make([]*Reader, n)
			for i := range readers {
				readers[i], _ = s.AddReader("r")
			}
			payload := make([]byte, 20000) // a 4 Mbps P-frame: one NAL unit
			copy(payload, []byte{0, 0, 0, 1, 0x41})
			for i := 5; i < len(payload); i++ {
				payload[i] = byte(i%251) | 1 // no start code inside
			}
			ctx := context.Background()
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				f := &media.Frame{Codec: media.H264, Key: i%50 == 0, Data: payload}
				pub.WriteFrame(f)
				if i%32 == 31 { // drain like readers that keep up
					for _, r := range readers {
						for r.n > 0 {
							_, _ = r.Read(ctx)
						}
					}
				}
			}
		})
	}
}
