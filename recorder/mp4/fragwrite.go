package mp4

import (
	"unsafe"

	"github.com/lubo-edge/lubo/internal/bmff"
)

// writeFragment writes the fragment whose head encodeFragmentHead left in
// w.out, followed by every track's payload, and syncs it.
func (w *Writer) writeFragment() error {
	// Small pieces (box headers, length prefixes, audio frames, small
	// pictures) are gathered in a lent buffer; large ones go to the file
	// straight from the frame. The buffer goes back before the sync, which
	// may take long.
	var written int64
	var err error
	bmff.LendChunk(func(buf []byte) {
		c := bmff.NewChunkWriter(w.f, buf)
		c.Put(w.out.Bytes())
		for _, t := range w.all {
			c.PutParts(t.parts)
		}
		c.Flush()
		written, err = c.Written(), c.Err()
	})
	return w.finishWrite(written, err, "fragment", w.seq)
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
