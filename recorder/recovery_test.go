package recorder

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/lubo-edge/lubo/internal/judge"
	"github.com/lubo-edge/lubo/internal/testclip"
	"github.com/lubo-edge/lubo/recorder/mp4"
	"github.com/lubo-edge/lubo/relay"
	"github.com/lubo-edge/lubo/relay/mp4file"
	"github.com/lubo-edge/lubo/storage"
	"github.com/lubo-edge/lubo/testdata/testmedia"
)

// writeLeftoverPart writes the clip, loops times over, as the .part a run
// killed mid-slice leaves at rel under root (no end marker: cut short).
func writeLeftoverPart(t *testing.T, root, rel, clip string, loops int) {
	t.Helper()
	tracks, frames := testclip.ReadMP4(t, clip)
	abs := filepath.Join(root, filepath.FromSlash(rel)) + partSuffix
	if err := os.MkdirAll(filepath.Dir(abs), 0o755); err != nil {
		t.Fatal(err)
	}
	w, err := mp4.Create(abs, tracks, mp4.Options{NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	clipLen := mp4file.ClipDuration(frames)
	for i := range loops {
		for _, fr := range frames {
			c := *fr
			c.DTS += time.Duration(i) * clipLen
			c.PTS += time.Duration(i) * clipLen
			if err := w.WriteFrame(&c); err != nil {
				t.Fatal(err)
			}
		}
	}
	// Not closed: the open fragment and the end marker never reach the
	// disk, as after a power cut. The file stays open until the test ends.
	t.Cleanup(func() { _ = w.Close() })
}

// A power cut left several large .part files, one of them the first slice
// of a lesson still on. The recorder starts recording at once: the lesson
// continues in slice 2 while recovery, held up at its first file, has not
// finished one; then recovery completes and every file is an MP4.
func TestRecoveryDoesNotDelayRecording(t *testing.T) {
	t.Parallel() // waits in real time; shares nothing with the other tests
	clip := testmedia.Require(t, "h264_aac.mp4")
	loc := lessonZone()
	line, start := course("c1", loc, 0, 30*time.Second)
	dir := t.TempDir()
	root := filepath.Join(dir, "records")
	var parts []string
	for i := range 3 {
		rel := slicePath("c1", start.Add(-time.Duration(i+1)*time.Hour), loc, 1)
		writeLeftoverPart(t, root, rel, clip, 5)
		parts = append(parts, rel)
	}
	lesson := slicePath("c1", start, loc, 1)
	writeLeftoverPart(t, root, lesson, clip, 2)
	parts = append(parts, lesson)

	cfg := parseConfig(t, dir, clip, crashRecord, line)
	g := newRig(t, cfg, loc, map[string]*relay.Stream{"c1": fileStream(t, "c1", clip)}, nil)
	held, release := make(chan string, len(parts)), make(chan struct{})
	g.rec.beforeRecover = func(path string) {
		held <- path
		<-release
	}
	g.start()
	released := false
	defer func() {
		if !released {
			close(release)
		}
	}()
	select {
	case <-held:
	case <-time.After(10 * time.Second):
		t.Fatal("recovery never began")
	}
	waitFor(t, "the lesson to record slice 2 while recovery is held", 15*time.Second, g.recordingFor(2, time.Second))
	if n := g.rec.Stats().Recovering; n != int64(len(parts)) {
		t.Errorf("%d files waiting for recovery while it is held, want %d", n, len(parts))
	}
	close(release)
	released = true
	g.waitRecovered()
	if n := g.rec.Stats().Recovering; n != 0 {
		t.Errorf("%d files waiting for recovery after it ended", n)
	}
	for _, rel := range parts {
		if _, err := os.Stat(g.abs(rel) + partSuffix); err == nil {
			t.Errorf("%s: the .part is still there", rel)
		}
		rec, err := g.db.RecordByPath(rel)
		if err != nil {
			t.Fatalf("%s: %v", rel, err)
		}
		if rec.State != storage.StateRecovered {
			t.Errorf("%s: state %s (%s)", rel, rec.State, rec.Reason)
		}
		if errs := judge.DecodeErrors(t, g.abs(rel), 0); errs != "" {
			t.Errorf("%s decodes with errors:\n%s", rel, errs)
		}
	}
	if st := g.rec.Stats(); st.Recoveries != uint64(len(parts)) {
		t.Errorf("recoveries %d, want %d", st.Recoveries, len(parts))
	}
	t.Logf("recovered %d files after the lesson's slice 2 opened", len(parts))
}
