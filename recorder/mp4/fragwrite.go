package mp4

import (
	"encoding/binary"
	"io"
	"sync"
	"unsafe"
)

// writeChunk is the size of the buffer a fragment's small pieces (box
// headers, length prefixes, audio frames, small pictures) are gathered in
// before a write. Pieces as large go to the file straight from the frame.
// A 1 s fragment of 4 Mbps video is then a handful of writes, and the
// writer holds this buffer instead of a copy of the whole fragment.
const writeChunk = 64 << 10

// chunkWriter writes one fragment to a File in a few large writes. Errors
// are sticky: after one, nothing more is written.
type chunkWriter struct {
	f   File
	buf []byte // capacity writeChunk
	n   int64  // bytes that reached the file
	err error
}

// put writes p: through the buffer, which is written whenever it is full,
// or, when the buffer is empty and p fills it, straight from p. Every write
// but the last of a fragment is thus at least a chunk.
func (c *chunkWriter) put(p []byte) {
	for c.err == nil && len(p) > 0 {
		if len(c.buf) == 0 && len(p) >= cap(c.buf) {
			c.write(p)
			return
		}
		k := copy(c.buf[len(c.buf):cap(c.buf)], p)
		c.buf, p = c.buf[:len(c.buf)+k], p[k:]
		if len(c.buf) == cap(c.buf) {
			c.flush()
		}
	}
}

// prefix writes a 4-byte big-endian NAL unit length.
func (c *chunkWriter) prefix(v uint32) {
	if c.err != nil {
		return
	}
	if cap(c.buf)-len(c.buf) > 4 {
		c.buf = binary.BigEndian.AppendUint32(c.buf, v)
		return
	}
	for _, b := range [4]byte{byte(v >> 24), byte(v >> 16), byte(v >> 8), byte(v)} {
		c.buf = append(c.buf, b)
		if len(c.buf) == cap(c.buf) {
			c.flush()
		}
	}
}

// flush writes what the buffer holds.
func (c *chunkWriter) flush() {
	if c.err == nil && len(c.buf) > 0 {
		c.write(c.buf)
	}
	c.buf = c.buf[:0]
}

func (c *chunkWriter) write(p []byte) {
	n, err := c.f.Write(p)
	if n > 0 {
		c.n += int64(min(n, len(p)))
	}
	if err == nil && n < len(p) {
		err = io.ErrShortWrite
	}
	c.err = err
}

// chunks are the write buffers, shared by every Writer of the process: a
// writer needs one only while it writes a fragment (once a second or so),
// so a box recording 48 channels holds a few instead of 48.
var chunks = sync.Pool{New: func() any { b := make([]byte, 0, writeChunk); return &b }}

// writeFragment writes the fragment whose head encodeFragmentHead left in
// w.out, followed by every track's payload, and syncs it.
func (w *Writer) writeFragment() error {
	chunk := chunks.Get().(*[]byte)
	c := chunkWriter{f: w.f, buf: (*chunk)[:0]}
	c.put(w.out.b)
	for _, t := range w.all {
		for _, p := range t.parts {
			if p.prefixed {
				c.prefix(uint32(len(p.data)))
			}
			c.put(p.data)
		}
	}
	c.flush()
	chunks.Put(chunk) // before the sync, which may take long
	return w.finishWrite(c.n, c.err, "fragment", w.seq)
}

// ownBytes is the memory the writer holds of its own for the data it
// writes (tests and benchmarks): its buffers, not the frames it points to.
func (w *Writer) ownBytes() int {
	n := cap(w.out.b)
	for _, t := range w.all {
		n += cap(t.samples)*int(unsafe.Sizeof(sample{})) + cap(t.parts)*int(unsafe.Sizeof(payloadPart{}))
	}
	return n
}
