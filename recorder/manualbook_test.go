package recorder

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/lubo-edge/lubo/relay"
	"github.com/lubo-edge/lubo/testdata/testmedia"
)

// The book keeps one entry per channel, forgets only the recording that
// started at the given time, and survives a reload from disk.
func TestManualBook(t *testing.T) {
	dir := t.TempDir()
	b := newManualBook(dir)
	t0 := time.Date(2026, 11, 27, 10, 0, 0, 0, time.UTC)
	for _, e := range []manualEntry{
		{Channel: "c1", Start: t0, End: t0.Add(time.Hour)},
		{Channel: "c2", Start: t0, End: t0.Add(time.Hour)},
		{Channel: "c1", Start: t0.Add(time.Minute), End: t0.Add(2 * time.Hour)}, // replaces c1's
	} {
		if err := b.put(e); err != nil {
			t.Fatal(err)
		}
	}
	if err := b.remove("c1", t0); err != nil { // the replaced one: nothing to do
		t.Fatal(err)
	}
	got, err := newManualBook(dir).load()
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || got[0].Channel != "c2" || got[1].Channel != "c1" || !got[1].Start.Equal(t0.Add(time.Minute)) {
		t.Fatalf("entries %+v", got)
	}
	if err := b.remove("c1", t0.Add(time.Minute)); err != nil {
		t.Fatal(err)
	}
	if got, _ := newManualBook(dir).load(); len(got) != 1 || got[0].Channel != "c2" {
		t.Fatalf("after remove: %+v", got)
	}
	if _, err := os.Stat(filepath.Join(dir, manualBookName+".tmp")); err == nil {
		t.Error("a .tmp was left behind")
	}
}

// A damaged or oversized book is an error, not a crash, and resumes nothing.
func TestManualBookDamaged(t *testing.T) {
	for name, data := range map[string][]byte{
		"garbage":  []byte("{not json"),
		"oversize": []byte("[" + strings.Repeat(" ", maxManualBook) + "]"),
	} {
		t.Run(name, func(t *testing.T) {
			dir := t.TempDir()
			if err := os.WriteFile(filepath.Join(dir, manualBookName), data, 0o644); err != nil {
				t.Fatal(err)
			}
			got, err := newManualBook(dir).load()
			if err == nil || len(got) != 0 {
				t.Fatalf("load: %+v, %v", got, err)
			}
		})
	}
}

// FuzzManualBook loads arbitrary files as the book: no panic, and what it
// returns is what it would write back.
func FuzzManualBook(f *testing.F) {
	f.Add([]byte(`[{"channel":"c1","start":"2026-11-27T10:00:00Z","end":"2026-11-27T11:00:00Z"}]`))
	f.Add([]byte(`[]`))
	f.Add([]byte(`null`))
	f.Add([]byte(`[{"channel":"../x","start":"0001-01-01T00:00:00Z","end":"9999-12-31T23:59:59Z"}]`))
	f.Fuzz(func(t *testing.T, data []byte) {
		dir := t.TempDir()
		if err := os.WriteFile(filepath.Join(dir, manualBookName), data, 0o644); err != nil {
			t.Fatal(err)
		}
		b := newManualBook(dir)
		got, err := b.load()
		if err != nil {
			return
		}
		if err := b.keep(got); err != nil {
			t.Fatal(err)
		}
		again, err := newManualBook(dir).load()
		if err != nil || len(again) != len(got) {
			t.Fatalf("reloaded %d entries (%v), wrote %d", len(again), err, len(got))
		}
	})
}

// Start remembers a manual recording, Stop forgets it at once; an entry of
// the last run whose end has passed, or with a channel id that cannot be
// one, is dropped at start-up instead of resumed.
func TestManualRecordingRemembered(t *testing.T) {
	t.Parallel() // waits in real time; shares nothing with the other tests
	clip := testmedia.Require(t, "h264_aac.mp4")
	dir := t.TempDir()
	now := time.Now()
	if err := os.MkdirAll(filepath.Join(dir, "records"), 0o755); err != nil {
		t.Fatal(err)
	}
	stale := newManualBook(filepath.Join(dir, "records"))
	if err := stale.keep([]manualEntry{
		{Channel: "c1", Start: now.Add(-2 * time.Hour), End: now.Add(-time.Hour)},
		{Channel: "../c1", Start: now, End: now.Add(time.Hour)},
	}); err != nil {
		t.Fatal(err)
	}
	g := newRig(t, parseConfig(t, dir, clip, "  slice: 0s\n  snapshot_interval: 0s\n", ""), lessonZone(),
		map[string]*relay.Stream{"c1": fileStream(t, "c1", clip)}, nil)
	g.start()
	book := newManualBook(g.rec.Root())
	waitFor(t, "a manual recording", 10*time.Second, func() bool { _, err := g.rec.Start("c1", time.Minute); return err == nil })
	got, err := book.load()
	if err != nil || len(got) != 1 || got[0].Channel != "c1" || got[0].End.Sub(got[0].Start) != time.Minute {
		t.Fatalf("book after Start: %+v %v (the stale entries must be gone)", got, err)
	}
	if err := g.rec.Stop("c1"); err != nil {
		t.Fatal(err)
	}
	if got, err := book.load(); err != nil || len(got) != 0 {
		t.Fatalf("book after Stop: %+v %v", got, err)
	}
}
