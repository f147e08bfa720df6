package bmff

import (
	"math"
	"time"
)

// Kind is what a track carries; it decides the handler and media header.
type Kind byte

const (
	Video Kind = iota + 1
	Sound
)

// unityMatrix is the identity transformation of mvhd and tkhd.
var unityMatrix = [9]uint32{0x00010000, 0, 0, 0, 0x00010000, 0, 0, 0, 0x40000000}

func (w *Builder) matrix() {
	for _, v := range unityMatrix {
		w.U32(v)
	}
}

// timeVersion is the version of a header box with times: 1 (64-bit fields)
// only when the duration needs it, as most writers do.
func timeVersion(duration uint64) byte {
	if duration > math.MaxUint32 {
		return 1
	}
	return 0
}

// time appends a creation or modification time or a duration in the
// width of version.
func (w *Builder) time(version byte, v uint64) {
	if version == 1 {
		w.U64(v)
	} else {
		w.U32(uint32(v))
	}
}

// FileType writes an ftyp box.
func (w *Builder) FileType(major string, minor uint32, compatible ...string) {
	at := w.Open("ftyp")
	w.FourCC(major)
	w.U32(minor)
	for _, c := range compatible {
		w.FourCC(c)
	}
	w.Close(at)
}

// MovieHeader writes an mvhd box; duration is in timescale units (0 for
// unknown).
func (w *Builder) MovieHeader(timescale uint32, duration uint64, nextTrackID uint32) {
	v := timeVersion(duration)
	at := w.OpenFull("mvhd", v, 0)
	w.time(v, 0) // creation_time
	w.time(v, 0) // modification_time
	w.U32(timescale)
	w.time(v, duration)
	w.U32(0x00010000) // rate 1.0
	w.U16(0x0100)     // volume 1.0
	w.Zeros(2 + 8)    // reserved
	w.matrix()
	w.Zeros(6 * 4) // pre_defined
	w.U32(nextTrackID)
	w.Close(at)
}

// TrackHeader writes a tkhd box of an enabled track; duration is in the
// movie's timescale, width and height are 16.16 fixed point (pixels<<16;
// 0 for sound).
func (w *Builder) TrackHeader(trackID uint32, duration uint64, kind Kind, width, height uint32) {
	v := timeVersion(duration)
	at := w.OpenFull("tkhd", v, 3) // enabled | in movie
	w.time(v, 0)                   // creation_time
	w.time(v, 0)                   // modification_time
	w.U32(trackID)
	w.U32(0) // reserved
	w.time(v, duration)
	w.Zeros(8) // reserved
	w.U16(0)   // layer
	w.U16(0)   // alternate_group
	if kind == Sound {
		w.U16(0x0100) // volume 1.0
	} else {
		w.U16(0)
	}
	w.U16(0) // reserved
	w.matrix()
	w.U32(width)
	w.U32(height)
	w.Close(at)
}

// MediaHeader writes an mdhd box with language "und"; duration is in
// timescale units.
func (w *Builder) MediaHeader(timescale uint32, duration uint64) {
	v := timeVersion(duration)
	at := w.OpenFull("mdhd", v, 0)
	w.time(v, 0) // creation_time
	w.time(v, 0) // modification_time
	w.U32(timescale)
	w.time(v, duration)
	w.U16(0x55c4) // packed ISO-639-2 "und"
	w.U16(0)      // pre_defined
	w.Close(at)
}

// Handler writes the hdlr box of a video or sound track.
func (w *Builder) Handler(kind Kind) {
	at := w.OpenFull("hdlr", 0, 0)
	w.U32(0) // pre_defined
	if kind == Sound {
		w.FourCC("soun")
	} else {
		w.FourCC("vide")
	}
	w.Zeros(12) // reserved
	if kind == Sound {
		w.AppendString("SoundHandler\x00")
	} else {
		w.AppendString("VideoHandler\x00")
	}
	w.Close(at)
}

// MediaInfoHeader writes the first boxes of a minf: vmhd or smhd, and a dinf
// saying the media data is in this file.
func (w *Builder) MediaInfoHeader(kind Kind) {
	if kind == Sound {
		at := w.OpenFull("smhd", 0, 0)
		w.U16(0) // balance
		w.U16(0) // reserved
		w.Close(at)
	} else {
		at := w.OpenFull("vmhd", 0, 1)
		w.Zeros(8) // graphicsmode, opcolor
		w.Close(at)
	}
	dinf := w.Open("dinf")
	dref := w.OpenFull("dref", 0, 0)
	w.U32(1)
	url := w.OpenFull("url ", 0, 1) // media data is in this file
	w.Close(url)
	w.Close(dref)
	w.Close(dinf)
}

// Ticks converts a time to ticks of timescale, rounded to the nearest (a
// nanosecond time of an audio frame is a truncated fraction: 1024 samples
// at 48 kHz are 21333333 ns, 1920 ticks), without overflowing for any
// duration: whole seconds and the rest are scaled apart.
func Ticks(d time.Duration, timescale uint32) int64 {
	ts := int64(timescale)
	sec, rem := int64(d/time.Second), int64(d%time.Second)
	return sec*ts + (rem*ts+int64(time.Second)/2)/int64(time.Second)
}
