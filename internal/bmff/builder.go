package bmff

import "encoding/binary"

// Builder appends boxes to a reusable byte slice. A box is opened with Open
// (which reserves its 32-bit size) and closed with Close (which patches the
// size in), so nested boxes need no size arithmetic. The zero value is
// ready to use.
type Builder struct {
	b []byte
}

// Bytes is what has been built; it stays valid until the next change.
func (w *Builder) Bytes() []byte { return w.b }

// Len is the number of bytes built.
func (w *Builder) Len() int { return len(w.b) }

// Reset empties the builder and keeps its memory.
func (w *Builder) Reset() { w.b = w.b[:0] }

// Truncate drops everything after the first n bytes.
func (w *Builder) Truncate(n int) { w.b = w.b[:n] }

// Open starts a box of type typ (four characters) and returns its offset
// for Close.
func (w *Builder) Open(typ string) int {
	at := len(w.b)
	w.b = append(w.b, 0, 0, 0, 0, typ[0], typ[1], typ[2], typ[3])
	return at
}

// OpenFull starts a full box: version and 24 bits of flags follow the type.
func (w *Builder) OpenFull(typ string, version byte, flags uint32) int {
	at := w.Open(typ)
	w.b = append(w.b, version, byte(flags>>16), byte(flags>>8), byte(flags))
	return at
}

// Close patches the size of the box opened at at. Boxes built here are far
// below 4 GiB; the one that may be larger, a progressive mdat, has its
// header written by hand.
func (w *Builder) Close(at int) {
	binary.BigEndian.PutUint32(w.b[at:], uint32(len(w.b)-at))
}

// U8 to U64 append big-endian integers.
func (w *Builder) U8(v byte)    { w.b = append(w.b, v) }
func (w *Builder) U16(v uint16) { w.b = binary.BigEndian.AppendUint16(w.b, v) }
func (w *Builder) U32(v uint32) { w.b = binary.BigEndian.AppendUint32(w.b, v) }
func (w *Builder) U64(v uint64) { w.b = binary.BigEndian.AppendUint64(w.b, v) }

// Append appends raw bytes.
func (w *Builder) Append(p []byte) { w.b = append(w.b, p...) }

// AppendString appends the bytes of s.
func (w *Builder) AppendString(s string) { w.b = append(w.b, s...) }

// FourCC appends a four-character code.
func (w *Builder) FourCC(c string) { w.b = append(w.b, c[0], c[1], c[2], c[3]) }

// Zeros appends n zero bytes.
func (w *Builder) Zeros(n int) { w.b = append(w.b, make([]byte, n)...) }

// PatchU32 overwrites the 32-bit field at offset at.
func (w *Builder) PatchU32(at int, v uint32) { binary.BigEndian.PutUint32(w.b[at:], v) }

// EntryCount is an entry_count written before its entries are known.
type EntryCount struct{ at int }

// EntryCount appends an entry_count of zero for Add to count up.
func (w *Builder) EntryCount() EntryCount {
	at := len(w.b)
	w.U32(0)
	return EntryCount{at}
}

// Add counts one more entry.
func (c EntryCount) Add(w *Builder) {
	w.PatchU32(c.at, binary.BigEndian.Uint32(w.b[c.at:])+1)
}
