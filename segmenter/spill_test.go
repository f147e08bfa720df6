package segmenter

import (
	"os"
	"testing"
)

// Writing 1080p-sized segments to files, the TS writer's buffer does not
// grow past spillSize nor the fMP4 writer's moof past 4 kB (its file
// buffer is lent, bmff.LendChunk), whatever the size of a picture, and
// the files hold every byte.
func TestSegmentBuffersStaySmallWithFiles(t *testing.T) {
	for _, variant := range []Variant{VariantTS, VariantFMP4} {
		t.Run(string(variant), func(t *testing.T) {
			dir := t.TempDir()
			h := NewHLS(HLSOptions{Channel: "spill", Dir: dir, Variant: variant, Logger: quiet()})
			frames := synth4Mbps()
			var payload int
			for _, f := range frames {
				h.WriteFrame(f)
				payload += len(f.Data)
			}
			if len(h.segments) < 2 {
				t.Fatalf("%d segments", len(h.segments))
			}
			if c := cap(h.ts.buf); c > spillSize {
				t.Errorf("TS buffer grew to %d bytes, spillSize is %d", c, spillSize)
			}
			if c := cap(h.fmp4.head.Bytes()); c > 4096 {
				t.Errorf("fMP4 segment head buffer grew to %d bytes", c)
			}
			var size int64
			for _, s := range h.segments {
				st, err := os.Stat(s.path)
				if err != nil {
					t.Fatal(err)
				}
				if st.Size() != int64(s.size) {
					t.Fatalf("%s: %d bytes on disk, %d written", s.path, st.Size(), s.size)
				}
				size += st.Size()
			}
			// Everything but the open segment is on disk: more than the
			// payload of all but its last second.
			if size < int64(payload)*4/6 {
				t.Fatalf("segment files hold %d bytes for %d bytes of frames", size, payload)
			}
			h.Close()
		})
	}
}

// In memory, an fMP4 segment is built once, into a slice of its exact size
// that the playlist keeps: the writer holds no segment-sized buffer of its
// own between segments (it used to keep one and hand out a clone of it).
func TestFMP4MemorySegmentsAreNotCopied(t *testing.T) {
	h := NewHLS(HLSOptions{Channel: "mem", Variant: VariantFMP4, Logger: quiet()})
	defer h.Close()
	for _, f := range synth4Mbps() {
		h.WriteFrame(f)
	}
	if len(h.segments) < 2 {
		t.Fatalf("%d segments", len(h.segments))
	}
	for _, s := range h.segments {
		if len(s.data) != s.size || cap(s.data) != len(s.data) {
			t.Errorf("segment %d: %d bytes in a slice of capacity %d, size %d", s.seq, len(s.data), cap(s.data), s.size)
		}
	}
	if c := cap(h.fmp4.head.Bytes()); c > 4096 {
		t.Errorf("the writer holds %d bytes for segment heads", c)
	}
}
