package bmff

import (
	"encoding/binary"
	"io"
	"sync"
)

// ChunkWriter writes a fragment to an io.Writer in a few large writes: box
// headers, length prefixes and small payloads are gathered in a buffer,
// written whenever it is full; a payload at least as large as the buffer
// goes straight from where it is when the buffer is empty. Every write but
// the last is thus at least a buffer, and nothing holds a copy of the whole
// fragment. Errors are sticky: after one, nothing more is written.
type ChunkWriter struct {
	w   io.Writer
	buf []byte
	n   int64
	err error
}

// NewChunkWriter writes to w through buf, whose capacity is the chunk size
// (its length is ignored).
func NewChunkWriter(w io.Writer, buf []byte) ChunkWriter {
	return ChunkWriter{w: w, buf: buf[:0]}
}

// Put writes p.
func (c *ChunkWriter) Put(p []byte) {
	for c.err == nil && len(p) > 0 {
		if len(c.buf) == 0 && len(p) >= cap(c.buf) {
			c.write(p)
			return
		}
		k := copy(c.buf[len(c.buf):cap(c.buf)], p)
		c.buf, p = c.buf[:len(c.buf)+k], p[k:]
		if len(c.buf) == cap(c.buf) {
			c.Flush()
		}
	}
}

// PutLength writes a 4-byte big-endian NAL unit length.
func (c *ChunkWriter) PutLength(v uint32) {
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
			c.Flush()
		}
	}
}

// PutParts writes parts as they go into the mdat.
func (c *ChunkWriter) PutParts(parts []Part) {
	for _, p := range parts {
		if p.LengthPrefixed {
			c.PutLength(uint32(len(p.Data)))
		}
		c.Put(p.Data)
	}
}

// Flush writes what the buffer holds.
func (c *ChunkWriter) Flush() {
	if c.err == nil && len(c.buf) > 0 {
		c.write(c.buf)
	}
	c.buf = c.buf[:0]
}

func (c *ChunkWriter) write(p []byte) {
	n, err := c.w.Write(p)
	if n > 0 {
		c.n += int64(min(n, len(p)))
	}
	if err == nil && n < len(p) {
		err = io.ErrShortWrite
	}
	c.err = err
}

// Written is the number of bytes that reached the writer.
func (c *ChunkWriter) Written() int64 { return c.n }

// Err is the first write error, or nil.
func (c *ChunkWriter) Err() error { return c.err }

// ChunkSize is the size of the write buffers LendChunk lends: a 1 s
// fragment of 4 Mbps video is a handful of writes.
const ChunkSize = 64 << 10

// chunks are the write buffers, shared by every writer of the process: a
// writer needs one only while it writes a fragment or a segment (once a
// second or so), so a box of 48 channels holds a few instead of 48.
var chunks = sync.Pool{New: func() any { b := make([]byte, 0, ChunkSize); return &b }}

// LendChunk calls fn with a write buffer of ChunkSize for a ChunkWriter,
// and takes it back when fn returns.
func LendChunk(fn func(buf []byte)) {
	b := chunks.Get().(*[]byte)
	defer chunks.Put(b)
	fn(*b)
}
