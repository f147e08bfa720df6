package recorder

import (
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/lubo-edge/lubo/storage"
	"github.com/lubo-edge/lubo/testdata/testmedia"
)

// fakeDisk is a disk of total bytes holding base bytes besides the files
// under root: retention sees its free space shrink and grow with them.
func fakeDisk(root string, total, base int64) func(string) (uint64, uint64, error) {
	return func(string) (uint64, uint64, error) {
		used := base
		_ = filepath.WalkDir(root, func(p string, d os.DirEntry, err error) error {
			if err == nil && !d.IsDir() {
				if st, err := d.Info(); err == nil {
					used += st.Size()
				}
			}
			return nil
		})
		return uint64(max(total-used, 0)), uint64(total), nil
	}
}

// addRecording puts a 100-byte file (a .part while recording) with a cover
// and its record in state st.
func addRecording(t *testing.T, g *rig, name string, start time.Time, st storage.State) string {
	t.Helper()
	rel := slicePath("c1", start, g.loc, 1)
	file := g.abs(rel)
	if st == storage.StateRecording {
		file += partSuffix
	}
	if err := os.MkdirAll(filepath.Dir(file), 0o755); err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{file, g.abs(coverPath(rel))} {
		if err := os.WriteFile(p, make([]byte, 100), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	rec := &storage.Record{ID: name, Channel: "c1", Start: start, Path: rel, Cover: coverPath(rel), Slice: 1, State: st, Trigger: TriggerManual}
	if err := g.db.PutRecord(rec); err != nil {
		t.Fatal(err)
	}
	return rel
}

func (g *rig) ids() []string {
	var ids []string
	for _, r := range g.records("c1") {
		ids = append(ids, r.ID)
	}
	slices.Sort(ids)
	return ids
}

// Retention deletes the oldest finished recordings, uploaded ones first,
// until min_free is free, and never the one being written.
func TestRetentionKeepsMinFree(t *testing.T) {
	clip := testmedia.Require(t, "h264_aac.mp4")
	dir := t.TempDir()
	t0 := time.Date(2026, 3, 2, 8, 0, 0, 0, time.UTC)
	for _, c := range []struct {
		minFree string
		kept    []string
	}{
		// 5 recordings of 200 bytes (file and cover) on a 2000-byte disk
		// with 700 bytes of other data: 300 free.
		{"10%", []string{"a-uploaded", "b-oldest", "c-newest", "d-recording", "e-failed"}},
		{"40%", []string{"c-newest", "d-recording"}}, // 800 free: A, B, then E (older than C)
		{"90%", []string{"d-recording"}},             // all but the one being written
	} {
		t.Run(c.minFree, func(t *testing.T) {
			dir := filepath.Join(dir, c.minFree[:2])
			cfg := parseConfig(t, dir, clip, "  min_free: \""+c.minFree+"\"\n", "")
			g := newRig(t, cfg, time.UTC, nil, func(o *Options) { o.DiskUsage = fakeDisk(filepath.Join(dir, "records"), 2000, 700) })
			t.Cleanup(func() { g.db.Close() })
			addRecording(t, g, "a-uploaded", t0.Add(2*time.Hour), storage.StateUploaded)
			b := addRecording(t, g, "b-oldest", t0, storage.StateComplete)
			addRecording(t, g, "c-newest", t0.Add(time.Hour), storage.StateComplete)
			d := addRecording(t, g, "d-recording", t0.Add(-time.Hour), storage.StateRecording)
			addRecording(t, g, "e-failed", t0.Add(30*time.Minute), storage.StateFailed)
			g.rec.keep.once()
			if got := g.ids(); !slices.Equal(got, c.kept) {
				t.Errorf("kept %v, want %v", got, c.kept)
			}
			if !slices.Contains(c.kept, "b-oldest") {
				for _, p := range []string{g.abs(b), g.abs(coverPath(b))} {
					if exists(p) {
						t.Errorf("%s was not deleted", p)
					}
				}
			}
			if !exists(g.abs(d) + partSuffix) {
				t.Error("the file being written was deleted")
			}
			st := g.rec.Stats()
			if want := uint64(5 - len(c.kept)); st.Deleted != want {
				t.Errorf("deleted counter %d, want %d", st.Deleted, want)
			}
			if st.DiskTotal != 2000 || st.DiskFree == 0 {
				t.Errorf("disk stats %d free of %d", st.DiskFree, st.DiskTotal)
			}
		})
	}
}

// max_age deletes finished recordings older than it, whatever the free
// space, and old snapshot day folders go after max_age (or 30 days).
func TestRetentionMaxAgeAndSnapshots(t *testing.T) {
	clip := testmedia.Require(t, "h264_aac.mp4")
	dir := t.TempDir()
	cfg := parseConfig(t, dir, clip, "  min_free: 0%\n  max_age: 24h\n", "")
	g := newRig(t, cfg, time.UTC, nil, nil)
	t.Cleanup(func() { g.db.Close() })
	now := time.Now().UTC().Truncate(time.Second)
	addRecording(t, g, "old", now.Add(-48*time.Hour), storage.StateComplete)
	addRecording(t, g, "old-recording", now.Add(-72*time.Hour), storage.StateRecording)
	addRecording(t, g, "young", now.Add(-time.Hour), storage.StateUploaded)
	snaps := filepath.Join(dir, "snapshots", "c1")
	oldDay := filepath.Join(snaps, now.AddDate(0, 0, -3).Format("2006-01-02"))
	today := filepath.Join(snaps, now.Format("2006-01-02"))
	for _, d := range []string{oldDay, today} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(d, "100000.jpg"), []byte("jpeg"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	g.rec.keep.once()
	if got, want := g.ids(), []string{"old-recording", "young"}; !slices.Equal(got, want) {
		t.Errorf("kept %v, want %v", got, want)
	}
	if exists(oldDay) || !exists(today) {
		t.Errorf("snapshot days: old kept %v, today kept %v", exists(oldDay), exists(today))
	}
}

// A recording still waiting in the upload outbox is never deleted by
// retention, for space or for age; once delivered it goes like any other.
func TestRetentionKeepsRecordingsWaitingForUpload(t *testing.T) {
	clip := testmedia.Require(t, "h264_aac.mp4")
	dir := t.TempDir()
	cfg := parseConfig(t, dir, clip, "  min_free: \"90%\"\n  max_age: 24h\n", "")
	g := newRig(t, cfg, time.UTC, nil, func(o *Options) { o.DiskUsage = fakeDisk(filepath.Join(dir, "records"), 2000, 700) })
	t.Cleanup(func() { g.db.Close() })
	now := time.Now().UTC().Truncate(time.Second)
	old := addRecording(t, g, "a-old-waiting", now.Add(-72*time.Hour), storage.StateComplete)
	addRecording(t, g, "b-old", now.Add(-48*time.Hour), storage.StateComplete)
	young := addRecording(t, g, "c-young-waiting", now.Add(-2*time.Hour), storage.StateUploaded)
	addRecording(t, g, "d-young", now.Add(-time.Hour), storage.StateComplete)
	var queued []uint64
	for _, rel := range []string{old, young} {
		abs, err := filepath.Abs(g.abs(rel))
		if err != nil {
			t.Fatal(err)
		}
		it := &storage.OutboxItem{Target: "cloud", Kind: storage.OutboxRecord, Channel: "c1", Path: abs, Name: filepath.Base(rel)}
		if _, err := g.db.Outbox().Enqueue(it); err != nil {
			t.Fatal(err)
		}
		queued = append(queued, it.ID)
	}

	g.rec.keep.once()
	if got, want := g.ids(), []string{"a-old-waiting", "c-young-waiting"}; !slices.Equal(got, want) {
		t.Fatalf("kept %v, want only the two waiting for an upload", got)
	}
	if !exists(g.abs(old)) || !exists(g.abs(young)) {
		t.Fatal("a recording waiting for an upload lost its file")
	}

	if _, err := g.db.Outbox().MarkDone(queued[0]); err != nil {
		t.Fatal(err)
	}
	g.rec.keep.once()
	if got, want := g.ids(), []string{"c-young-waiting"}; !slices.Equal(got, want) {
		t.Fatalf("after the old one was delivered, kept %v, want %v", got, want)
	}
}
