package recorder

import (
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/lubo-edge/lubo/recorder/mp4"
	"github.com/lubo-edge/lubo/relay"
	"github.com/lubo-edge/lubo/storage"
	"github.com/lubo-edge/lubo/testdata/testmedia"
)

// initOnlyDisk lets the first file it opens write its init segment and
// nothing more: the disk fills between the init segment and the first
// fragment. Later files write normally.
type initOnlyDisk struct{ opened atomic.Int32 }

type initOnlyFile struct {
	*os.File
	writes int
}

func (d *initOnlyDisk) open(path string) (mp4.File, error) {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o644)
	if err != nil {
		return nil, err
	}
	if d.opened.Add(1) > 1 {
		return f, nil
	}
	return &initOnlyFile{File: f}, nil
}

func (f *initOnlyFile) Write(p []byte) (int, error) {
	f.writes++
	if f.writes > 1 {
		return 0, &os.PathError{Op: "write", Path: f.Name(), Err: syscall.ENOSPC}
	}
	return f.File.Write(p)
}

// A slice that ends before its first fragment reached the disk leaves
// nothing: no record, no .part, no cover (made from its first keyframe
// meanwhile); the failure is counted and recording goes on in a new slice.
func TestEmptySliceLeavesNothing(t *testing.T) {
	t.Parallel() // waits in real time; shares nothing with the other tests
	clip := testmedia.Require(t, "h264_aac.mp4")
	cfg := parseConfig(t, t.TempDir(), clip, "  slice: 0s\n  snapshot_interval: 0s\n", "")
	disk := &initOnlyDisk{}
	g := newRig(t, cfg, lessonZone(), map[string]*relay.Stream{"c1": fileStream(t, "c1", clip)}, func(o *Options) {
		o.MP4.OpenFile = disk.open
		o.Snapshots = covers(t)
		o.Reserve = 1 << 20
	})
	g.start()
	waitFor(t, "a manual recording", 10*time.Second, func() bool { _, err := g.rec.Start("c1", time.Minute); return err == nil })
	waitFor(t, "recording in a second slice", 20*time.Second, g.recordingFor(2, time.Second))
	if err := g.rec.Stop("c1"); err != nil {
		t.Fatal(err)
	}
	recs := g.finishedRecords("c1", 1, 15*time.Second)
	waitFor(t, "the session to end", 15*time.Second, func() bool { return len(g.rec.Sessions()) == 0 })
	if len(recs) != 1 || recs[0].Slice != 2 || recs[0].State != storage.StateComplete {
		t.Fatalf("records %+v, want only slice 2, complete", recs)
	}
	if n := g.rec.Stats().Failures[reasonEmpty]; n != 1 {
		t.Errorf("empty failures %d, want 1", n)
	}
	var files []string
	_ = filepath.WalkDir(filepath.Join(g.rec.Root(), "c1"), func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			files = append(files, d.Name())
		}
		return err
	})
	for _, f := range files {
		if strings.Contains(f, "_1.") {
			t.Errorf("the empty slice 1 left %s (files: %v)", f, files)
		}
	}
}
