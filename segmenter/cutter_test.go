package segmenter

import (
	"slices"
	"testing"
	"time"

	"github.com/lubo-edge/lubo/media"
)

var (
	avA   = &media.Tracks{Video: &media.VideoTrack{Codec: media.H264}, Audio: &media.AudioTrack{Codec: media.AAC}, Session: 1}
	avB   = &media.Tracks{Video: &media.VideoTrack{Codec: media.H264}, Audio: &media.AudioTrack{Codec: media.AAC}, Session: 2}
	audA  = &media.Tracks{Audio: &media.AudioTrack{Codec: media.AAC}, Session: 1}
	audB  = &media.Tracks{Audio: &media.AudioTrack{Codec: media.AAC}, Session: 2}
	keep  = Cut{}
	start = Cut{Start: true}
	cut   = Cut{End: true, Start: true}
	drop  = Cut{Drop: true}
)

// step is one frame fed to a Cutter and the decision expected for it.
type step struct {
	codec  media.Codec
	key    bool
	dtsMS  int
	tracks *media.Tracks
	want   Cut
}

func v(key bool, ms int, t *media.Tracks, want Cut) step {
	return step{codec: media.H264, key: key, dtsMS: ms, tracks: t, want: want}
}

func a(ms int, t *media.Tracks, want Cut) step {
	return step{codec: media.AAC, key: true, dtsMS: ms, tracks: t, want: want}
}

var cutterCases = []struct {
	name   string
	target time.Duration
	limit  time.Duration
	steps  []step
}{
	{"video: cut at first keyframe at or after target", 2 * time.Second, 0, []step{
		v(true, 0, avA, start),
		a(10, avA, keep),
		v(false, 1000, avA, keep),
		v(true, 1500, avA, keep), // keyframe, but too early
		v(false, 1999, avA, keep),
		a(2010, avA, keep), // audio never cuts a video stream
		v(true, 2040, avA, cut),
		v(true, 4040, avA, cut),
	}},
	{"video: frames before the first keyframe dropped", time.Second, 0, []step{
		a(0, avA, drop),
		v(false, 0, avA, drop),
		v(false, 40, avA, drop),
		v(true, 80, avA, start),
		a(90, avA, keep),
	}},
	{"video: reconnect closes at once, next segment waits for a keyframe", 2 * time.Second, 0, []step{
		v(true, 0, avA, start),
		v(false, 40, avA, keep),
		v(false, 80, avB, Cut{End: true, Drop: true}),
		a(90, avB, drop),
		v(false, 120, avB, drop),
		v(true, 160, avB, Cut{Start: true, Discontinuity: true}),
		v(false, 200, avB, keep),
		v(true, 2160, avB, cut),
	}},
	{"video: reconnect on a keyframe cuts and marks", 10 * time.Second, 0, []step{
		v(true, 0, avA, start),
		v(true, 1000, avB, Cut{End: true, Start: true, Discontinuity: true}),
		v(true, 2000, avA, Cut{End: true, Start: true, Discontinuity: true}),
	}},
	{"video: reconnect before the first segment is no discontinuity", time.Second, 0, []step{
		v(false, 0, avA, drop),
		v(false, 40, avB, drop),
		v(true, 80, avB, start),
		v(true, 1080, avB, cut),
	}},
	{"video: timestamp going back cuts at the next keyframe", 2 * time.Second, 0, []step{
		v(true, 5000, avA, start),
		v(false, 100, avA, keep),
		v(true, 140, avA, cut),
	}},
	{"audio only: cut by duration", 2 * time.Second, 0, []step{
		a(0, audA, start),
		a(1000, audA, keep),
		a(1999, audA, keep),
		a(2000, audA, cut),
		a(3000, audA, keep),
		a(4100, audA, cut),
	}},
	{"audio only: reconnect", 2 * time.Second, 0, []step{
		a(0, audA, start),
		a(500, audB, Cut{End: true, Start: true, Discontinuity: true}),
		a(1000, audB, keep),
	}},
	{"target zero: every cut point starts a segment", 0, 0, []step{
		v(true, 0, avA, start),
		v(false, 40, avA, keep),
		v(true, 80, avA, cut),
		v(true, 80, avA, cut),
	}},
}

