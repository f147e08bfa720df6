package mp4file

import (
	"context"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/lubo-edge/lubo/media"
	"github.com/lubo-edge/lubo/testdata"
	"github.com/lubo-edge/lubo/testdata/testmedia"
)

// TestSourceLoops plays clips for more than two loops on a fake clock and
// checks what a Stream would rely on: Begin first, the right tracks, a
// keyframe first, per-track DTS growing across loops, frames released at
// their time, payloads shared between loops, and a decodable result.
func TestSourceLoops(t *testing.T) {
	cases := []struct {
		name          string
		source        func(...Option) *Source
		file          string // to compare with ReadFrames
		video         media.Codec
		width, height int
	}{
		{"h264_aac", func(o ...Option) *Source { return NewSource(testmedia.Require(t, "h264_aac.mp4"), o...) }, "h264_aac.mp4", media.H264, 320, 240},
		{"h265_aac", func(o ...Option) *Source { return NewSource(testmedia.Require(t, "h265_aac.mp4"), o...) }, "h265_aac.mp4", media.H265, 320, 240},
		{"embedded sample", func(o ...Option) *Source { return NewBytesSource("demo", testdata.Sample, o...) }, "sample.mp4", media.H264, 640, 360},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, clip := readFile(t, c.file)
			period := ClipDuration(clip)
			perLoop := len(clip)

			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			clock := &fakeClock{now: time.Date(2025, 9, 1, 8, 0, 0, 0, time.UTC)}
			start := clock.now
			rec := &recorder{clock: clock, stopAfter: 2*perLoop + 10, cancel: cancel}
			if err := c.source(WithClock(clock)).Run(ctx, rec); err != nil {
				t.Fatalf("Run: %v", err)
			}

			if len(rec.begins) != 1 || rec.beforeBegin != 0 {
				t.Fatalf("%d Begin calls, %d frames before Begin", len(rec.begins), rec.beforeBegin)
			}
			tracks := rec.begins[0]
			if v := tracks.Video; v == nil || v.Codec != c.video || v.Width != c.width || v.Height != c.height {
				t.Fatalf("video track %+v, want %s %dx%d", v, c.video, c.width, c.height)
			}
			if a := tracks.Audio; a == nil || a.Codec != media.AAC || a.SampleRate != 44100 || a.Channels != 2 {
				t.Fatalf("audio track %+v, want AAC 44100 Hz stereo", a)
			}
			if len(rec.frames) != rec.stopAfter {
				t.Fatalf("%d frames after cancel at %d", len(rec.frames), rec.stopAfter)
			}
			if first := only(rec.frames, true)[0]; !first.Key {
				t.Fatal("first video frame is not a keyframe")
			}
			checkStrictlyIncreasing(t, rec.frames)

			latest := time.Duration(0)
			for i, f := range rec.frames {
				if f.Tracks != tracks {
					t.Fatalf("frame %d belongs to another session", i)
				}
				// Each frame is released when the clock reaches its DTS,
				// never before; the clock never runs ahead of the latest.
				latest = max(latest, f.DTS)
				if got := rec.at[i].Sub(start); got != latest {
					t.Fatalf("frame %d (DTS %v) released at %v", i, f.DTS, got)
				}
				loop, j := i/perLoop, i%perLoop
				want := clip[j]
				if f.DTS != want.DTS+time.Duration(loop)*period || f.Key != want.Key || f.Codec != want.Codec {
					t.Fatalf("loop %d frame %d: DTS %v key %v, want %v + %d×%v key %v", loop, j, f.DTS, f.Key, want.DTS, loop, period, want.Key)
				}
				if &f.Data[0] != &rec.frames[j].Data[0] {
					t.Fatalf("loop %d frame %d has a copy of its payload", loop, j)
				}
			}

			// Two loops back to back must decode cleanly.
			twoLoops := rec.frames[:2*perLoop]
			if got, want := judgeVideo(t, c.video, twoLoops), 2*len(only(clip, true)); got != want {
				t.Errorf("ffmpeg decodes %d pictures of two loops, want %d", got, want)
			}
			judgeAudio(t, tracks.Audio, twoLoops)
		})
	}
}

// TestSourceRealTime plays on the wall clock for a moment: frames arrive,
// cancel ends Run with nil, and pacing held them back (a 6 s clip is not
// through its first loop after half a second).
func TestSourceRealTime(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 500*time.Millisecond)
	defer cancel()
	rec := &recorder{}
	if err := NewSource(testmedia.Require(t, "h264_aac.mp4")).Run(ctx, rec); err != nil {
		t.Fatalf("Run: %v", err)
	}
	if len(rec.begins) != 1 || len(rec.frames) == 0 {
		t.Fatalf("%d Begin calls, %d frames", len(rec.begins), len(rec.frames))
	}
	if last := rec.frames[len(rec.frames)-1]; last.DTS >= 5*time.Second {
		t.Fatalf("after 0.5 s the source is at DTS %v: not paced", last.DTS)
	}
}

func TestSourceErrors(t *testing.T) {
	dir := t.TempDir()
	missing := filepath.Join(dir, "x.mp4")
	garbage := filepath.Join(dir, "garbage.mp4")
	if err := os.WriteFile(garbage, []byte(strings.Repeat("this is not a video file\n", 100)), 0o644); err != nil {
		t.Fatal(err)
	}

	for _, c := range []struct {
		name   string
		source *Source
		want   string
		is     error
	}{
		{"missing", NewSource(missing), "mp4file: open " + missing + ": no such file or directory", fs.ErrNotExist},
		{"garbage", NewSource(garbage), "mp4file: " + garbage + " has no H.264/H.265/AAC track", ErrNoTrack},
		{"empty bytes", NewBytesSource("empty", nil), "mp4file: empty has no H.264/H.265/AAC track", ErrNoTrack},
	} {
		t.Run(c.name, func(t *testing.T) {
			rec := &recorder{}
			err := c.source.Run(context.Background(), rec)
			if err == nil || err.Error() != c.want || !errors.Is(err, c.is) {
				t.Fatalf("Run = %v, want %q (errors.Is %v)", err, c.want, c.is)
			}
			if len(rec.begins) != 0 || len(rec.frames) != 0 {
				t.Fatalf("a failed Run published %d sessions, %d frames", len(rec.begins), len(rec.frames))
			}
		})
	}
}

func TestClipDuration(t *testing.T) {
	ms := time.Millisecond
	v := func(d time.Duration) *media.Frame { return &media.Frame{Codec: media.H264, DTS: d} }
	a := func(d time.Duration) *media.Frame { return &media.Frame{Codec: media.AAC, DTS: d} }
	for _, c := range []struct {
		name   string
		frames []*media.Frame
		want   time.Duration
	}{
		{"empty", nil, 0},
		{"one picture", []*media.Frame{v(0)}, 40 * ms},
		{"video", []*media.Frame{v(0), v(40 * ms), v(80 * ms)}, 120 * ms},
		{"audio longer", []*media.Frame{v(0), a(0), v(40 * ms), a(30 * ms), a(60 * ms)}, 90 * ms},
		{"late start", []*media.Frame{v(100 * ms), v(140 * ms)}, 80 * ms},
	} {
		if got := ClipDuration(c.frames); got != c.want {
			t.Errorf("%s: ClipDuration = %v, want %v", c.name, got, c.want)
		}
	}
}
