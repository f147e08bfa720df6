package recorder

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io/fs"
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
	"github.com/lubo-edge/lubo/recorder/snapshot"
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
func checkDiskFullOutcome(t *testing.T, g *rig, had time.Duration) *storage.Record {
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
	if _, err := os.Stat(path + partSuffix); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("the .part of slice 1 is still there: %v", err)
	}
	return rec
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

// waitRetries waits until n more slice opens have been refused or failed
// than at the call (a full disk's retries), checking no slice opens
// meanwhile.
func (g *rig) waitRetries(t *testing.T, n uint64) {
	t.Helper()
	from := g.rec.Stats().OpenRetries
	waitFor(t, fmt.Sprintf("%d retries of the slice open", n), 20*time.Second, func() bool {
		for _, s := range g.rec.Sessions() {
			if s.Phase == PhaseRecording {
				t.Fatalf("a slice opened on a full disk: %+v", s)
			}
		}
		return g.rec.Stats().OpenRetries >= from+n
	})
}

// checkNothingOpenedWhileFull checks that the retries on a full disk left
// nothing behind: one record, and on disk only slice 1 and its cover.
func checkNothingOpenedWhileFull(t *testing.T, g *rig) {
	t.Helper()
	recs := g.records("c1")
	if len(recs) != 1 {
		t.Errorf("%d records while the disk is full, want 1: retries leave nothing behind", len(recs))
	}
	var files []string
	err := filepath.WalkDir(filepath.Join(g.rec.Root(), "c1"), func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			files = append(files, d.Name())
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range files {
		if !strings.HasPrefix(f, strings.TrimSuffix(filepath.Base(recs[0].Path), ".mp4")+".") {
			t.Errorf("file %s appeared while the disk was full (files: %v)", f, files)
		}
	}
}

// covers makes a Snapshotter for slice covers, so a test sees orphans.
func covers(t *testing.T) *snapshot.Snapshotter {
	dec, err := snapshot.NewDecoder(snapshot.DecoderOptions{})
	if err != nil {
		t.Fatal(err)
	}
	return snapshot.NewSnapshotter(snapshot.Options{Dir: t.TempDir(), Decoder: dec, Logger: testLogger(t)})
}

// A disk that fills mid-lesson (through the writer's file hook, with the
// free space reported as none): what was written is finalized at once (in
// place, there being no room for a copy) and indexed as failed with the
// reason, the metric counts it, retention runs; while the disk is full no
// slice is opened (no file, no record, no cover) but the retries go on, and
// recording resumes once there is room.
func TestDiskFullKeepsWhatWasWritten(t *testing.T) {
	t.Parallel() // waits in real time; shares nothing with the other tests
	clip := testmedia.Require(t, "h264_aac.mp4")
	// min_free 0%: retention must not delete slice 1 while the hook says
	// the disk has no free byte.
	cfg := parseConfig(t, t.TempDir(), clip, "  slice: 0s\n  snapshot_interval: 0s\n  min_free: 0%\n", "")
	disk := &switchableDisk{}
	g := newRig(t, cfg, lessonZone(), map[string]*relay.Stream{"c1": fileStream(t, "c1", clip)}, func(o *Options) {
		o.MP4.OpenFile = disk.open
		o.Snapshots = covers(t)
		o.Reserve = 1 << 20
		o.DiskUsage = func(p string) (uint64, uint64, error) {
			if disk.full.Load() {
				return 0, 1 << 30, nil
			}
			return 1 << 30, 1 << 30, nil
		}
	})
	g.start()
	waitFor(t, "a manual recording", 10*time.Second, func() bool { _, err := g.rec.Start("c1", time.Minute); return err == nil })
	waitFor(t, "two seconds recorded", 15*time.Second, g.recordingFor(1, 2*time.Second))
	had := g.lastDuration()
	disk.full.Store(true)
	rec := checkDiskFullOutcome(t, g, had)
	// Only a retention pass publishes what it saw; it was asked for one
	// when the write failed.
	waitFor(t, "retention to see the full disk", 10*time.Second, func() bool { return g.rec.Stats().DiskFree == 0 })
	if n := g.rec.Stats().FinalizedInPlace; n != 1 {
		t.Errorf("%d slices finalized in place, want 1", n)
	}
	if boxes := topBoxes(t, g.abs(rec.Path)); len(boxes) < 4 || boxes[1] != "moov" || boxes[2] != "sidx" {
		t.Errorf("slice 1 finalized on a full disk has boxes %v, want the fragmented file with its index", boxes)
	}
	g.waitRetries(t, 3)
	checkNothingOpenedWhileFull(t, g)
	disk.full.Store(false)
	finishAfterSpaceBack(t, g)
}

// envTmpfsNamespace marks the run of TestDiskFullOnTmpfs inside a user and
// mount namespace (unshare -rm), where a user who is not root may mount.
const envTmpfsNamespace = "LUBO_TEST_TMPFS_NAMESPACE"

// mountTmpfs mounts a tmpfs of size at dir until the test ends. It needs
// root, which TestDiskFullOnTmpfs arranges.
func mountTmpfs(t *testing.T, dir, size string) {
	t.Helper()
	if out, err := exec.Command("mount", "-t", "tmpfs", "-o", "size="+size, "tmpfs", dir).CombinedOutput(); err != nil {
		t.Fatalf("cannot mount a tmpfs at %s (%v: %s): this test needs root or a kernel that lets "+
			"`unshare -rm` (user and mount namespaces) mount one; run it as root: sudo go test -run TestDiskFullOnTmpfs ./recorder/",
			dir, err, out)
	}
	t.Cleanup(func() {
		if out, err := exec.Command("umount", dir).CombinedOutput(); err != nil {
			t.Errorf("umount %s: %v %s", dir, err, out)
		}
	})
}

// The same on a real file system that fills: a 2 MB tmpfs. The slice that
// hit ENOSPC is finalized while the disk is still full (in place: no room
// for a copy); no new slice opens until space comes back, then recording
// resumes in slice 2. Not root, the test runs itself again in a user and
// mount namespace (unshare -rm); it fails, never skips, when it cannot.
func TestDiskFullOnTmpfs(t *testing.T) {
	t.Parallel() // waits in real time; shares nothing with the other tests
	if os.Geteuid() != 0 {
		if os.Getenv(envTmpfsNamespace) != "" {
			t.Fatal("not root inside the namespace unshare -rm made")
		}
		cmd := exec.Command("unshare", "-rm", os.Args[0], "-test.run=^TestDiskFullOnTmpfs$", "-test.count=1", "-test.v")
		cmd.Env = append(os.Environ(), envTmpfsNamespace+"=1")
		out, err := cmd.CombinedOutput()
		t.Logf("in a user and mount namespace:\n%s", out)
		if err != nil {
			t.Fatalf("unshare -rm %s: %v; this test needs root or user namespaces: sudo go test -run TestDiskFullOnTmpfs ./recorder/", os.Args[0], err)
		}
		if !strings.Contains(string(out), "--- PASS: TestDiskFullOnTmpfs") {
			t.Fatal("the run in the namespace did not pass")
		}
		return
	}
	clip := testmedia.Require(t, "h264_aac.mp4")
	dir := t.TempDir()
	records := filepath.Join(dir, "records")
	if err := os.MkdirAll(records, 0o755); err != nil {
		t.Fatal(err)
	}
	mountTmpfs(t, records, "2m")
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
	g := newRig(t, cfg, lessonZone(), map[string]*relay.Stream{"c1": fileStream(t, "c1", clip)}, func(o *Options) {
		o.Snapshots = covers(t)
		o.Reserve = 32 << 10
	})
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
	// Finalized while the disk is still full.
	checkDiskFullOutcome(t, g, had)
	if n := g.rec.Stats().FinalizedInPlace; n != 1 {
		t.Errorf("%d slices finalized in place, want 1", n)
	}
	g.waitRetries(t, 3)
	checkNothingOpenedWhileFull(t, g)
	if err := os.Remove(filler); err != nil && !errors.Is(err, os.ErrNotExist) {
		t.Fatal(err)
	}
	finishAfterSpaceBack(t, g)
}

// topBoxes lists the types of the top-level boxes of an MP4 file.
func topBoxes(t *testing.T, path string) []string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var types []string
	for off := uint64(0); off+8 <= uint64(len(b)); {
		size := uint64(binary.BigEndian.Uint32(b[off:]))
		if size < 8 {
			t.Fatalf("%s: box %q of size %d", path, b[off+4:off+8], size)
		}
		types = append(types, string(b[off+4:off+8]))
		off += size
	}
	return types
}