func TestCutter(t *testing.T) {
	for _, c := range cutterCases {
		t.Run(c.name, func(t *testing.T) {
			cu := NewCutter(c.target)
			cu.Limit = c.limit
			for i, s := range c.steps {
				f := &media.Frame{Codec: s.codec, Key: s.key, DTS: time.Duration(s.dtsMS) * time.Millisecond, Tracks: s.tracks}
				f.PTS = f.DTS
				if got := cu.Next(f); got != s.want {
					t.Fatalf("step %d (%v key=%v dts=%dms): got %+v, want %+v", i, s.codec, s.key, s.dtsMS, got, s.want)
				}
			}
		})
	}
}

func TestCutterOpenAndReset(t *testing.T) {
	cu := NewCutter(time.Second)
	cu.Limit = 1499 * time.Millisecond
	if _, open := cu.Open(); open {
		t.Fatal("new cutter has an open segment")
	}
	cu.Next(&media.Frame{Codec: media.H264, Key: true, DTS: 3 * time.Second, Tracks: avA})
	if start, open := cu.Open(); !open || start != 3*time.Second {
		t.Fatalf("Open() = %v, %v; want 3s, true", start, open)
	}
	cu.Reset()
	if _, open := cu.Open(); open {
		t.Fatal("open segment after Reset")
	}
	if cu.Target != time.Second || cu.Limit != 1499*time.Millisecond {
		t.Fatalf("Reset lost the target or the limit: %v, %v", cu.Target, cu.Limit)
	}
	// After Reset a new session is a fresh start, not a discontinuity.
	got := cu.Next(&media.Frame{Codec: media.H264, Key: true, DTS: 4 * time.Second, Tracks: avB})
	if got != start {
		t.Fatalf("first frame after Reset: %+v, want %+v", got, start)
	}
}

// TestCutterLimit: at 25 fps with a keyframe every 4 s, a 2 s target and a
// limit of 2.499 s, segments end on keyframes when one comes in time and
// are split just before the limit otherwise; audio never splits.
func TestCutterLimit(t *testing.T) {
	cu := NewCutter(2 * time.Second)
	cu.Limit = 2499 * time.Millisecond
	var starts []int
	var splits []bool
	for ms := 0; ms < 12000; ms += 40 {
		f := &media.Frame{Codec: media.H264, Key: ms%4000 == 0, DTS: time.Duration(ms) * time.Millisecond, Tracks: avA}
		if got := cu.Next(f); got.Start {
			starts = append(starts, ms)
			splits = append(splits, got.Split)
		}
		if got := cu.Next(&media.Frame{Codec: media.AAC, Key: true, DTS: time.Duration(ms+20) * time.Millisecond, Tracks: avA}); got != keep {
			t.Fatalf("audio at %d ms: %+v", ms+20, got)
		}
	}
	// 0-2.44 (split: 2.44 + 0.04 = 2.48 < 2.499, 2.48 + 0.04 >= 2.499),
	// 2.48-4 (keyframe), 4-6.44, 6.48-8, 8-10.44, 10.48-.
	wantStarts := []int{0, 2480, 4000, 6480, 8000, 10480}
	wantSplits := []bool{false, true, false, true, false, true}
	if !slices.Equal(starts, wantStarts) || !slices.Equal(splits, wantSplits) {
		t.Fatalf("segments start at %v (split %v), want %v (%v)", starts, splits, wantStarts, wantSplits)
	}

	// Audio only: split on audio frames, which are all cut points.
	cu = NewCutter(3 * time.Second)
	cu.Limit = 1499 * time.Millisecond
	starts = nil
	for ms := 0; ms < 4000; ms += 100 {
		got := cu.Next(&media.Frame{Codec: media.AAC, Key: true, DTS: time.Duration(ms) * time.Millisecond, Tracks: audA})
		if got.Split {
			t.Fatalf("audio frame at %d ms marked as a split", ms)
		}
		if got.Start {
			starts = append(starts, ms)
		}
	}
	if want := []int{0, 1400, 2800}; !slices.Equal(starts, want) {
		t.Fatalf("audio-only segments start at %v, want %v", starts, want)
	}
}
