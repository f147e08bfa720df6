package segmenter

import "encoding/binary"

// boxes appends ISO BMFF boxes to a byte slice. A box is opened with start,
// which leaves room for its size, and closed with end, which fills the size
// in; boxes nest by opening before closing the outer one.
//
// The fMP4 boxes are written here rather than with mediacommon's fmp4
// package (v2.4.1): it writes H.265 as hev1 (Safari wants hvc1 with the
// parameter sets in the hvcC), parses the SPS before it will write anything
// (a camera SPS it cannot parse would cost the picture), and builds each
// fragment's mdat as one more copy of every payload.
type boxes struct{ b []byte }

func (w *boxes) start(typ string) int {
	off := len(w.b)
	w.b = append(w.b, 0, 0, 0, 0)
	w.b = append(w.b, typ...)
	return off
}

// fullStart opens a FullBox: version and 24 bits of flags follow the type.
func (w *boxes) fullStart(typ string, version byte, flags uint32) int {
	off := w.start(typ)
	w.b = append(w.b, version, byte(flags>>16), byte(flags>>8), byte(flags))
	return off
}

func (w *boxes) end(off int) {
	binary.BigEndian.PutUint32(w.b[off:], uint32(len(w.b)-off))
}

func (w *boxes) u8(v uint8)   { w.b = append(w.b, v) }
func (w *boxes) u16(v uint16) { w.b = binary.BigEndian.AppendUint16(w.b, v) }
func (w *boxes) u32(v uint32) { w.b = binary.BigEndian.AppendUint32(w.b, v) }
func (w *boxes) u64(v uint64) { w.b = binary.BigEndian.AppendUint64(w.b, v) }
func (w *boxes) zeros(n int) {
	for range n {
		w.b = append(w.b, 0)
	}
}
func (w *boxes) bytes(p []byte) { w.b = append(w.b, p...) }

// matrix writes the identity transformation matrix of mvhd and tkhd.
func (w *boxes) matrix() {
	for _, v := range [9]uint32{0x00010000, 0, 0, 0, 0x00010000, 0, 0, 0, 0x40000000} {
		w.u32(v)
	}
}
