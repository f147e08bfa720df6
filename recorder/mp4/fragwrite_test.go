package mp4

import (
	"bytes"
	"errors"
	"math/rand/v2"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/lubo-edge/lubo/media"
)

// recordingFile keeps what is written to it and the size of every Write;
// failAfter > 0 makes the Write that would pass that many bytes fail
// after writing what fits.
type recordingFile struct {
	bytes.Buffer
	writes    []int
	failAfter int
}

var errTestDisk = errors.New("test disk failed")

func (f *recordingFile) Write(p []byte) (int, error) {
	f.writes = append(f.writes, len(p))
	if f.failAfter > 0 && f.Len()+len(p) > f.failAfter {
		n := f.failAfter - f.Len()
		f.Buffer.Write(p[:n])
		return n, errTestDisk
	}
	return f.Buffer.Write(p)
}
func (f *recordingFile) Sync() error  { return nil }
func (f *recordingFile) Close() error { return nil }

// TestChunkWriter puts pieces of every awkward size through a chunkWriter:
// the file gets exactly their concatenation, in writes of at least a chunk
// except the last, and pieces of a chunk or more are written as they are.
func TestChunkWriter(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	sizes := []int{0, 1, 3, 4, writeChunk - 1, writeChunk, writeChunk + 1, 3 * writeChunk, 17, writeChunk / 2, writeChunk/2 + 1}
	for range 200 {
		sizes = append(sizes, rng.IntN(2*writeChunk))
	}
	var want []byte
	f := &recordingFile{}
	c := chunkWriter{f: f, buf: make([]byte, 0, writeChunk)}
	for i, n := range sizes {
		p := make([]byte, n)
		for j := range p {
			p[j] = byte(rng.Uint32())
		}
		if i%3 == 0 {
			c.prefix(uint32(n))
			want = append(want, byte(n>>24), byte(n>>16), byte(n>>8), byte(n))
		}
		c.put(p)
		want = append(want, p...)
	}
	c.flush()
	if c.err != nil {
		t.Fatal(c.err)
	}
	if !bytes.Equal(f.Bytes(), want) {
		t.Fatalf("file differs from the pieces: %d bytes, want %d", f.Len(), len(want))
	}
	if c.n != int64(len(want)) {
		t.Errorf("n = %d, want %d", c.n, len(want))
	}
	// Every write but the last is at least a chunk.
	for i, n := range f.writes[:len(f.writes)-1] {
		if n < writeChunk {
			t.Errorf("write %d of %d bytes: pieces were not gathered", i, n)
		}
	}
	if max := len(want)/writeChunk + 1; len(f.writes) > max {
		t.Errorf("%d writes for %d bytes, want at most %d", len(f.writes), len(want), max)
	}
}

// TestChunkWriterFailure: after a failed write nothing more is written,
// and n counts what reached the file.
func TestChunkWriterFailure(t *testing.T) {
	for _, at := range []int{1, 100, writeChunk, writeChunk + 5, 5 * writeChunk / 2} {
		f := &recordingFile{failAfter: at}
		c := chunkWriter{f: f, buf: make([]byte, 0, writeChunk)}
		for range 10 {
			c.prefix(7)
			c.put(make([]byte, writeChunk/3))
		}
		c.flush()
		if !errors.Is(c.err, errTestDisk) {
			t.Fatalf("fail at %d: err %v", at, c.err)
		}
		if c.n != int64(f.Len()) || f.Len() != at {
			t.Errorf("fail at %d: n = %d, file has %d", at, c.n, f.Len())
		}
		writes := len(f.writes)
		c.put(make([]byte, 2*writeChunk))
		c.flush()
		if len(f.writes) != writes {
			t.Errorf("fail at %d: wrote again after the failure", at)
		}
	}
}

