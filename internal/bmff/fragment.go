package bmff

import (
	"encoding/binary"
	"fmt"
	"math"
)

// Sample flags of trun (ISO/IEC 14496-12 8.8.3.1): sample_depends_on and
// sample_is_non_sync_sample.
const (
	FlagsSync    = 0x02000000 // depends on no other sample
	FlagsNonSync = 0x01010000 // depends on others, not a sync sample
)

// tfhd and trun flags (ISO/IEC 14496-12 8.8.7, 8.8.8).
const (
	TfhdDefaultBaseIsMoof = 0x020000
	TrunDataOffset        = 0x000001
	TrunSampleDuration    = 0x000100
	TrunSampleSize        = 0x000200
	TrunSampleFlags       = 0x000400
	TrunSampleCTO         = 0x000800
)

// FragmentHead builds the head of one fragment into a Builder: a moof with
// an mfhd and a traf per track (tfhd, tfdt, and a trun giving every
// sample's duration, size, flags and signed composition offset), then the
// mdat header. The mdat payload, each track's samples in the order the
// tracks were added, follows it in the file. A FragmentHead is reused from
// fragment to fragment and then allocates nothing:
//
//	h.Begin(&b, seq)
//	h.BeginTrack(id, baseDecodeTime)
//	h.Sample(duration, size, sync, cto) // for each sample
//	h.EndTrack()                       // then the next track
//	err := h.End()
type FragmentHead struct {
	w       *Builder
	moof    int
	traf    int
	trun    int
	count   uint32 // samples in the open trun
	payload uint64 // bytes of the samples so far, of all tracks
	// offsets are the positions of the truns' data_offset fields, which
	// hold the track's start in the payload until End knows the moof size.
	offsets []int
}

// Begin opens the moof of fragment number seq (mfhd counts from 1) at the
// end of w.
func (h *FragmentHead) Begin(w *Builder, seq uint32) {
	h.w, h.payload, h.offsets = w, 0, h.offsets[:0]
	h.moof = w.Open("moof")
	mfhd := w.OpenFull("mfhd", 0, 0)
	w.U32(seq)
	w.Close(mfhd)
}

// BeginTrack opens the traf of a track whose first sample here is decoded
// at baseDecodeTime, in the track's timescale. A track without samples in
// the fragment is left out rather than begun.
func (h *FragmentHead) BeginTrack(trackID uint32, baseDecodeTime uint64) {
	w := h.w
	h.traf = w.Open("traf")
	tfhd := w.OpenFull("tfhd", 0, TfhdDefaultBaseIsMoof)
	w.U32(trackID)
	w.Close(tfhd)
	tfdt := w.OpenFull("tfdt", 1, 0)
	w.U64(baseDecodeTime)
	w.Close(tfdt)
	h.trun = w.OpenFull("trun", 1, TrunDataOffset|TrunSampleDuration|TrunSampleSize|TrunSampleFlags|TrunSampleCTO)
	w.U32(0) // sample_count, patched by EndTrack
	h.offsets = append(h.offsets, w.Len())
	w.U32(uint32(min(h.payload, math.MaxUint32))) // made absolute by End
	h.count = 0
}

// Sample adds one sample of size bytes to the open track.
func (h *FragmentHead) Sample(duration, size uint32, sync bool, compositionOffset int32) {
	w := h.w
	w.U32(duration)
	w.U32(size)
	if sync {
		w.U32(FlagsSync)
	} else {
		w.U32(FlagsNonSync)
	}
	w.U32(uint32(compositionOffset))
	h.count++
	h.payload += uint64(size)
}

// EndTrack closes the open track's traf.
func (h *FragmentHead) EndTrack() {
	h.w.PatchU32(h.trun+12, h.count)
	h.w.Close(h.trun)
	h.w.Close(h.traf)
}

// End closes the moof, points each trun at its data and writes the mdat
// header. It fails, leaving the head unusable, when the fragment's data
// does not fit a 32-bit mdat or a trun's data_offset.
func (h *FragmentHead) End() error {
	w := h.w
	w.Close(h.moof)
	dataStart := uint64(w.Len()-h.moof) + 8 // after the moof and the mdat header
	if dataStart+h.payload > math.MaxInt32 {
		return fmt.Errorf("fragment of %d bytes is too large", dataStart+h.payload)
	}
	for _, at := range h.offsets {
		w.PatchU32(at, uint32(dataStart)+binary.BigEndian.Uint32(w.b[at:]))
	}
	w.U32(uint32(8 + h.payload))
	w.FourCC("mdat")
	return nil
}

// Payload is the size of the mdat payload the head describes.
func (h *FragmentHead) Payload() uint64 { return h.payload }
