package rtsp

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/lubo-edge/lubo/internal/testclip"
	"github.com/lubo-edge/lubo/internal/testkit"
	"github.com/lubo-edge/lubo/media"
	"github.com/lubo-edge/lubo/relay"
)

// Test clips are made once per test binary by ffmpeg (testkit.Clips).
var fixtures testkit.Clips

func TestMain(m *testing.M) { fixtures.RunMain(m) }

// clipKind names a test clip: 320x240 (unless said otherwise) at 25 fps,
// 2 s, one keyframe a second.
type clipKind string

const (
	clipH264AAC   clipKind = "h264_aac"   // no B-frames
	clipH264BAAC  clipKind = "h264b_aac"  // with B-frames
	clipH265PCMA  clipKind = "h265_pcma"  // H.265 and G.711 A-law
	clipH264PCMU  clipKind = "h264_pcmu"  // H.264 and G.711 µ-law
	clipH264Small clipKind = "h264_small" // 160x120, video only
	clipH264Rows  clipKind = "h264_rows"  // 640x480, video only, a slice per macroblock row (30)
)

// clip is a demuxed test clip: its tracks and frames in DTS order.
type clip struct {
	tracks media.Tracks
	frames []*media.Frame
	dur    time.Duration // loop length
}

var (
	clipsMu sync.Mutex
	clips   = map[clipKind]*clip{}
)

// loadClip makes (once) and demuxes a test clip; it fails the test when
// ffmpeg is missing or fails.
func loadClip(t testing.TB, kind clipKind) *clip {
	t.Helper()
	clipsMu.Lock()
	defer clipsMu.Unlock()
	if c := clips[kind]; c != nil {
		return c
	}
	dir := fixtures.Path(t, string(kind), func(p string) error { return os.Mkdir(p, 0o755) })
	c, err := makeClip(dir, kind)
	if err != nil {
		t.Fatalf("test clip %s: %v", kind, err)
	}
	clips[kind] = c
	return c
}

// makeClip makes the files of kind in dir and demuxes them.
func makeClip(dir string, kind clipKind) (*clip, error) {
	src := []string{"-f", "lavfi", "-i", "testsrc2=size=320x240:rate=25", "-t", "2"}
	x264 := []string{"-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p", "-g", "25", "-bf", "0"}
	aac := []string{"-f", "lavfi", "-i", "sine=frequency=440:sample_rate=48000", "-t", "2"}
	tsPath := filepath.Join(dir, string(kind)+".ts")
	g711Path := filepath.Join(dir, string(kind)+".g711")
	var err error
	switch kind {
	case clipH264AAC:
		err = testclip.FFmpeg(slices.Concat(src, aac, x264, []string{"-c:a", "aac", "-b:a", "64k", "-f", "mpegts", tsPath})...)
	case clipH264BAAC:
		x := slices.Clone(x264)
		x[1], x[3], x[len(x)-1] = "libx264", "medium", "2"
		err = testclip.FFmpeg(slices.Concat(src, aac, x, []string{"-c:a", "aac", "-b:a", "64k", "-f", "mpegts", tsPath})...)
	case clipH264Small:
		err = testclip.FFmpeg(slices.Concat([]string{"-f", "lavfi", "-i", "testsrc2=size=160x120:rate=25", "-t", "1"}, x264,
			[]string{"-f", "mpegts", tsPath})...)
	case clipH264Rows:
		err = testclip.FFmpeg(slices.Concat([]string{"-f", "lavfi", "-i", "testsrc2=size=640x480:rate=25", "-t", "1"}, x264,
			[]string{"-x264-params", "slices=30", "-f", "mpegts", tsPath})...)
	case clipH265PCMA:
		err = testclip.FFmpeg(slices.Concat(src, []string{"-c:v", "libx265", "-preset", "ultrafast", "-pix_fmt", "yuv420p",
			"-x265-params", "keyint=25:min-keyint=25:bframes=0:log-level=error", "-f", "mpegts", tsPath})...)
		if err == nil {
			err = testclip.FFmpeg("-f", "lavfi", "-i", "sine=frequency=440:sample_rate=8000", "-t", "2",
				"-c:a", "pcm_alaw", "-ar", "8000", "-ac", "1", "-f", "alaw", g711Path)
		}
	case clipH264PCMU:
		err = testclip.FFmpeg(slices.Concat(src, x264, []string{"-f", "mpegts", tsPath})...)
		if err == nil {
			err = testclip.FFmpeg("-f", "lavfi", "-i", "sine=frequency=440:sample_rate=8000", "-t", "2",
				"-c:a", "pcm_mulaw", "-ar", "8000", "-ac", "1", "-f", "mulaw", g711Path)
		}
	default:
		return nil, fmt.Errorf("unknown clip")
	}
	if err != nil {
		return nil, err
	}
	c, err := demuxTS(tsPath)
	if err != nil {
		return nil, err
	}
	switch kind {
	case clipH265PCMA:
		err = c.addG711(g711Path, media.PCMA)
	case clipH264PCMU:
		err = c.addG711(g711Path, media.PCMU)
	}
	if err != nil {
		return nil, err
	}
	c.finish()
	return c, nil
}

