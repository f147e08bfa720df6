package mp4

import (
	"sync"
	"unsafe"

	"github.com/lubo-edge/lubo/internal/bmff"
)

// writeChunk is the size of the buffer a fragment's small pieces (box
// headers, length prefixes, audio frames, small pictures) are gathered in
// before a write. Pieces as large go to the file straight from the frame.
// A 1 s fragment of 4 Mbps video is then a handful of writes, and the
// writer holds this buffer instead of a copy of the whole fragment.
const writeChunk = 64 << 10

// chunks are the write buffers, shared by every Writer of the process: a
// writer needs one only while it writes a fragment (once a second or so),
// so a box recording 48 channels holds a few instead of 48.
var chunks = sync.Pool{New: func() any { b := make([]byte, 0, writeChunk); return &b }}

// writeFragment writes the fragment whose head encodeFragmentHead left in
// w.out, followed by every track's payload, and syncs it.
func (w *Writer) writeFragment() error {
	chunk := chunks.Get().(*[]byte)
	c := bmff.NewChunkWriter(w.f, *chunk)
	c.Put(w.out.Bytes())
	for _, t := range w.all {
		c.PutParts(t.parts)
	}
	c.Flush()
	chunks.Put(chunk) // before the sync, which may take long
	return w.finishWrite(c.Written(), c.Err(), "fragment", w.seq)
}

// ownBytes is the memory the writer holds of its own for the data it
// writes (tests and benchmarks): its buffers, not the frames it points to.
func (w *Writer) ownBytes() int {
	n := cap(w.out.Bytes())
	for _, t := range w.all {
		n += cap(t.samples)*int(unsafe.Sizeof(sample{})) + cap(t.parts)*int(unsafe.Sizeof(bmff.Part{}))
	}
	return n
}