// heavyClip is the committed test clip with every picture made about 80 KB
// bigger by a filler NAL unit (type 12, legal anywhere in an access unit):
// the fragment sizes of a high-rate camera, from a clip CI always has.
func heavyClip(t *testing.T) (*media.Tracks, []*media.Frame) {
	t.Helper()
	tracks, frames := loadClip(t, "h264_aac.mp4")
	filler := append([]byte{0, 0, 0, 1, 12}, bytes.Repeat([]byte{0xff}, 80<<10)...)
	filler = append(filler, 0x80) // rbsp trailing bits
	for _, f := range frames {
		if f.IsVideo() {
			f.Data = append(slices.Clip(f.Data), filler...)
		}
	}
	return tracks, frames
}

// TestWriterKeepsNoCopy records a high-rate clip: the frames' data,
// shared with every other reader of the stream, is left untouched, and
// what the writer holds of its own stays far below one fragment (it used
// to hold the fragment's payload twice, 1-2 MB at this rate).
func TestWriterKeepsNoCopy(t *testing.T) {
	tracks, frames := heavyClip(t)
	orig := make([][]byte, len(frames))
	for i, f := range frames {
		orig[i] = slices.Clone(f.Data)
	}
	f := &recordingFile{}
	w, err := Create(filepath.Join(t.TempDir(), "x.mp4.part"), tracks, Options{
		NoSync: true, OpenFile: func(string) (File, error) { return f, nil }})
	if err != nil {
		t.Fatal(err)
	}
	biggest := 0 // the largest fragment's payload
	for _, fr := range frames {
		before := w.Bytes()
		if err := w.WriteFrame(fr); err != nil {
			t.Fatal(err)
		}
		if d := int(w.Bytes() - before); d > biggest {
			biggest = d
		}
		if held := w.ownBytes(); held > 32<<10 {
			t.Fatalf("the writer holds %d bytes of its own", held)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	if biggest < 4*writeChunk {
		t.Fatalf("largest fragment %d bytes: the clip is not heavy enough", biggest)
	}
	for i, fr := range frames {
		if !bytes.Equal(fr.Data, orig[i]) {
			t.Fatalf("frame %d's data was modified", i)
		}
	}
	if int64(f.Len()) != w.Bytes() {
		t.Errorf("file %d bytes, Bytes() %d", f.Len(), w.Bytes())
	}
	// A fragment is a few large writes, not one per NAL unit.
	if fr := w.Fragments(); int64(len(f.writes)) > fr*(int64(biggest/writeChunk)+1)+2 {
		t.Errorf("%d writes for %d fragments", len(f.writes), fr)
	}
}

// TestWriterFailsInsideAFragment: a disk that fails part way through a
// fragment's writes leaves the file cut back to the fragments before it.
func TestWriterFailsInsideAFragment(t *testing.T) {
	tracks, frames := heavyClip(t)
	full := &recordingFile{}
	writeAll := func(f File) (*Writer, error) {
		w, err := Create("x.mp4.part", tracks, Options{NoSync: true, FragmentMax: 500 * time.Millisecond,
			OpenFile: func(string) (File, error) { return f, nil }})
		if err != nil {
			return nil, err
		}
		for _, fr := range frames {
			if err := w.WriteFrame(fr); err != nil {
				return w, err
			}
		}
		return w, w.Close()
	}
	if _, err := writeAll(full); err != nil {
		t.Fatal(err)
	}
	for _, at := range []int{full.Len() / 3, full.Len()/3 + writeChunk + 1, full.Len() / 2} {
		f := &truncatingRecorder{recordingFile: recordingFile{failAfter: at}}
		w, err := writeAll(f)
		if !errors.Is(err, errTestDisk) {
			t.Fatalf("fail at %d: %v", at, err)
		}
		if int64(f.Len()) != w.Bytes() || !bytes.Equal(f.Bytes(), full.Bytes()[:f.Len()]) {
			t.Errorf("fail at %d: file %d bytes, Bytes() %d", at, f.Len(), w.Bytes())
		}
		if err2 := w.WriteFrame(frames[len(frames)-1]); !errors.Is(err2, errTestDisk) {
			t.Errorf("fail at %d: the error is not sticky: %v", at, err2)
		}
	}
}

// truncatingRecorder can cut its content back, as *os.File can.
type truncatingRecorder struct{ recordingFile }

func (f *truncatingRecorder) Truncate(size int64) error {
	f.Buffer.Truncate(int(size))
	return nil
}
