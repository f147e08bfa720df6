package mp4file

import (
	"bytes"
	"context"
	"log/slog"
	"os"
	"testing"

	"github.com/lubo-edge/lubo/media"
	"github.com/lubo-edge/lubo/testdata/testmedia"
)

// counter is a Publisher that only counts, and cancels after stopAfter frames.
type counter struct {
	n, stopAfter int
	cancel       context.CancelFunc
}

func (*counter) Begin(*media.Tracks) {}

func (c *counter) WriteFrame(*media.Frame) {
	if c.n++; c.n == c.stopAfter {
		c.cancel()
	}
}

// playFrames loops frames on a fake clock until n frames are written.
func playFrames(tracks *media.Tracks, frames []*media.Frame, n int) error {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	s := NewBytesSource("bench", nil, WithClock(&fakeClock{}), WithLogger(slog.New(slog.DiscardHandler)))
	return s.play(ctx, &counter{stopAfter: n, cancel: cancel}, tracks, frames)
}

// TestLoopAllocatesOnlyFrames: looping costs one allocation per frame
// written (the media.Frame) plus a few per session, whatever the number of
// loops.
func TestLoopAllocatesOnlyFrames(t *testing.T) {
	tracks, frames := readFile(t, "h264_aac.mp4")
	const loops = 5
	n := loops * len(frames)
	allocs := testing.AllocsPerRun(3, func() {
		if err := playFrames(tracks, frames, n); err != nil {
			t.Fatal(err)
		}
	})
	if allocs > float64(n+20) {
		t.Fatalf("%v allocations for %d frames over %d loops", allocs, n, loops)
	}
}

func BenchmarkReadFrames(b *testing.B) {
	for _, name := range []string{"sample.mp4", "h264_1080p.mp4"} {
		b.Run(name, func(b *testing.B) {
			data, err := os.ReadFile(testmedia.Require(b, name))
			if err != nil {
				b.Fatal(err)
			}
			b.SetBytes(int64(len(data)))
			b.ReportAllocs()
			for b.Loop() {
				if _, _, err := ReadFrames(bytes.NewReader(data)); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkLoop is the cost of one looped frame with pacing off (op = frame).
func BenchmarkLoop(b *testing.B) {
	tracks, frames := readFile(b, "h264_1080p.mp4")
	b.ReportAllocs()
	b.ResetTimer()
	if err := playFrames(tracks, frames, b.N); err != nil {
		b.Fatal(err)
	}
}
