package mp4

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/lubo-edge/lubo/testdata/testmedia"
)

// tinyPart records the tiny fuzz clip into a .part and returns its bytes.
func tinyPart(t testing.TB, name string) []byte {
	t.Helper()
	tracks, frames := readClip(t, name)
	part := filepath.Join(t.TempDir(), "tiny.mp4.part")
	writePart(t, part, tracks, frames, Options{NoSync: true, FragmentMax: 100e6})
	b, err := os.ReadFile(part)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// FuzzFinalize feeds arbitrary bytes as a .part to the parser and layout of
// Finalize (in memory, without the file system): it must not panic, must
// stay within the input's size, and must only describe data in the input.
func FuzzFinalize(f *testing.F) {
	for _, name := range []string{"tiny_h264_aac.mp4", "tiny_h265_aac.mp4"} {
		b := tinyPart(f, name)
		f.Add(b)
		f.Add(b[:len(b)/2])
		f.Add(b[:len(b)-30])
	}
	frag, err := os.ReadFile(testmedia.Require(f, "tiny_h264_aac_frag.mp4"))
	if err != nil {
		f.Fatal(err)
	}
	f.Add(frag)
	f.Add([]byte{})
	f.Add([]byte{0, 0, 0, 1, 'm', 'o', 'o', 'v', 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff})

	f.Fuzz(func(t *testing.T, data []byte) {
		m, _, err := readPart(bytes.NewReader(data), int64(len(data)))
		if err != nil {
			if m != nil && !errors.Is(err, ErrEmpty) {
				t.Fatalf("movie and error %v", err)
			}
			return
		}
		if m.samples > len(data) || m.payload > int64(len(data)) {
			t.Fatalf("%d samples, %d bytes of data from %d bytes", m.samples, m.payload, len(data))
		}
		var sum int64
		for _, c := range m.copies {
			if c.off < 0 || c.n <= 0 || c.off+c.n > int64(len(data)) {
				t.Fatalf("copy range %+v outside %d bytes", c, len(data))
			}
			sum += c.n
		}
		if sum != m.payload {
			t.Fatalf("copies hold %d bytes, payload %d", sum, m.payload)
		}
		head := progressiveHead(m)
		if len(head) < 16 {
			t.Fatal("no head")
		}
		_ = m.info()
		// FinalizeInPlace's index must fit the room the file reserved.
		if idx := m.segmentIndex(); int64(len(idx)) > m.reserved.end-m.reserved.start {
			t.Fatalf("index of %d bytes for %d bytes of room", len(idx), m.reserved.end-m.reserved.start)
		}
		if m.mehdAt >= int64(len(data)) || m.end > int64(len(data)) {
			t.Fatalf("mehd at %d, end %d of %d bytes", m.mehdAt, m.end, len(data))
		}
	})
}

// TestFinalizeFFmpegFragments finalizes a fragmented MP4 made by ffmpeg,
// not by lubo: the reader follows the standard, not only lubo's writer.
func TestFinalizeFFmpegFragments(t *testing.T) {
	src := testmedia.Require(t, "tiny_h264_aac_frag.mp4")
	b, err := os.ReadFile(src)
	if err != nil {
		t.Fatal(err)
	}
	part, final := partPaths(t, "ffmpeg")
	if err := os.WriteFile(part, b, 0o644); err != nil {
		t.Fatal(err)
	}
	info, err := Finalize(part, final)
	if err != nil {
		t.Fatal(err)
	}
	want, got := probe(t, src), probe(t, final)
	for codec, n := range want.packets {
		if got.packets[codec] != n {
			t.Errorf("%s: %d packets, ffmpeg's file has %d", codec, got.packets[codec], n)
		}
	}
	if info.Frames != want.packets["h264"]+want.packets["aac"] {
		t.Errorf("Info.Frames %d, want %v", info.Frames, want.packets)
	}
	if e := decodeErrors(t, final); e != "" {
		t.Errorf("ffmpeg: %s", e)
	}
}
