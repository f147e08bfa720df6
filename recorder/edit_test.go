package recorder

import (
	"testing"
	"time"

	"github.com/lubo-edge/lubo/internal/judge"
	"github.com/lubo-edge/lubo/relay"
	"github.com/lubo-edge/lubo/relay/mp4file"
	"github.com/lubo-edge/lubo/storage"
	"github.com/lubo-edge/lubo/testdata/testmedia"
)

const editRecord = "  slice: 0s\n  pre_roll: 1s\n  snapshot_interval: 0s\n"

// A course extended while it runs: the recording goes on to the new end.
func TestCourseExtendedWhileRecording(t *testing.T) {
	t.Parallel() // waits in real time; shares nothing with the other tests
	clip := testmedia.Require(t, "h264_aac.mp4")
	dir, loc := t.TempDir(), lessonZone()
	line, start := course("c1", loc, time.Second, 2*time.Second)
	g := newRig(t, parseConfig(t, dir, clip, editRecord, line), loc, map[string]*relay.Stream{"c1": fileStream(t, "c1", clip)}, nil)
	g.start()
	waitFor(t, "the course to be recording", 10*time.Second, g.recordingFor(1, 500*time.Millisecond))
	longer := replaceDuration(t, line, "2s", "5s")
	g.rec.Reload(parseConfig(t, dir, clip, editRecord, longer))

	recs := g.finishedRecords("c1", 1, 20*time.Second)
	if len(recs) != 1 {
		t.Fatalf("%d records, want one file for the lesson", len(recs))
	}
	r := recs[0]
	end := start.Add(5 * time.Second)
	t.Logf("%s %s..%s (%v)", r.Path, r.Start.In(loc).Format("15:04:05.000"), r.End.In(loc).Format("15:04:05.000"), r.Duration)
	// Went on well past the old end (2 s), and stopped by the first
	// keyframe after the new one. The lower bound leaves a second for a
	// loaded machine, whose file source lags the wall clock: the check is
	// that the extension happened, not how punctual a busy box is.
	if r.State != storage.StateComplete || r.End.Before(start.Add(4*time.Second)) || r.End.After(end.Add(1100*time.Millisecond)) {
		t.Errorf("the extended lesson ends at %s (%s), want the first keyframe after %s", r.End.In(loc).Format("15:04:05.000"), r.State, end.Format("15:04:05"))
	}
	if errs := judge.DecodeErrors(t, g.abs(r.Path), 0); errs != "" {
		t.Errorf("decode errors:\n%s", errs)
	}
}

// A course removed during its pre-roll: the session ends without a file.
func TestCourseRemovedDuringPreRoll(t *testing.T) {
	t.Parallel() // waits in real time; shares nothing with the other tests
	clip := testmedia.Require(t, "h264_aac.mp4")
	dir, loc := t.TempDir(), lessonZone()
	line, _ := course("c1", loc, 2*time.Second, 10*time.Second)
	g := newRig(t, parseConfig(t, dir, clip, "  slice: 0s\n  pre_roll: 5s\n  snapshot_interval: 0s\n", line), loc,
		map[string]*relay.Stream{"c1": fileStream(t, "c1", clip)}, nil)
	g.start()
	waitFor(t, "the pre-roll", 10*time.Second, func() bool {
		s := g.rec.Sessions()
		return len(s) == 1 && s[0].Phase == PhaseWaiting
	})
	g.rec.Reload(parseConfig(t, dir, clip, editRecord, ""))
	waitFor(t, "the session to end", 10*time.Second, func() bool { return len(g.rec.Sessions()) == 0 })
	if recs := g.records("c1"); len(recs) != 0 {
		t.Errorf("a course removed before it began left records: %+v", recs[0])
	}
}

// A lesson whose camera sends nothing leaves no file, and says so in the
// failures metric.
func TestLessonWithoutPictureIsReported(t *testing.T) {
	t.Parallel() // waits in real time; shares nothing with the other tests
	clip := testmedia.Require(t, "h264_aac.mp4")
	dir, loc := t.TempDir(), lessonZone()
	line, _ := course("c1", loc, 0, time.Second)
	dead := runStream(t, relay.NewStream("c1", mp4file.NewSource(dir+"/missing.mp4", mp4file.WithLogger(testLogger(t))),
		relay.StreamOptions{Logger: testLogger(t)}))
	g := newRig(t, parseConfig(t, dir, clip, editRecord, line), loc, map[string]*relay.Stream{"c1": dead},
		func(o *Options) { o.EndGrace = 500 * time.Millisecond })
	g.start()
	waitFor(t, "the lesson to be reported lost", 10*time.Second, func() bool {
		return g.rec.Stats().Failures[reasonNoSource] == 1
	})
	if recs := g.records("c1"); len(recs) != 0 {
		t.Errorf("records without a picture: %+v", recs[0])
	}
}
