package recorder

import (
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/lubo-edge/lubo/internal/judge"
	"github.com/lubo-edge/lubo/recorder/mp4"
	"github.com/lubo-edge/lubo/relay"
	"github.com/lubo-edge/lubo/storage"
	"github.com/lubo-edge/lubo/testdata/testmedia"
)

// switchableDisk opens .part files whose writes fail with ENOSPC while full
// is set: the injectable file system of recorder/mp4.
type switchableDisk struct{ full atomic.Bool }

type switchableFile struct {
	*os.File
	disk *switchableDisk
}

func (d *switchableDisk) open(path string) (mp4.File, error) {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o644)
	if err != nil {
		return nil, err
	}
	return &switchableFile{f, d}, nil
}

func (f *switchableFile) Write(p []byte) (int, error) {
	if f.disk.full.Load() {
		return 0, &os.PathError{Op: "write", Path: f.Name(), Err: syscall.ENOSPC}
	}
	return f.File.Write(p)
}

// recordingFor returns a condition: channel c1 writes slice n, d long.
func (g *rig) recordingFor(n int, d time.Duration) func() bool {
	return func() bool {
		for _, s := range g.rec.Sessions() {
			if s.Phase == PhaseRecording && s.Slice == n && s.Duration >= d {
				return true
			}
		}
		return false
	}
}

// lastDuration is the length of the open slice, or 0.
func (g *rig) lastDuration() time.Duration {
	for _, s := range g.rec.Sessions() {
		if s.Phase == PhaseRecording {
			return s.Duration
		}
	}
	return 0
}

// checkDiskFullOutcome waits for slice 1 to be indexed as failed on a full
// disk and checks it kept what was written before (had, minus the open
// fragment of at most a second).
func checkDiskFullOutcome(t *testing.T, g *rig, had time.Duration) {
	t.Helper()
	var rec *storage.Record
	waitFor(t, "slice 1 failed with its reason", 20*time.Second, func() bool {
		recs := g.records("c1")
		if len(recs) > 0 && recs[0].State == storage.StateFailed {
			rec = recs[0]
			return true
		}
		return false
	})
	t.Logf("slice 1: %s %v %q; the writer had %v", rec.State, rec.Duration, rec.Reason, had)
	if !strings.Contains(rec.Reason, "disk full") || !strings.Contains(rec.Reason, "no space left on device") {
		t.Errorf("reason %q does not say the disk was full", rec.Reason)
	}
	path := g.abs(rec.Path)
	if errs := judge.DecodeErrors(t, path, 0); errs != "" {
		t.Errorf("slice 1 decodes with errors:\n%s", errs)
	}
	if p := ffprobe(t, path); p.Duration < had-time.Second-100*time.Millisecond || rec.Duration < had-time.Second-100*time.Millisecond {
		t.Errorf("slice 1 kept %v (index %v) of the %v written before the disk filled", p.Duration, rec.Duration, had)
	}
	if n := g.rec.Stats().Failures[reasonDiskFull]; n < 1 {
		t.Errorf("disk_full failures %d, want at least 1", n)
	}
}

// finishAfterSpaceBack waits for the session to record slice 2, stops it
// and checks slice 2 is complete and decodes.
func finishAfterSpaceBack(t *testing.T, g *rig) {
	t.Helper()
	waitFor(t, "recording to resume in slice 2", 20*time.Second, g.recordingFor(2, time.Second))
	if err := g.rec.Stop("c1"); err != nil {
		t.Fatal(err)
	}
	recs := g.finishedRecords("c1", 2, 15*time.Second)
	last := recs[len(recs)-1]
	if last.Slice != 2 || last.State != storage.StateComplete {
		t.Fatalf("after the disk came back: %s slice %d %s (%s)", last.Path, last.Slice, last.State, last.Reason)
	}
	if errs := judge.DecodeErrors(t, g.abs(last.Path), 0); errs != "" {
		t.Errorf("slice 2 decodes with errors:\n%s", errs)
	}
}

