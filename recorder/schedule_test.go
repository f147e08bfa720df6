package recorder

import (
	"fmt"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/lubo-edge/lubo/internal/judge"
	"github.com/lubo-edge/lubo/recorder/snapshot"
	"github.com/lubo-edge/lubo/relay"
	"github.com/lubo-edge/lubo/relay/mp4file"
	"github.com/lubo-edge/lubo/storage"
	"github.com/lubo-edge/lubo/testdata/testmedia"
)

// onDemandFileStream is a stream that runs only while read, as a camera
// configured on_demand: the session's pre-roll has to start it.
func onDemandFileStream(t testing.TB, id, clip string) *relay.Stream {
	return runStream(t, relay.NewStream(id, mp4file.NewSource(clip, mp4file.WithLogger(testLogger(t))),
		relay.StreamOptions{OnDemand: true, IdleTimeout: 500 * time.Millisecond, Logger: testLogger(t)}))
}

// videoHashes is the MD5 of every decoded picture of a file, in order.
func videoHashes(t testing.TB, path string) []string {
	t.Helper()
	out, err := exec.Command("ffmpeg", "-nostdin", "-v", "error", "-i", path, "-map", "0:v", "-f", "framemd5", "-").Output()
	if err != nil {
		t.Fatalf("ffmpeg framemd5 %s: %v", path, err)
	}
	var hashes []string
	for _, line := range strings.Split(string(out), "\n") {
		if line == "" || line[0] == '#' {
			continue
		}
		f := strings.Split(line, ",")
		hashes = append(hashes, strings.TrimSpace(f[len(f)-1]))
	}
	return hashes
}

// joined returns the smallest m such that the last m pictures of a are the
// first m of b: the overlap of two slices, proving nothing is lost between.
// (Longer matches happen by chance: the test clip loops every 6 s.)
func joined(a, b []string) int {
	for m := 1; m <= min(len(a), len(b)); m++ {
		match := true
		for i := range m {
			if a[len(a)-m+i] != b[i] {
				match = false
				break
			}
		}
		if match {
			return m
		}
	}
	return 0
}

// The whole-course test: a 13 s course sliced every 5 s with one keyframe
// of overlap, driven by the schedule in real time. Slices start on a
// keyframe, decode cleanly, overlap by one GOP picture for picture, and
// together cover the course from the keyframe at or before its start to
// the first keyframe at or after its end.
func TestScheduledCourseSlicedWithOverlap(t *testing.T) {
	t.Parallel() // waits in real time; shares nothing with the other tests
	if testing.Short() {
		t.Skip("records a 13 s course in real time")
	}
	clip := testmedia.Require(t, "h264_aac.mp4") // 25 fps, GOP 1 s
	loc := lessonZone()
	const length, sliceLen = 13 * time.Second, 5 * time.Second
	line, start := course("c1", loc, 3*time.Second, length)
	end := start.Add(length)
	cfg := parseConfig(t, t.TempDir(), clip, "  slice: 5s\n  overlap_keyframes: 1\n  pre_roll: 2s\n  snapshot_interval: 0s\n", line)
	dec, err := snapshot.NewDecoder(snapshot.DecoderOptions{})
	if err != nil {
		t.Fatal(err)
	}
	snaps := snapshot.NewSnapshotter(snapshot.Options{Dir: t.TempDir(), Decoder: dec, Logger: testLogger(t)})
	g := newRig(t, cfg, loc, map[string]*relay.Stream{"c1": onDemandFileStream(t, "c1", clip)},
		func(o *Options) { o.Snapshots = snaps })
	g.start()

	recs := g.finishedRecords("c1", 3, length+20*time.Second)
	if len(recs) != 3 {
		t.Fatalf("%d slices, want 3 (13 s in 5 s slices)", len(recs))
	}
	const gop, slack = time.Second, 100 * time.Millisecond
	var prevHashes []string
	for i, r := range recs {
		t.Logf("%s %s %s..%s (%v) %d bytes cover %q", r.Path, r.State, r.Start.In(loc).Format("15:04:05.000"),
			r.End.In(loc).Format("15:04:05.000"), r.Duration, r.Size, r.Cover)
		want := fmt.Sprintf("c1/%s/%s_%d.mp4", start.Format("2006-01-02"), start.Format("150405"), i+1)
		if r.Path != want || r.Slice != i+1 {
			t.Errorf("slice %d: path %s slice %d, want %s", i+1, r.Path, r.Slice, want)
		}
		if r.State != storage.StateComplete || r.Trigger != TriggerSchedule || r.Subject != "语文" || r.Teacher != "张老师" || r.CourseID == "" {
			t.Errorf("slice %d: record %+v", i+1, r)
		}
		path := g.abs(r.Path)
		p := ffprobe(t, path)
		if !p.FirstKey {
			t.Errorf("slice %d does not start on a keyframe (%s)", i+1, p.FirstPictType)
		}
		if errs := judge.DecodeErrors(t, path, 0); errs != "" {
			t.Errorf("slice %d decodes with errors:\n%s", i+1, errs)
		}
		if d := p.Duration - r.Duration; d < -slack || d > slack {
			t.Errorf("slice %d: ffprobe says %v, the index %v", i+1, p.Duration, r.Duration)
		}
		if r.Cover == "" {
			t.Errorf("slice %d has no cover", i+1)
		} else if st, err := os.Stat(g.abs(r.Cover)); err != nil || st.Size() == 0 {
			t.Errorf("slice %d cover: %v", i+1, err)
		}
		hashes := videoHashes(t, path)
		if i > 0 {
			// The new slice repeats the old one's last GOP picture for
			// picture, and goes on from there: no gap.
			if m := joined(prevHashes, hashes); m < 20 || m > 30 {
				t.Errorf("slices %d and %d share %d pictures, want one GOP (25)", i, i+1, m)
			}
			prev := recs[i-1]
			if overlap := prev.End.Sub(r.Start); overlap < gop-slack || overlap > gop+slack {
				t.Errorf("slices %d and %d overlap by %v on the wall clock, want one GOP", i, i+1, overlap)
			}
			// Each cut is at the first keyframe at or after its boundary.
			boundary := start.Add(time.Duration(i) * sliceLen)
			if cut := r.Start.Add(gop); cut.Before(boundary.Add(-slack)) || cut.After(boundary.Add(gop+slack)) {
				t.Errorf("slice %d cut at %s, want the first keyframe after %s", i+1, cut.Format("15:04:05.000"), boundary.Format("15:04:05.000"))
			}
		}
		prevHashes = hashes
	}
	first, last := recs[0], recs[len(recs)-1]
	if first.Start.After(start.Add(slack)) || first.Start.Before(start.Add(-gop-slack)) {
		t.Errorf("the first slice starts at %s, want the keyframe at or just before %s",
			first.Start.In(loc).Format("15:04:05.000"), start.Format("15:04:05.000"))
	}
	if last.End.Before(end.Add(-slack)) || last.End.After(end.Add(gop+slack)) {
		t.Errorf("the last slice ends at %s, want the first keyframe at or after %s",
			last.End.In(loc).Format("15:04:05.000"), end.Format("15:04:05.000"))
	}
	st := g.rec.Stats()
	if st.FilesWritten != 3 || st.BytesWritten == 0 || len(st.Failures) != 0 {
		t.Errorf("stats %+v", st)
	}
}
