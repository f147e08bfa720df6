package recorder

import (
	"bufio"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/lubo-edge/lubo/internal/judge"
	"github.com/lubo-edge/lubo/relay"
	"github.com/lubo-edge/lubo/storage"
	"github.com/lubo-edge/lubo/testdata/testmedia"
)

// Environment of the recorder subprocess of TestCrashRecovery.
const (
	envCrashDir    = "LUBO_TEST_CRASH_DIR"    // data_dir
	envCrashCourse = "LUBO_TEST_CRASH_COURSE" // the schedule line
	envCrashZone   = "LUBO_TEST_CRASH_ZONE"   // the zone's offset in seconds
	envCrashManual = "LUBO_TEST_CRASH_MANUAL" // record c1 manually for this long instead
)

const crashRecord = "  slice: 0s\n  pre_roll: 1s\n  snapshot_interval: 0s\n"

// crashChild is the recorder process the parent kills: it records the
// course and prints what its open slice holds every 50 ms.
func crashChild(t *testing.T, dir string) {
	clip := testmedia.Require(t, "h264_aac.mp4")
	offset, _ := strconv.Atoi(os.Getenv(envCrashZone))
	loc := time.FixedZone("lesson", offset)
	cfg := parseConfig(t, dir, clip, crashRecord, os.Getenv(envCrashCourse))
	g := newRig(t, cfg, loc, map[string]*relay.Stream{"c1": fileStream(t, "c1", clip)}, nil)
	g.start()
	if d, err := time.ParseDuration(os.Getenv(envCrashManual)); err == nil {
		waitFor(t, "a manual recording", 10*time.Second, func() bool { _, err := g.rec.Start("c1", d); return err == nil })
	}
	for deadline := time.Now().Add(time.Minute); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		for _, s := range g.rec.Sessions() {
			if s.Phase == PhaseRecording {
				fmt.Printf("progress %s %d %d\n", s.Path, s.Duration, s.Bytes)
			}
		}
	}
	t.Error("the parent never killed this recorder")
}

type progress struct {
	path     string
	duration time.Duration
	at       time.Time
}

// A recorder killed with SIGKILL mid-lesson leaves a .part; the next start
// turns it into an MP4 holding everything up to at most a second before the
// kill, and, the lesson being still on, records on into slice 2.
func TestCrashRecovery(t *testing.T) {
	t.Parallel() // waits in real time; shares nothing with the other tests
	if dir := os.Getenv(envCrashDir); dir != "" {
		crashChild(t, dir)
		return
	}
	loc := lessonZone()
	// The lead gives the child process, started while other tests run,
	// time to be up and attached (pre-roll) before the course starts.
	line, start := course("c1", loc, 5*time.Second, 30*time.Second)
	crashAndRestart(t, "^TestCrashRecovery$", loc, line, start, "")
}

// A manual recording is resumed after a crash like a lesson: killed with
// SIGKILL while its end is ahead, the next start recovers slice 1 and goes
// on in slice 2 without anyone asking again.
func TestCrashResumesManualRecording(t *testing.T) {
	t.Parallel() // waits in real time; shares nothing with the other tests
	if dir := os.Getenv(envCrashDir); dir != "" {
		crashChild(t, dir)
		return
	}
	crashAndRestart(t, "^TestCrashResumesManualRecording$", lessonZone(), "", time.Time{}, "30s")
}

