package testclip

import (
	"os"
	"testing"

	"github.com/lubo-edge/lubo/media"
	"github.com/lubo-edge/lubo/relay/mp4file"
)

// ReadMP4 reads every frame of the MP4 file at path with lubo's own
// reader, failing the test when it cannot.
func ReadMP4(t testing.TB, path string) (*media.Tracks, []*media.Frame) {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	tracks, frames, err := mp4file.ReadFrames(f)
	if err != nil {
		t.Fatalf("read %s: %v", path, err)
	}
	return tracks, frames
}
