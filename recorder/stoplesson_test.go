package recorder

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/lubo-edge/lubo/recorder/schedule"
	"github.com/lubo-edge/lubo/relay"
	"github.com/lubo-edge/lubo/storage"
	"github.com/lubo-edge/lubo/testdata/testmedia"
)

// An admin stops a timetable lesson early: its recording ends complete and
// short, and a reload of the same timetable does not start it again.
func TestStopLessonEarly(t *testing.T) {
	t.Parallel() // waits in real time
	clip := testmedia.Require(t, "h264_aac.mp4")
	loc := lessonZone()
	line, _ := course("c1", loc, time.Second, 10*time.Minute)
	cfg := parseConfig(t, t.TempDir(), clip, "  slice: 0s\n  snapshot_interval: 0s\n", line)
	g := newRig(t, cfg, loc, map[string]*relay.Stream{"c1": onDemandFileStream(t, "c1", clip)}, nil)
	g.start()

	if _, err := g.rec.StopLesson("c2"); !errors.Is(err, ErrNotRecording) {
		t.Fatalf("stop on a channel without a lesson: %v, want ErrNotRecording", err)
	}
	waitFor(t, "the lesson recording", 30*time.Second, g.recordingFor(1, 2*time.Second))
	st, err := g.rec.StopLesson("c1")
	if err != nil || st.Subject != "语文" || st.Trigger != TriggerSchedule {
		t.Fatalf("StopLesson: %+v %v", st, err)
	}
	recs := g.finishedRecords("c1", 1, 30*time.Second)
	if len(recs) != 1 || recs[0].State != storage.StateComplete || recs[0].Duration > time.Minute {
		t.Fatalf("records after the early stop: %+v", recs)
	}

	// The planner says again that the lesson is on (a reload, a 云录播
	// sync): it stays stopped.
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel() // a wrongly started session ends with the test
	for _, kind := range []schedule.EventKind{schedule.Start, schedule.Update} {
		g.rec.apply(ctx, schedule.Event{Kind: kind, Occurrence: schedule.Occurrence{
			Course: schedule.Course{ID: st.CourseID, Channel: "c1", Subject: st.Subject, Teacher: st.Teacher},
			Start:  st.Start, End: st.End,
		}})
	}
	if len(g.rec.Sessions()) != 0 {
		t.Fatalf("the timetable started the stopped lesson again: %+v", g.rec.Sessions())
	}
	if _, err := g.rec.StopLesson("c1"); !errors.Is(err, ErrNotRecording) {
		t.Fatalf("a stopped lesson came back: %v", err)
	}
	if n := len(g.records("c1")); n != 1 {
		t.Fatalf("%d records, want the one stopped", n)
	}
}
