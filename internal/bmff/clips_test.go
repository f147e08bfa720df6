package bmff

import (
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/lubo-edge/lubo/internal/testclip"
	"github.com/lubo-edge/lubo/media"
	"github.com/lubo-edge/lubo/testdata/testmedia"
)

// clip is real media for the tests: a committed test file, or one made here
// by ffmpeg where the committed ones lack something (H.264 High profile
// with B-frames).
type clip struct {
	tracks *media.Tracks
	frames []*media.Frame
}

func loadClip(t testing.TB, name string) clip {
	t.Helper()
	tracks, frames := testclip.ReadMP4(t, testmedia.Require(t, name))
	return clip{tracks, frames}
}

var highClip struct {
	once sync.Once
	dir  string
	c    clip
	err  error
}

// highProfileClip is 2 s of 320x240 H.264 High profile with B-frames and
// AAC, made by ffmpeg (libx264) once per test binary.
func highProfileClip(t testing.TB) clip {
	t.Helper()
	h := &highClip
	h.once.Do(func() {
		h.dir, h.err = os.MkdirTemp("", "bmff-clip")
		if h.err != nil {
			return
		}
		ts := filepath.Join(h.dir, "high.ts")
		h.err = testclip.FFmpeg("-f", "lavfi", "-i", "testsrc=size=320x240:rate=25", "-f", "lavfi", "-i", "sine=frequency=440:sample_rate=48000",
			"-t", "2", "-c:v", "libx264", "-profile:v", "high", "-pix_fmt", "yuv420p", "-bf", "2", "-g", "25",
			"-c:a", "aac", "-b:a", "64k", "-f", "mpegts", ts)
		if h.err == nil {
			h.c.tracks, h.c.frames, h.err = testclip.DemuxTS(ts)
		}
		os.RemoveAll(h.dir)
	})
	if h.err != nil {
		t.Fatalf("make the High profile clip: %v", h.err)
	}
	return h.c
}

// paramSets are a clip's video parameter sets.
func (c clip) paramSets() ParamSets {
	v := c.tracks.Video
	return ParamSets{VPS: v.VPS, SPS: v.SPS, PPS: v.PPS}
}
