package segmenter

import (
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/lubo-edge/lubo/internal/testclip"
	"github.com/lubo-edge/lubo/internal/testkit"
	"github.com/lubo-edge/lubo/media"
)

// clips holds the files ffmpeg makes, shared by the tests of one run.
var clips testkit.Clips

func TestMain(m *testing.M) { clips.RunMain(m) }

// clip is a short file made by ffmpeg, demuxed into lubo frames: timestamps
// start at zero, frames are in DTS order and all belong to tracks.
type clip struct {
	frames   []*media.Frame
	tracks   *media.Tracks
	duration time.Duration // end of the last video frame
}

// Clip kinds: what ffmpeg makes. testsrc is RGB, so yuv420p is asked for
// explicitly or x264 would pick a 4:4:4 profile few players decode.
var clipArgs = map[string][]string{
	"h264_aac": {"-c:v", "libx264", "-pix_fmt", "yuv420p", "-g", "25", "-bf", "0", "-c:a", "aac"},
	// H.265 keeps x265's B-frames, so PTS and DTS differ.
	"h265_aac": {"-c:v", "libx265", "-pix_fmt", "yuv420p", "-g", "25", "-x265-params", "log-level=error", "-c:a", "aac"},
	// A camera with a 4 s GOP, longer than HLS's target duration.
	"h264_gop4": {"-c:v", "libx264", "-pix_fmt", "yuv420p", "-g", "100", "-sc_threshold", "0", "-bf", "0", "-c:a", "aac"},
}

// clipKeys is how many keyframes a clip kind has in its 6 s.
func clipKeys(kind string) int {
	if kind == "h264_gop4" {
		return 2
	}
	return 6
}

var (
	clipMu    sync.Mutex
	clipCache = map[string]*clip{}
)

// loadClip makes (once per test run) and demuxes a 6 s 320x240 clip.
func loadClip(tb testing.TB, kind string) *clip {
	tb.Helper()
	clipMu.Lock()
	defer clipMu.Unlock()
	if c := clipCache[kind]; c != nil {
		return c
	}
	args, ok := clipArgs[kind]
	if !ok {
		tb.Fatalf("no clip kind %q", kind)
	}
	path := clips.Path(tb, kind+".ts", func(path string) error {
		cmd := append([]string{"-f", "lavfi", "-i", "testsrc=size=320x240:rate=25",
			"-f", "lavfi", "-i", "sine=frequency=440:sample_rate=44100",
			"-t", "6"}, args...)
		return testclip.FFmpeg(append(cmd, "-f", "mpegts", path)...)
	})
	c, err := demuxClip(path)
	if err != nil {
		tb.Fatalf("demux %s: %v", kind, err)
	}
	clipCache[kind] = c
	return c
}

// demuxClip reads an MPEG-TS file into frames.
func demuxClip(path string) (*clip, error) {
	tracks, frames, err := testclip.DemuxTS(path)
	if err != nil {
		return nil, err
	}
	if tracks.Audio == nil {
		return nil, fmt.Errorf("%s: no audio", path)
	}
	c := &clip{frames: frames, tracks: tracks}
	for _, fr := range frames {
		if fr.IsVideo() {
			c.duration = fr.DTS + 40*time.Millisecond
		}
	}
	return c, nil
}

// isParameterSet reports whether n is a VPS, SPS or PPS.
func isParameterSet(codec media.Codec, n []byte) bool {
	if codec == media.H265 {
		t := media.H265Type(n)
		return t == media.H265VPS || t == media.H265SPS || t == media.H265PPS
	}
	t := media.H264Type(n)
	return t == media.H264SPS || t == media.H264PPS
}

// session returns the clip's frames as a new source session: a new Tracks
// (same parameters), timestamps shifted by offset, starting at frame from,
// and without in-band parameter sets when strip is set. Payloads are new
// slices only when stripped; the clip itself is never modified.
func (c *clip) session(n int, offset time.Duration, from int, strip bool) []*media.Frame {
	t := *c.tracks
	t.Session = n
	out := make([]*media.Frame, 0, len(c.frames)-from)
	for _, f := range c.frames[from:] {
		g := *f
		g.Tracks = &t
		g.DTS += offset
		g.PTS += offset
		if strip && g.IsVideo() {
			var data []byte
			media.SplitAnnexB(f.Data, func(nalu []byte) bool {
				if !isParameterSet(f.Codec, nalu) {
					data = media.AppendAnnexB(data, nalu)
				}
				return true
			})
			g.Data = data
		}
		out = append(out, &g)
	}
	return out
}

func TestClipDemux(t *testing.T) {
	for kind := range clipArgs {
		t.Run(kind, func(t *testing.T) {
			c := loadClip(t, kind)
			var video, audio, keys int
			for _, f := range c.frames {
				if f.IsVideo() {
					video++
					if f.Key {
						keys++
					}
				} else {
					audio++
				}
			}
			// 6 s at 25 fps, a keyframe a second; AAC at 44.1 kHz is 43 frames a second.
			if video != 150 || keys != clipKeys(kind) || audio < 250 || audio > 262 {
				t.Fatalf("demuxed %d video frames (%d key), %d audio; want 150 (%d), about 258", video, keys, audio, clipKeys(kind))
			}
			first := c.frames[slices.IndexFunc(c.frames, (*media.Frame).IsVideo)]
			if !first.Key || first.DTS > 100*time.Millisecond {
				t.Fatalf("first video frame key=%v dts=%v, want a keyframe near 0", first.Key, first.DTS)
			}
			if len(c.tracks.Video.SPS) == 0 || len(c.tracks.Video.PPS) == 0 {
				t.Fatalf("no parameter sets: %+v", c.tracks.Video)
			}
		})
	}
}
