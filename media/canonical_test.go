package media

import (
	"bytes"
	"testing"
)

var canonicalCases = []struct {
	name   string
	in     []byte
	want   []byte // nil: no NAL unit
	shared bool   // the input comes back without a copy
}{
	{"canonical", []byte{0, 0, 0, 1, 0x67, 1, 0, 0, 0, 1, 0x65, 2}, []byte{0, 0, 0, 1, 0x67, 1, 0, 0, 0, 1, 0x65, 2}, true},
	{"three-byte start codes", []byte{0, 0, 1, 0x67, 1, 0, 0, 1, 0x65, 2}, []byte{0, 0, 0, 1, 0x67, 1, 0, 0, 0, 1, 0x65, 2}, false},
	// An SPS ending in 00 00 01 just before the next start code: an empty
	// NAL unit between them (gomedia's TS muxer panicked on it).
	{"empty unit", []byte{0, 0, 0, 1, 0x67, 1, 0, 0, 1, 0, 0, 0, 1, 0x65, 2}, []byte{0, 0, 0, 1, 0x67, 1, 0, 0, 0, 1, 0x65, 2}, false},
	{"start code at the end", []byte{0, 0, 0, 1, 0x65, 2, 0, 0, 1}, []byte{0, 0, 0, 1, 0x65, 2}, false},
	{"trailing zeros", []byte{0, 0, 0, 1, 0x65, 2, 0, 0}, []byte{0, 0, 0, 1, 0x65, 2, 0, 0}, true},
	{"only start codes", []byte{0, 0, 1, 0, 0, 1, 0, 0, 0, 1}, nil, false},
	{"empty", nil, nil, false},
	{"no start code", []byte{0x65, 1, 2}, nil, false},
}

func TestCanonicalAnnexB(t *testing.T) {
	for _, c := range canonicalCases {
		t.Run(c.name, func(t *testing.T) {
			out, ok := CanonicalAnnexB(c.in)
			if ok != (c.want != nil) || !bytes.Equal(out, c.want) {
				t.Fatalf("got %x %v, want %x", out, ok, c.want)
			}
			if ok && (len(out) > 0 && &out[0] == &c.in[0]) != c.shared {
				t.Fatalf("shared %v, want %v", !c.shared, c.shared)
			}
		})
	}
}

func FuzzCanonicalAnnexB(f *testing.F) {
	for _, c := range canonicalCases {
		f.Add(c.in)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		out, ok := CanonicalAnnexB(b)
		if !ok {
			return
		}
		n := 0
		SplitAnnexB(out, func(nalu []byte) bool {
			if len(nalu) == 0 {
				t.Fatal("empty NAL unit in the output")
			}
			n++
			return true
		})
		again, _ := CanonicalAnnexB(out)
		if n == 0 || !bytes.Equal(again, out) || &again[0] != &out[0] {
			t.Fatalf("output %x is not canonical", out)
		}
	})
}
