package media

import (
	"bytes"
	"testing"
)

var splitCases = []struct {
	name string
	in   []byte
	want [][]byte
}{
	{"empty", nil, nil},
	{"no start code", []byte{1, 2, 3}, nil},
	{"one 4-byte", []byte{0, 0, 0, 1, 0x65, 1, 2}, [][]byte{{0x65, 1, 2}}},
	{"two mixed", []byte{0, 0, 0, 1, 0x67, 9, 0, 0, 1, 0x68, 8}, [][]byte{{0x67, 9}, {0x68, 8}}},
	{"trailing zeros trimmed", []byte{0, 0, 1, 0x41, 7, 0, 0, 0, 0, 1, 0x41, 6}, [][]byte{{0x41, 7}, {0x41, 6}}},
	{"start code at end", []byte{0, 0, 1, 0x41, 0, 0, 1}, [][]byte{{0x41}}},
}

func TestSplitAnnexB(t *testing.T) {
	for _, c := range splitCases {
		t.Run(c.name, func(t *testing.T) {
			var got [][]byte
			SplitAnnexB(c.in, func(n []byte) bool { got = append(got, n); return true })
			if len(got) != len(c.want) {
				t.Fatalf("got %d nalus %x, want %d %x", len(got), got, len(c.want), c.want)
			}
			for i := range got {
				if !bytes.Equal(got[i], c.want[i]) {
					t.Errorf("nalu %d = %x, want %x", i, got[i], c.want[i])
				}
			}
		})
	}
}

func TestAppendAnnexBRoundTrip(t *testing.T) {
	nalus := [][]byte{{0x67, 1, 2}, {0x68, 3}, {0x65, 4, 5, 6}}
	b := AppendAnnexB(nil, nalus...)
	if len(b) != AnnexBSize(nalus) {
		t.Fatalf("size %d, want %d", len(b), AnnexBSize(nalus))
	}
	i := 0
	SplitAnnexB(b, func(n []byte) bool {
		if !bytes.Equal(n, nalus[i]) {
			t.Errorf("nalu %d = %x, want %x", i, n, nalus[i])
		}
		i++
		return true
	})
	if i != len(nalus) {
		t.Fatalf("split %d nalus, want %d", i, len(nalus))
	}
}

func FuzzSplitAnnexB(f *testing.F) {
	for _, c := range splitCases {
		f.Add(c.in)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		total := 0
		SplitAnnexB(b, func(n []byte) bool {
			if len(n) == 0 {
				t.Fatal("empty nalu")
			}
			total += len(n)
			return true
		})
		if total > len(b) {
			t.Fatalf("nalus hold %d bytes of a %d-byte input", total, len(b))
		}
	})
}

func BenchmarkSplitAnnexB(b *testing.B) {
	frame := AppendAnnexB(nil, bytes.Repeat([]byte{0x67}, 20), []byte{0x68, 1, 2, 3}, bytes.Repeat([]byte{0x65, 1, 2, 3}, 5000))
	b.SetBytes(int64(len(frame)))
	for b.Loop() {
		n := 0
		SplitAnnexB(frame, func([]byte) bool { n++; return true })
		if n != 3 {
			b.Fatal(n)
		}
	}
}
