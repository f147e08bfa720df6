package mp4

import "encoding/binary"

// boxBuilder appends ISO BMFF boxes to a reusable byte slice. A box is
// opened with open (which reserves its 32-bit size) and closed with close
// (which patches the size in), so nested boxes need no size arithmetic.
// Boxes built here are all far below 4 GiB; the one box that may be bigger,
// a progressive mdat, has its header written separately.
type boxBuilder struct {
	b []byte
}

func (w *boxBuilder) reset() { w.b = w.b[:0] }

// open starts a box and returns its offset for close.
func (w *boxBuilder) open(typ string) int {
	at := len(w.b)
	w.b = append(w.b, 0, 0, 0, 0, typ[0], typ[1], typ[2], typ[3])
	return at
}

// openFull starts a full box (version and 24-bit flags follow the type).
func (w *boxBuilder) openFull(typ string, version byte, flags uint32) int {
	at := w.open(typ)
	w.b = append(w.b, version, byte(flags>>16), byte(flags>>8), byte(flags))
	return at
}

// close patches the size of the box opened at at.
func (w *boxBuilder) close(at int) {
	binary.BigEndian.PutUint32(w.b[at:], uint32(len(w.b)-at))
}

func (w *boxBuilder) u8(v byte)       { w.b = append(w.b, v) }
func (w *boxBuilder) u16(v uint16)    { w.b = binary.BigEndian.AppendUint16(w.b, v) }
func (w *boxBuilder) u32(v uint32)    { w.b = binary.BigEndian.AppendUint32(w.b, v) }
func (w *boxBuilder) u64(v uint64)    { w.b = binary.BigEndian.AppendUint64(w.b, v) }
func (w *boxBuilder) bytes(v []byte)  { w.b = append(w.b, v...) }
func (w *boxBuilder) str(v string)    { w.b = append(w.b, v...) }
func (w *boxBuilder) fourcc(v string) { w.b = append(w.b, v[0], v[1], v[2], v[3]) }

func (w *boxBuilder) zeros(n int) {
	for range n {
		w.b = append(w.b, 0)
	}
}

// unityMatrix is the identity transformation of mvhd and tkhd.
var unityMatrix = [9]uint32{0x00010000, 0, 0, 0, 0x00010000, 0, 0, 0, 0x40000000}

func (w *boxBuilder) matrix() {
	for _, v := range unityMatrix {
		w.u32(v)
	}
}

// ftyp writes a file type box.
func (w *boxBuilder) ftyp(major string, minor uint32, compatible ...string) {
	at := w.open("ftyp")
	w.fourcc(major)
	w.u32(minor)
	for _, c := range compatible {
		w.fourcc(c)
	}
	w.close(at)
}

// mvhd writes a movie header; duration is in timescale units.
func (w *boxBuilder) mvhd(timescale uint32, duration uint64, nextTrackID uint32) {
	at := w.openFull("mvhd", 1, 0)
	w.u64(0) // creation_time
	w.u64(0) // modification_time
	w.u32(timescale)
	w.u64(duration)
	w.u32(0x00010000) // rate 1.0
	w.u16(0x0100)     // volume 1.0
	w.zeros(2 + 8)    // reserved
	w.matrix()
	w.zeros(6 * 4) // pre_defined
	w.u32(nextTrackID)
	w.close(at)
}

// tkhd writes a track header; duration is in the movie timescale, width and
// height are 16.16 fixed point (zero for sound).
func (w *boxBuilder) tkhd(trackID uint32, duration uint64, audio bool, width, height uint32) {
	at := w.openFull("tkhd", 1, 3) // enabled | in movie
	w.u64(0)                       // creation_time
	w.u64(0)                       // modification_time
	w.u32(trackID)
	w.u32(0) // reserved
	w.u64(duration)
	w.zeros(8) // reserved
	w.u16(0)   // layer
	w.u16(0)   // alternate_group
	if audio {
		w.u16(0x0100)
	} else {
		w.u16(0)
	}
	w.u16(0) // reserved
	w.matrix()
	w.u32(width)
	w.u32(height)
	w.close(at)
}

// mdhd writes a media header with language "und".
func (w *boxBuilder) mdhd(timescale uint32, duration uint64) {
	at := w.openFull("mdhd", 1, 0)
	w.u64(0) // creation_time
	w.u64(0) // modification_time
	w.u32(timescale)
	w.u64(duration)
	w.u16(0x55c4) // packed ISO-639-2 "und"
	w.u16(0)      // pre_defined
	w.close(at)
}

// hdlr writes the handler box of a video or sound track.
func (w *boxBuilder) hdlr(audio bool) {
	at := w.openFull("hdlr", 0, 0)
	w.u32(0) // pre_defined
	if audio {
		w.fourcc("soun")
	} else {
		w.fourcc("vide")
	}
	w.zeros(12)
	if audio {
		w.str("SoundHandler\x00")
	} else {
		w.str("VideoHandler\x00")
	}
	w.close(at)
}

// mediaHeaderAndDinf writes vmhd or smhd followed by a self-contained dinf.
func (w *boxBuilder) mediaHeaderAndDinf(audio bool) {
	if audio {
		at := w.openFull("smhd", 0, 0)
		w.u16(0) // balance
		w.u16(0) // reserved
		w.close(at)
	} else {
		at := w.openFull("vmhd", 0, 1)
		w.zeros(8) // graphicsmode, opcolor
		w.close(at)
	}
	dinf := w.open("dinf")
	dref := w.openFull("dref", 0, 0)
	w.u32(1)
	url := w.openFull("url ", 0, 1) // media data is in this file
	w.close(url)
	w.close(dref)
	w.close(dinf)
}