// demuxTS reads video and AAC frames from an MPEG-TS file.
func demuxTS(path string) (*clip, error) {
	tracks, frames, err := testclip.DemuxTS(path)
	if err != nil {
		return nil, err
	}
	c := &clip{tracks: *tracks}
	// The clip's frames carry no Tracks: the sources under test set theirs.
	for _, f := range frames {
		f.Tracks = nil
	}
	c.frames = frames
	return c, nil
}

// addG711 adds 20 ms frames of raw G.711 samples at 8 kHz.
func (c *clip) addG711(path string, codec media.Codec) error {
	b, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	c.tracks.Audio = &media.AudioTrack{Codec: codec, SampleRate: 8000, Channels: 1}
	for i := 0; i+160 <= len(b); i += 160 {
		at := time.Duration(i) * time.Second / 8000
		c.frames = append(c.frames, &media.Frame{Codec: codec, DTS: at, PTS: at, Key: true, Data: b[i : i+160]})
	}
	return nil
}

// finish orders the frames and works out the loop length.
func (c *clip) finish() {
	slices.SortStableFunc(c.frames, func(a, b *media.Frame) int {
		return int(a.DTS - b.DTS)
	})
	var end time.Duration
	for _, f := range c.frames {
		if f.DTS > end {
			end = f.DTS
		}
	}
	c.dur = end + 40*time.Millisecond
}

// source plays the clip in a loop at real speed, as a camera would.
func (c *clip) source() relay.Source {
	return relay.SourceFunc(func(ctx context.Context, out relay.Publisher) error {
		tracks := c.tracks
		out.Begin(&tracks)
		start := time.Now()
		timer := time.NewTimer(0)
		defer timer.Stop()
		for loop := time.Duration(0); ; loop++ {
			base := loop * c.dur
			for _, f := range c.frames {
				at := base + f.DTS
				if wait := time.Until(start.Add(at)); wait > 0 {
					timer.Reset(wait)
					select {
					case <-ctx.Done():
						return nil
					case <-timer.C:
					}
				} else if ctx.Err() != nil {
					return nil
				}
				out.WriteFrame(&media.Frame{Codec: f.Codec, DTS: at, PTS: base + f.PTS, Key: f.Key, Data: f.Data})
			}
		}
	})
}

// startStream runs a relay.Stream fed by src until the test ends.
func startStream(t *testing.T, id string, src relay.Source, opts relay.StreamOptions) *relay.Stream {
	t.Helper()
	st := relay.NewStream(id, src, opts)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		st.Run(ctx)
	}()
	t.Cleanup(func() {
		cancel()
		<-done
	})
	return st
}