// crashAndRestart runs the recorder in a child process (the test named by
// run) recording the course line, or manually for manual, kills it with
// SIGKILL after three seconds of slice 1, starts a recorder on the same
// data and checks the recovery and the continuation in slice 2. start is
// the course's start (zero for a manual recording).
func crashAndRestart(t *testing.T, run string, loc *time.Location, line string, start time.Time, manual string) {
	clip := testmedia.Require(t, "h264_aac.mp4")
	dir := t.TempDir()
	_, offset := time.Now().In(loc).Zone()

	child := exec.Command(os.Args[0], "-test.run="+run, "-test.count=1")
	child.Env = append(os.Environ(), envCrashDir+"="+dir, envCrashCourse+"="+line, envCrashZone+"="+strconv.Itoa(offset),
		envCrashManual+"="+manual)
	child.Stderr = os.Stderr
	out, err := child.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := child.Start(); err != nil {
		t.Fatal(err)
	}
	killed := false
	defer func() {
		if !killed {
			_ = child.Process.Kill()
			_ = child.Wait()
		}
	}()
	var last progress
	sc := bufio.NewScanner(out)
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) == 4 && f[0] == "progress" {
			d, _ := strconv.ParseInt(f[2], 10, 64)
			last = progress{path: f[1], duration: time.Duration(d), at: time.Now()}
			if last.duration >= 3*time.Second {
				break
			}
		}
	}
	if last.duration < 3*time.Second {
		t.Fatalf("the recorder process reported no progress (last %+v; scan: %v)", last, sc.Err())
	}
	killAt := time.Now()
	if err := child.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	killed = true
	_ = child.Wait()
	part := filepath.Join(dir, "records", filepath.FromSlash(last.path)) + partSuffix
	if _, err := os.Stat(part); err != nil {
		t.Fatalf("no .part after the kill: %v", err)
	}

	// Start again, as systemd would.
	cfg := parseConfig(t, dir, clip, crashRecord, line)
	g := newRig(t, cfg, loc, map[string]*relay.Stream{"c1": fileStream(t, "c1", clip)}, nil)
	g.start()
	want := TriggerSchedule
	if manual != "" {
		want = TriggerManual
	}
	var resumed SessionStatus
	waitFor(t, "the recording to continue in slice 2", 15*time.Second, func() bool {
		for _, s := range g.rec.Sessions() {
			if s.Phase == PhaseRecording && s.Slice == 2 && s.Duration >= time.Second {
				resumed = s
				return true
			}
		}
		return false
	})
	if resumed.Trigger != want || (manual != "" && resumed.End.Sub(resumed.Start) != 30*time.Second) {
		t.Errorf("continued as %+v, want a %s recording", resumed, want)
	}
	g.waitRecovered()
	rec, err := g.db.RecordByPath(last.path)
	if err != nil {
		t.Fatal(err)
	}
	final := g.abs(last.path)
	if _, err := os.Stat(part); err == nil {
		t.Error("the .part is still there after recovery")
	}
	if rec.State != storage.StateRecovered {
		t.Errorf("recovered slice: state %s (%s)", rec.State, rec.Reason)
	}
	if errs := judge.DecodeErrors(t, final, 0); errs != "" {
		t.Errorf("the recovered file decodes with errors:\n%s", errs)
	}
	p := ffprobe(t, final)
	lostByProgress := last.duration - p.Duration
	lostByClock := killAt.Sub(rec.Start.Add(rec.Duration))
	t.Logf("recovered %v (index %v); the recorder had %v at %v before the kill; wall-clock loss %v",
		p.Duration, rec.Duration, last.duration, killAt.Sub(last.at), lostByClock)
	// A fragment is at most a second, and only the open one is lost.
	if lostByProgress > time.Second+100*time.Millisecond {
		t.Errorf("recovered %v of the %v the recorder had: lost more than a second", p.Duration, last.duration)
	}
	if lostByClock > time.Second+500*time.Millisecond {
		t.Errorf("the recovered file ends %v before the kill", lostByClock)
	}
	if !start.IsZero() && !rec.Start.Before(start.Add(100*time.Millisecond)) {
		t.Errorf("recovered slice starts at %s, after the course start %s", rec.Start.In(loc), start)
	}
	sizeAfterRecovery := fileSize(t, final)

	g.stop()
	slice2 := strings.TrimSuffix(last.path, "_1.mp4") + "_2.mp4"
	if size := fileSize(t, final); size != sizeAfterRecovery {
		t.Errorf("the recovered file changed after recovery: %d -> %d bytes", sizeAfterRecovery, size)
	}
	if errs := judge.DecodeErrors(t, g.abs(slice2), 0); errs != "" {
		t.Errorf("slice 2 decodes with errors:\n%s", errs)
	}
	if st := g.rec.Stats(); st.Recoveries != 1 {
		t.Errorf("recoveries %d, want 1", st.Recoveries)
	}
}

func fileSize(t *testing.T, path string) int64 {
	t.Helper()
	st, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	return st.Size()
}