// A disk that fills mid-lesson (through the writer's file hook): what was
// written is finalized and indexed as failed with the reason, the metric
// counts it, retention runs, and recording resumes once there is room.
func TestDiskFullKeepsWhatWasWritten(t *testing.T) {
	clip := testmedia.Require(t, "h264_aac.mp4")
	cfg := parseConfig(t, t.TempDir(), clip, "  slice: 0s\n  snapshot_interval: 0s\n", "")
	disk := &switchableDisk{}
	var statfsCalls atomic.Int64
	g := newRig(t, cfg, lessonZone(), map[string]*relay.Stream{"c1": fileStream(t, "c1", clip)}, func(o *Options) {
		o.MP4.OpenFile = disk.open
		o.DiskUsage = func(p string) (uint64, uint64, error) {
			statfsCalls.Add(1)
			return diskUsage(p)
		}
	})
	g.start()
	waitFor(t, "a manual recording", 10*time.Second, func() bool { _, err := g.rec.Start("c1", time.Minute); return err == nil })
	waitFor(t, "two seconds recorded", 15*time.Second, g.recordingFor(1, 2*time.Second))
	had := g.lastDuration()
	retentionBefore := statfsCalls.Load()
	disk.full.Store(true)
	checkDiskFullOutcome(t, g, had)
	if statfsCalls.Load() == retentionBefore {
		t.Error("retention did not run after the disk filled")
	}
	time.Sleep(600 * time.Millisecond) // a few failed retries
	if recs := g.records("c1"); len(recs) != 1 {
		t.Errorf("%d records while the disk is full, want 1: retries leave nothing behind", len(recs))
	}
	disk.full.Store(false)
	finishAfterSpaceBack(t, g)
}

// The same on a real file system that fills: a 2 MB tmpfs. Here the
// finalize itself has no room at first; the .part waits, indexed as
// recording, until space comes back.
func TestDiskFullOnTmpfs(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("mounting a tmpfs needs root; TestDiskFullKeepsWhatWasWritten covers the same through the file hook")
	}
	clip := testmedia.Require(t, "h264_aac.mp4")
	dir := t.TempDir()
	records := filepath.Join(dir, "records")
	if err := os.MkdirAll(records, 0o755); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command("mount", "-t", "tmpfs", "-o", "size=2m", "tmpfs", records).CombinedOutput(); err != nil {
		t.Skipf("cannot mount a tmpfs here (%v: %s); the file-hook test covers this", err, out)
	}
	t.Cleanup(func() {
		if out, err := exec.Command("umount", records).CombinedOutput(); err != nil {
			t.Errorf("umount %s: %v %s", records, err, out)
		}
	})
	// Leave about 5 s of the clip's room (~35 KB/s).
	free, _, err := diskUsage(records)
	if err != nil {
		t.Fatal(err)
	}
	filler := filepath.Join(records, "filler")
	if err := os.WriteFile(filler, make([]byte, free-180<<10), 0o644); err != nil {
		t.Fatal(err)
	}
	cfg := parseConfig(t, dir, clip, "  slice: 0s\n  snapshot_interval: 0s\n  min_free: 0%\n", "")
	g := newRig(t, cfg, lessonZone(), map[string]*relay.Stream{"c1": fileStream(t, "c1", clip)}, nil)
	g.start()
	waitFor(t, "a manual recording", 10*time.Second, func() bool { _, err := g.rec.Start("c1", time.Minute); return err == nil })
	var had time.Duration
	waitFor(t, "the disk to fill", 30*time.Second, func() bool {
		if d := g.lastDuration(); d > 0 {
			had = d
			return false
		}
		st := g.rec.Sessions()
		return had > 0 && len(st) == 1 && st[0].Phase == PhaseGap
	})
	time.Sleep(500 * time.Millisecond)
	recs := g.records("c1")
	if len(recs) != 1 || recs[0].State != storage.StateRecording || !strings.Contains(recs[0].Reason, "finalize pending") {
		t.Fatalf("with no room to finalize: %+v", recs)
	}
	if err := os.Remove(filler); err != nil && !errors.Is(err, os.ErrNotExist) {
		t.Fatal(err)
	}
	checkDiskFullOutcome(t, g, had)
	finishAfterSpaceBack(t, g)
}
