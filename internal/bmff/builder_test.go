package bmff

import (
	"bytes"
	"testing"
)

func TestBuilderNestsBoxes(t *testing.T) {
	var w Builder
	outer := w.Open("moov")
	full := w.OpenFull("mvhd", 1, 0x123456)
	w.U8(0xaa)
	w.U16(0x0102)
	w.U32(0x03040506)
	w.U64(0x0708090a0b0c0d0e)
	w.Close(full)
	inner := w.Open("trak")
	w.Zeros(3)
	w.Close(inner)
	w.Close(outer)
	want := []byte{
		0, 0, 0, 46, 'm', 'o', 'o', 'v',
		0, 0, 0, 27, 'm', 'v', 'h', 'd', 1, 0x12, 0x34, 0x56,
		0xaa, 1, 2, 3, 4, 5, 6, 7, 8, 9, 0xa, 0xb, 0xc, 0xd, 0xe,
		0, 0, 0, 11, 't', 'r', 'a', 'k', 0, 0, 0,
	}
	if !bytes.Equal(w.Bytes(), want) {
		t.Fatalf("built\n% x\nwant\n% x", w.Bytes(), want)
	}
	w.Reset()
	if w.Len() != 0 || cap(w.Bytes()) < len(want) {
		t.Fatalf("Reset: %d bytes, capacity %d", w.Len(), cap(w.Bytes()))
	}
}

func TestEntryCount(t *testing.T) {
	var w Builder
	at := w.OpenFull("stss", 0, 0)
	n := w.EntryCount()
	for i := range 3 {
		w.U32(uint32(i + 1))
		n.Add(&w)
	}
	w.Close(at)
	if got := u32(w.Bytes(), 12); got != 3 {
		t.Fatalf("entry_count %d, want 3", got)
	}
}

// Header boxes switch to 64-bit times only when a duration needs them.
func TestHeaderVersions(t *testing.T) {
	for _, c := range []struct {
		duration uint64
		version  byte
		mvhd     int
	}{{0, 0, 108}, {1 << 32, 1, 120}} {
		var w Builder
		w.MovieHeader(1000, c.duration, 2)
		w.MediaHeader(90000, c.duration)
		w.TrackHeader(1, c.duration, Video, 640<<16, 480<<16)
		boxes := walk(t, w.Bytes())
		if len(boxes) != 3 {
			t.Fatalf("%d boxes", len(boxes))
		}
		if got := len(boxes[0].body) + 8; got != c.mvhd {
			t.Errorf("duration %d: mvhd of %d bytes, want %d", c.duration, got, c.mvhd)
		}
		for _, b := range boxes {
			if b.body[0] != c.version {
				t.Errorf("duration %d: %s version %d, want %d", c.duration, b.path, b.body[0], c.version)
			}
		}
		tkhd := boxes[2].body
		if w, h := u32(tkhd, len(tkhd)-8), u32(tkhd, len(tkhd)-4); w != 640<<16 || h != 480<<16 {
			t.Errorf("tkhd size %x x %x", w, h)
		}
	}
}
