package bmff

import (
	"bytes"
	"errors"
	"math/rand/v2"
	"testing"

	"github.com/lubo-edge/lubo/internal/testkit"
)

const testChunk = 4 << 10

// TestChunkWriter puts pieces of every awkward size through a ChunkWriter:
// the writer gets exactly their concatenation, in writes of at least a
// chunk except the last, and pieces of a chunk or more are written as they
// are.
func TestChunkWriter(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	sizes := []int{0, 1, 3, 4, testChunk - 1, testChunk, testChunk + 1, 3 * testChunk, 17, testChunk / 2, testChunk/2 + 1}
	for range 200 {
		sizes = append(sizes, rng.IntN(2*testChunk))
	}
	var want []byte
	f := &testkit.Disk{}
	c := NewChunkWriter(f, make([]byte, 0, testChunk))
	for i, n := range sizes {
		p := make([]byte, n)
		for j := range p {
			p[j] = byte(rng.Uint32())
		}
		switch i % 3 {
		case 0:
			c.PutLength(uint32(n))
			want = append(want, byte(n>>24), byte(n>>16), byte(n>>8), byte(n))
			c.Put(p)
		case 1:
			c.PutParts([]Part{{Data: p, LengthPrefixed: true}, {Data: p}})
			want = append(want, byte(n>>24), byte(n>>16), byte(n>>8), byte(n))
			want = append(want, p...)
		default:
			c.Put(p)
		}
		want = append(want, p...)
	}
	c.Flush()
	if c.Err() != nil {
		t.Fatal(c.Err())
	}
	if !bytes.Equal(f.Bytes(), want) {
		t.Fatalf("output differs from the pieces: %d bytes, want %d", f.Len(), len(want))
	}
	if c.Written() != int64(len(want)) {
		t.Errorf("Written = %d, want %d", c.Written(), len(want))
	}
	for i, n := range f.Writes[:len(f.Writes)-1] {
		if n < testChunk {
			t.Errorf("write %d of %d bytes: pieces were not gathered", i, n)
		}
	}
	if most := len(want)/testChunk + 1; len(f.Writes) > most {
		t.Errorf("%d writes for %d bytes, want at most %d", len(f.Writes), len(want), most)
	}
}

// TestChunkWriterFailure: after a failed write nothing more is written,
// and Written counts what reached the writer.
func TestChunkWriterFailure(t *testing.T) {
	for _, at := range []int{1, 100, testChunk, testChunk + 5, 5 * testChunk / 2} {
		f := &testkit.Disk{FailAfter: at}
		c := NewChunkWriter(f, make([]byte, 0, testChunk))
		for range 10 {
			c.PutLength(7)
			c.Put(make([]byte, testChunk/3))
		}
		c.Flush()
		if !errors.Is(c.Err(), testkit.ErrDisk) {
			t.Fatalf("fail at %d: err %v", at, c.Err())
		}
		if c.Written() != int64(f.Len()) || f.Len() != at {
			t.Errorf("fail at %d: Written = %d, writer has %d", at, c.Written(), f.Len())
		}
		writes := len(f.Writes)
		c.Put(make([]byte, 2*testChunk))
		c.PutLength(1)
		c.Flush()
		if len(f.Writes) != writes {
			t.Errorf("fail at %d: wrote again after the failure", at)
		}
	}
}
