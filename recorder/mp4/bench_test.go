package mp4

import (
	"errors"
	"io"
	"os"
	"path/filepath"
	"testing"
	"time"

	gomp4 "github.com/yapingcat/gomedia/go-mp4"

	"github.com/lubo-edge/lubo/media"
	"github.com/lubo-edge/lubo/relay/mp4file"
)

// discardFile is a File that keeps nothing: the writer's own cost.
type discardFile struct{}

func (discardFile) Write(p []byte) (int, error) { return len(p), nil }
func (discardFile) Sync() error                 { return nil }
func (discardFile) Close() error                { return nil }

// benchFrames is the 1080p ~4 Mbps 25 fps H.264 + AAC clip, and the mean
// bytes per frame.
func benchFrames(b *testing.B) (*media.Tracks, []*media.Frame, int64) {
	tracks, frames := loadClip(b, "h264_1080p.mp4")
	var total int64
	for _, f := range frames {
		total += int64(len(f.Data))
	}
	return tracks, frames, total / int64(len(frames))
}

// looped returns frame i of an endless repetition of frames, shifted so
// timestamps keep growing; into is reused.
func looped(frames []*media.Frame, loop time.Duration, i int, into *media.Frame) *media.Frame {
	f := frames[i%len(frames)]
	shift := time.Duration(i/len(frames)) * loop
	*into = *f
	into.DTS, into.PTS = f.DTS+shift, f.PTS+shift
	return into
}

// BenchmarkWriter writes a 4 Mbps 25 fps H.264 + AAC stream without
// fdatasync; one op is one frame (video or audio).
func BenchmarkWriter(b *testing.B) {
	tracks, frames, mean := benchFrames(b)
	loop := mp4file.ClipDuration(frames)

	b.Run("discard", func(b *testing.B) {
		w, err := Create("bench.mp4.part", tracks, Options{NoSync: true,
			OpenFile: func(string) (File, error) { return discardFile{}, nil }})
		if err != nil {
			b.Fatal(err)
		}
		var f media.Frame
		for i := range 2 * len(frames) { // warm the buffers up
			if err := w.WriteFrame(looped(frames, loop, i, &f)); err != nil {
				b.Fatal(err)
			}
		}
		b.SetBytes(mean)
		b.ReportAllocs()
		b.ResetTimer()
		held := 0
		for i := range b.N {
			if err := w.WriteFrame(looped(frames, loop, i+2*len(frames), &f)); err != nil {
				b.Fatal(err)
			}
			held = max(held, w.ownBytes())
		}
		// What the writer holds of its own besides the shared frames.
		b.ReportMetric(float64(held), "held-bytes")
	})

	// To a real file (page cache, no fdatasync); a new file every 100 s of
	// media keeps the disk use small.
	b.Run("file", func(b *testing.B) {
		path := filepath.Join(b.TempDir(), "bench.mp4.part")
		const perFile = 100 * 25
		var w *Writer
		var f media.Frame
		b.SetBytes(mean)
		b.ReportAllocs()
		for i := range b.N {
			if i%perFile == 0 {
				if w != nil {
					if err := w.Close(); err != nil {
						b.Fatal(err)
					}
				}
				var err error
				if w, err = Create(path, tracks, Options{NoSync: true}); err != nil {
					b.Fatal(err)
				}
			}
			if err := w.WriteFrame(looped(frames, loop, i, &f)); err != nil {
				b.Fatal(err)
			}
		}
		b.StopTimer()
		w.Close()
		os.Remove(path)
	})
}

// BenchmarkGomediaFragmentMuxer writes the same stream with gomedia's
// go-mp4 in fragment mode, for comparison (see fragment.go for why lubo
// does not use it).
func BenchmarkGomediaFragmentMuxer(b *testing.B) {
	tracks, frames, mean := benchFrames(b)
	loop := mp4file.ClipDuration(frames)
	// gomedia takes AAC with ADTS headers; add them outside the timing.
	adts := make([][]byte, len(frames))
	for i, f := range frames {
		if f.Codec == media.AAC {
			adts[i] = append(adtsHeader(tracks.Audio, len(f.Data)), f.Data...)
		}
	}
	m, err := gomp4.CreateMp4Muxer(&countingSeeker{}, gomp4.WithMp4Flag(gomp4.MP4_FLAG_FRAGMENT))
	if err != nil {
		b.Fatal(err)
	}
	vid := m.AddVideoTrack(gomp4.MP4_CODEC_H264)
	aud := m.AddAudioTrack(gomp4.MP4_CODEC_AAC)
	var f media.Frame
	var flushed time.Duration
	b.SetBytes(mean)
	b.ReportAllocs()
	b.ResetTimer()
	for i := range b.N {
		g := looped(frames, loop, i, &f)
		if g.IsVideo() && g.DTS-flushed >= time.Second { // fragments as long as lubo's
			if err := m.FlushFragment(); err != nil {
				b.Fatal(err)
			}
			flushed = g.DTS
		}
		track, data := vid, g.Data
		if g.Codec == media.AAC {
			track, data = aud, adts[i%len(frames)]
		}
		if err := m.Write(track, data, uint64(g.PTS/time.Millisecond), uint64(g.DTS/time.Millisecond)); err != nil {
			b.Fatal(err)
		}
	}
}

// countingSeeker is an io.WriteSeeker that keeps nothing.
type countingSeeker struct{ n int64 }

func (c *countingSeeker) Write(p []byte) (int, error) { c.n += int64(len(p)); return len(p), nil }

func (c *countingSeeker) Seek(off int64, whence int) (int64, error) {
	if whence != io.SeekCurrent || off != 0 {
		return 0, errors.New("countingSeeker only tells the position")
	}
	return c.n, nil
}

// adtsHeader is a 7-byte ADTS header for an AAC-LC frame of n bytes.
func adtsHeader(a *media.AudioTrack, n int) []byte {
	index := 0
	for i, r := range aacSampleRates {
		if r == a.SampleRate {
			index = i
		}
	}
	size := n + 7
	return []byte{
		0xff, 0xf1,
		byte(1<<6 | index<<2 | a.Channels>>2),
		byte(a.Channels&3<<6 | size>>11),
		byte(size >> 3),
		byte(size&7<<5 | 0x1f),
		0xfc,
	}
}
