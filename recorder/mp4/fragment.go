package mp4

import "github.com/lubo-edge/lubo/internal/bmff"

// Why the fragment boxes are written here and not by gomedia's go-mp4 in
// fragment mode (CreateMp4Muxer with MP4_FLAG_FRAGMENT): speed is not the
// reason (BenchmarkGomediaFragmentMuxer, flushed every second, costs about
// what BenchmarkWriter does); crash safety and timing are.
//   - go-mp4 fixes every track's timescale at 1000 Hz: 90 kHz video times
//     are rounded and AAC frames last 23 or 24 ticks instead of exactly 1024.
//   - It writes ftyp+moov only together with the first fragment, and each
//     fragment with several Writes (moof, mdat header, one per track), so
//     there is no single point after which a fragment is whole on disk.
//   - It cuts fragments only at keyframes; a long GOP makes long fragments
//     unless the caller flushes, and then its trun marks only a leading
//     keyframe, not each sample's sync flag.
// Here the init segment is on disk (and synced) before the first frame,
// each fragment is written whole (in a few large Writes) before one
// fdatasync, a crash mid-fragment leaves a fragment Finalize drops, and every sample
// carries its duration, size, flags and signed composition offset.
// The boxes themselves are internal/bmff's, shared with the fMP4 segmenter.

// encodeFragmentHead builds the head of the open fragment into out: the
// moof and the mdat box header. The mdat payload, the tracks' parts in
// track order, follows it in the file (writeFragment). next and nextDTS
// name the track and decode time of the frame that closes the fragment
// (nil when none), which gives that track's last sample its real duration;
// the other tracks repeat their last step.
func encodeFragmentHead(out *bmff.Builder, head *bmff.FragmentHead, seq uint32, tracks []*trackWriter, next *trackWriter, nextDTS int64) error {
	out.Reset()
	head.Begin(out, seq)
	for _, t := range tracks {
		if len(t.samples) == 0 {
			continue
		}
		head.BeginTrack(t.id, uint64(t.samples[0].dts))
		nextOfTrack := int64(-1)
		if t == next {
			nextOfTrack = nextDTS
		}
		for j, s := range t.samples {
			head.Sample(t.sampleDuration(j, nextOfTrack), s.size, s.sync, s.cto)
		}
		head.EndTrack()
	}
	return head.End()
}

// endMarker is an mfra box holding only its mfro: written by Close, it
// tells Finalize that the writer stopped cleanly.
var endMarker = []byte{
	0, 0, 0, 24, 'm', 'f', 'r', 'a',
	0, 0, 0, 16, 'm', 'f', 'r', 'o', 0, 0, 0, 0, 0, 0, 0, 24,
}

// encodeInit writes the init segment: ftyp and a moov whose tracks have no
// samples, plus mvex/trex, which makes the file fragmented, with a mehd
// FinalizeInPlace fills in, and a free box of indexReserve bytes.
func encodeInit(out *bmff.Builder, tracks []*trackWriter) {
	desc := make([]bmff.Track, 0, len(tracks))
	for _, t := range tracks {
		c := t.cfg
		desc = append(desc, bmff.Track{ID: t.id, Kind: c.kind(), Timescale: c.timescale,
			Width: uint16(c.width), Height: uint16(c.height), SampleEntry: c.entry})
	}
	out.InitSegment(desc, true)
	// Room for the segment index FinalizeInPlace writes, so a file
	// finalized without a copy seeks without scanning every fragment.
	free := out.Open("free")
	out.Zeros(indexReserve - 8)
	out.Close(free)
}
