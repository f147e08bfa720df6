package mp4

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
)

// errIncomplete means a box runs past the end of the file: the writer was
// stopped while writing it.
var errIncomplete = errors.New("box runs past the end of the file")

// boxHeader locates one box in a file.
type boxHeader struct {
	typ     string
	start   int64 // offset of the header
	payload int64 // offset of the payload
	end     int64 // offset just past the box
}

func (h boxHeader) payloadSize() int64 { return h.end - h.payload }

// readBoxHeader reads the header of the box at off; limit is the end of the
// enclosing space (the file size at top level).
func readBoxHeader(r io.ReaderAt, off, limit int64) (boxHeader, error) {
	var b [16]byte
	if limit-off < 8 {
		return boxHeader{}, errIncomplete
	}
	if _, err := r.ReadAt(b[:8], off); err != nil {
		return boxHeader{}, readErr(err)
	}
	h := boxHeader{typ: string(b[4:8]), start: off, payload: off + 8}
	size := int64(binary.BigEndian.Uint32(b[:4]))
	switch size {
	case 0: // extends to the end of the file
		size = limit - off
	case 1:
		if limit-off < 16 {
			return boxHeader{}, errIncomplete
		}
		if _, err := r.ReadAt(b[8:16], off+8); err != nil {
			return boxHeader{}, readErr(err)
		}
		large := binary.BigEndian.Uint64(b[8:16])
		if large > uint64(limit-off) {
			return boxHeader{}, errIncomplete
		}
		size = int64(large)
		h.payload = off + 16
	}
	if size < h.payload-off {
		return boxHeader{}, fmt.Errorf("%q box of %d bytes is shorter than its header", h.typ, size)
	}
	if size > limit-off {
		return boxHeader{}, errIncomplete
	}
	h.end = off + size
	return h, nil
}

func readErr(err error) error {
	if err == io.EOF || err == io.ErrUnexpectedEOF {
		return errIncomplete
	}
	return err
}

// readPayload reads a box's payload into memory, refusing boxes above max.
func readPayload(r io.ReaderAt, h boxHeader, max int64) ([]byte, error) {
	n := h.payloadSize()
	if n > max {
		return nil, fmt.Errorf("%q box of %d bytes is larger than the %d a recording needs", h.typ, n, max)
	}
	b := make([]byte, n)
	if _, err := r.ReadAt(b, h.payload); err != nil {
		return nil, readErr(err)
	}
	return b, nil
}

// eachChild calls fn for every box inside payload, in order.
func eachChild(payload []byte, fn func(typ string, body []byte) error) error {
	for len(payload) > 0 {
		if len(payload) < 8 {
			return errors.New("trailing bytes shorter than a box header")
		}
		size := uint64(binary.BigEndian.Uint32(payload))
		typ := string(payload[4:8])
		hdr := uint64(8)
		switch size {
		case 0:
			size = uint64(len(payload))
		case 1:
			if len(payload) < 16 {
				return fmt.Errorf("%q box: short large size", typ)
			}
			size, hdr = binary.BigEndian.Uint64(payload[8:]), 16
		}
		if size < hdr || size > uint64(len(payload)) {
			return fmt.Errorf("%q box of %d bytes does not fit its parent", typ, size)
		}
		if err := fn(typ, payload[hdr:size]); err != nil {
			return err
		}
		payload = payload[size:]
	}
	return nil
}

// cursor reads big-endian fields from a box body; reading past the end
// yields zeros and marks the cursor short.
type cursor struct {
	b     []byte
	short bool
}

func (c *cursor) take(n int) []byte {
	if n < 0 || len(c.b) < n {
		c.short = true
		c.b = nil
		return nil
	}
	v := c.b[:n]
	c.b = c.b[n:]
	return v
}

func (c *cursor) u32() uint32 {
	if b := c.take(4); b != nil {
		return binary.BigEndian.Uint32(b)
	}
	return 0
}

func (c *cursor) u64() uint64 {
	if b := c.take(8); b != nil {
		return binary.BigEndian.Uint64(b)
	}
	return 0
}

// skipTimes skips the creation and modification times of a header box:
// 64 bits each in version 1, else 32.
func (c *cursor) skipTimes(version byte) {
	if version == 1 {
		c.take(16)
	} else {
		c.take(8)
	}
}

// fullBox reads the version and flags of a full box.
func (c *cursor) fullBox() (version byte, flags uint32) {
	v := c.u32()
	return byte(v >> 24), v & 0xffffff
}

func (c *cursor) err(typ string) error {
	if c.short {
		return fmt.Errorf("%q box is too short", typ)
	}
	return nil
}
