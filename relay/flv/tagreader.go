package flv

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"slices"
)

// ErrNotFLV is returned when a stream does not start with an FLV header.
var ErrNotFLV = errors.New("not an FLV stream (no \"FLV\" signature)")

// Header is what the FLV file header announces.
type Header struct {
	Audio bool // the audio flag is set
	Video bool // the video flag is set
}

// Tag is one FLV tag. Data is only valid until the next ReadTag.
type Tag struct {
	Type      TagType
	Timestamp uint32 // milliseconds, with the extended byte applied
	Data      []byte
}

// TagReader reads FLV tags from a byte stream.
type TagReader struct {
	r          *bufio.Reader
	header     Header
	headerRead bool
	scratch    [11]byte
	buf        []byte
}

// NewTagReader reads FLV from r, buffering it.
func NewTagReader(r io.Reader) *TagReader {
	br, ok := r.(*bufio.Reader)
	if !ok {
		br = bufio.NewReaderSize(r, 64<<10)
	}
	return &TagReader{r: br}
}

// ReadHeader reads the FLV file header if it was not read yet and returns it.
func (t *TagReader) ReadHeader() (Header, error) {
	if t.headerRead {
		return t.header, nil
	}
	b := t.scratch[:9]
	if _, err := io.ReadFull(t.r, b); err != nil {
		return Header{}, fmt.Errorf("flv header: %w", noEOF(err))
	}
	if b[0] != 'F' || b[1] != 'L' || b[2] != 'V' {
		return Header{}, ErrNotFLV
	}
	offset := binary.BigEndian.Uint32(b[5:9])
	if offset < 9 || offset > 1024 {
		return Header{}, fmt.Errorf("flv header: data offset %d out of range 9-1024", offset)
	}
	t.header = Header{Audio: b[4]&0x04 != 0, Video: b[4]&0x01 != 0}
	// Skip header extension bytes, then PreviousTagSize0.
	if _, err := t.r.Discard(int(offset-9) + 4); err != nil {
		return Header{}, fmt.Errorf("flv header: %w", noEOF(err))
	}
	t.headerRead = true
	return t.header, nil
}

// ReadTag reads the next tag, reading the file header first if needed. It
// returns io.EOF when the stream ends cleanly between tags.
func (t *TagReader) ReadTag() (Tag, error) {
	if _, err := t.ReadHeader(); err != nil {
		return Tag{}, err
	}
	h := t.scratch[:11]
	if _, err := io.ReadFull(t.r, h); err != nil {
		if err == io.EOF {
			return Tag{}, io.EOF
		}
		return Tag{}, fmt.Errorf("flv tag header: %w", err)
	}
	if h[0]&0x20 != 0 {
		return Tag{}, errors.New("flv tag: encrypted (filtered) tags are not supported")
	}
	size := int(h[1])<<16 | int(h[2])<<8 | int(h[3])
	if size > maxTagSize {
		return Tag{}, fmt.Errorf("flv tag: size %d exceeds limit %d", size, maxTagSize)
	}
	tag := Tag{
		Type:      TagType(h[0] & 0x1f),
		Timestamp: uint32(h[4])<<16 | uint32(h[5])<<8 | uint32(h[6]) | uint32(h[7])<<24,
	}
	data, err := t.readData(size)
	if err != nil {
		return Tag{}, fmt.Errorf("flv tag data (%d bytes): %w", size, noEOF(err))
	}
	// PreviousTagSize: muxers disagree on its value, so it is not checked.
	if _, err := t.r.Discard(4); err != nil {
		return Tag{}, fmt.Errorf("flv previous tag size: %w", noEOF(err))
	}
	tag.Data = data
	return tag, nil
}

// readData reads n bytes into the reused buffer. It grows the buffer as data
// arrives, so a lying size field cannot make it allocate more than was sent.
func (t *TagReader) readData(n int) ([]byte, error) {
	buf := t.buf[:0]
	for len(buf) < n {
		if len(buf) == cap(buf) {
			buf = slices.Grow(buf, min(max(cap(buf), 64<<10), n-len(buf)))
		}
		chunk := buf[len(buf):min(cap(buf), n)]
		m, err := io.ReadFull(t.r, chunk)
		buf = buf[:len(buf)+m]
		if err != nil {
			t.buf = buf
			return nil, err
		}
	}
	t.buf = buf
	return buf, nil
}

// noEOF turns a clean EOF in the middle of a structure into ErrUnexpectedEOF.
func noEOF(err error) error {
	if err == io.EOF {
		return io.ErrUnexpectedEOF
	}
	return err
}
