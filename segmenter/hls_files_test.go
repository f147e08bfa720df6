package segmenter

import (
	"bytes"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"
)

func segmentFiles(t *testing.T, dir string) []string {
	t.Helper()
	names, err := filepath.Glob(filepath.Join(dir, "seg*"))
	if err != nil {
		t.Fatal(err)
	}
	for i, n := range names {
		names[i] = filepath.Base(n)
	}
	slices.Sort(names)
	return names
}

// With Dir, segments live in files: the window slides over the files, each
// listed segment is served with the file's bytes, and Close removes them.
func TestHLSSegmentsInDir(t *testing.T) {
	dir := t.TempDir()
	// A crashed predecessor's leftovers are cleared at start.
	if err := os.WriteFile(filepath.Join(dir, "seg77.ts"), []byte("stale"), 0o644); err != nil {
		t.Fatal(err)
	}
	h := NewHLS(HLSOptions{Target: time.Second, Window: 3, Dir: dir, Logger: quiet()})
	writeAll(h, synthFrames(synthTracks(1), 0, 12*time.Second))
	url := serve(t, h)

	// Window 3 + 4 held for slow clients: seg4..seg10; seg11 is still being
	// written under a temporary name.
	want := []string{"seg10.ts", "seg11.ts.tmp", "seg4.ts", "seg5.ts", "seg6.ts", "seg7.ts", "seg8.ts", "seg9.ts"}
	if got := segmentFiles(t, dir); !slices.Equal(got, want) {
		t.Fatalf("files %v, want %v", got, want)
	}
	var segs [][]byte
	for _, name := range listedSegments(getOK(t, url+"/index.m3u8")) {
		body := getOK(t, url+"/"+name)
		file, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(body, file) {
			t.Fatalf("%s served %d bytes differing from its %d-byte file", name, len(body), len(file))
		}
		segs = append(segs, body)
	}
	checkContinuity(t, segs)
	if resp, _ := get(t, url+"/seg3.ts"); resp.StatusCode != 404 {
		t.Errorf("expired seg3.ts: %s, want 404", resp.Status)
	}
	if st := h.Stats(); st.Segments != 11 || st.Bytes == 0 {
		t.Errorf("stats %+v", st)
	}
	h.Close()
	if got := segmentFiles(t, dir); len(got) != 0 {
		t.Fatalf("files left after Close: %v", got)
	}
}

// A camera that drops out right after a keyframe leaves a one-picture
// segment; it lasts one frame interval, never zero (EXTINF:0 confuses
// players).
func TestHLSOnePictureSegmentHasDuration(t *testing.T) {
	h := NewHLS(HLSOptions{Target: time.Second, Logger: quiet()})
	one := synthFrames(synthTracks(2), 3*time.Second, 40*time.Millisecond) // a keyframe and its audio
	writeAll(h, synthFrames(synthTracks(1), 0, 2500*time.Millisecond), one, synthFrames(synthTracks(3), 4*time.Second, 2*time.Second))
	h.Close()
	p := decodePlaylist(t, getOK(t, serve(t, h)+"/index.m3u8"))
	for i := uint(0); i < p.Count(); i++ {
		if p.Segments[i].Duration <= 0 {
			t.Fatalf("segment %s lasts %v", p.Segments[i].URI, p.Segments[i].Duration)
		}
	}
}
