package mp4

import (
	"os"
	"testing"
)

func TestDumpTmp(t *testing.T) {
	if os.Getenv("DUMP") == "" {
		t.Skip()
	}
	for _, n := range []string{"h264_aac", "h265_aac"} {
		tracks, frames := loadClip(t, n+".mp4")
		writePart(t, "/tmp/"+n+".mp4.part", tracks, frames, Options{})
		os.Link("/tmp/"+n+".mp4.part", "/tmp/"+n+".keep.part")
		if _, err := Finalize("/tmp/"+n+".mp4.part", "/tmp/"+n+".mp4"); err != nil {
			t.Fatal(err)
		}
	}
}
