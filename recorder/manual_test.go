package recorder

import (
	"errors"
	"testing"
	"time"

	"github.com/lubo-edge/lubo/internal/judge"
	"github.com/lubo-edge/lubo/relay"
	"github.com/lubo-edge/lubo/storage"
	"github.com/lubo-edge/lubo/testdata/testmedia"
)

// A manual recording of a few seconds, sliced every second: every slice
// starts on a keyframe, decodes, and the slices join with their overlap.
func TestManualRecordingSlices(t *testing.T) {
	t.Parallel() // waits in real time; shares nothing with the other tests
	clip := testmedia.Require(t, "h264_aac.mp4")
	loc := lessonZone()
	cfg := parseConfig(t, t.TempDir(), clip, "  slice: 2s\n  overlap_keyframes: 1\n  snapshot_interval: 0s\n", "")
	g := newRig(t, cfg, loc, map[string]*relay.Stream{"c1": fileStream(t, "c1", clip)}, nil)
	g.start()
	waitFor(t, "recorder running", 5*time.Second, func() bool {
		_, err := g.rec.Start("c1", 5*time.Second)
		return !errors.Is(err, ErrNotRunning)
	})
	recs := g.finishedRecords("c1", 3, 20*time.Second)
	for _, r := range recs {
		t.Logf("%s %s start %s dur %v size %d %s", r.Path, r.State, r.Start.Format("15:04:05.000"), r.Duration, r.Size, r.Reason)
		if r.State != storage.StateComplete {
			t.Errorf("%s: state %s (%s)", r.Path, r.State, r.Reason)
		}
		p := ffprobe(t, g.abs(r.Path))
		if !p.FirstKey {
			t.Errorf("%s: first frame is not a keyframe (%s)", r.Path, p.FirstPictType)
		}
		if errs := judge.DecodeErrors(t, g.abs(r.Path), 0); errs != "" {
			t.Errorf("%s: decode errors:\n%s", r.Path, errs)
		}
	}
}
