package mp4

import "encoding/binary"

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
// each fragment is one Write followed by one fdatasync, and every sample
// carries its duration, size, flags and signed composition offset.
// go-codec (gomedia) still builds the avcC/hvcC records: codecconfig.go.

// Sample flags of trun (ISO 14496-12 8.8.3.1): sample_depends_on and
// sample_is_non_sync_sample.
const (
	flagsSync    = 0x02000000 // depends on no other sample
	flagsNonSync = 0x01010000 // depends on others, not a sync sample
)

// tfhd and trun flags the writer uses.
const (
	tfhdDefaultBaseIsMoof = 0x020000
	trunDataOffset        = 0x000001
	trunSampleDuration    = 0x000100
	trunSampleSize        = 0x000200
	trunSampleFlags       = 0x000400
	trunSampleCTO         = 0x000800
)

// encodeFragmentHead builds the head of the open fragment into out: the
// moof and the mdat box header. The mdat payload, the tracks' parts in
// track order, follows it in the file (writePayload). next and nextDTS
// name the track and decode time of the frame that closes the fragment
// (nil when none), which gives that track's last sample its real duration;
// the other tracks repeat their last step.
func encodeFragmentHead(out *boxBuilder, seq uint32, tracks []*trackWriter, next *trackWriter, nextDTS int64) {
	out.reset()
	moof := out.open("moof")
	mfhd := out.openFull("mfhd", 0, 0)
	out.u32(seq)
	out.close(mfhd)

	// Each traf's data_offset is patched once the moof size is known. A
	// Writer has at most two tracks, video and audio.
	var offsetAt [2]int
	var payload int
	for i, t := range tracks {
		if len(t.samples) == 0 {
			continue
		}
		traf := out.open("traf")
		tfhd := out.openFull("tfhd", 0, tfhdDefaultBaseIsMoof)
		out.u32(t.id)
		out.close(tfhd)
		tfdt := out.openFull("tfdt", 1, 0)
		out.u64(uint64(t.samples[0].dts))
		out.close(tfdt)
		trun := out.openFull("trun", 1, trunDataOffset|trunSampleDuration|trunSampleSize|trunSampleFlags|trunSampleCTO)
		out.u32(uint32(len(t.samples)))
		offsetAt[i] = len(out.b)
		out.u32(uint32(payload)) // relative to the mdat payload until patched
		nextOfTrack := int64(-1)
		if t == next {
			nextOfTrack = nextDTS
		}
		for j, s := range t.samples {
			out.u32(t.sampleDuration(j, nextOfTrack))
			out.u32(s.size)
			if s.sync {
				out.u32(flagsSync)
			} else {
				out.u32(flagsNonSync)
			}
			out.u32(uint32(s.cto))
		}
		out.close(trun)
		out.close(traf)
		payload += t.size
	}
	out.close(moof)

	dataStart := uint32(len(out.b) + 8) // moof size + mdat header
	for i, t := range tracks {
		if len(t.samples) == 0 {
			continue
		}
		at := offsetAt[i]
		binary.BigEndian.PutUint32(out.b[at:], dataStart+binary.BigEndian.Uint32(out.b[at:]))
	}
	out.u32(uint32(8 + payload))
	out.fourcc("mdat")
}

// endMarker is an mfra box holding only its mfro: written by Close, it
// tells Finalize that the writer stopped cleanly.
var endMarker = []byte{
	0, 0, 0, 24, 'm', 'f', 'r', 'a',
	0, 0, 0, 16, 'm', 'f', 'r', 'o', 0, 0, 0, 0, 0, 0, 0, 24,
}

// encodeInit writes the init segment: ftyp and a moov whose tracks have no
// samples, plus mvex/trex, which makes the file fragmented, and a free box
// of indexReserve bytes.
func encodeInit(out *boxBuilder, tracks []*trackWriter) {
	out.ftyp("iso5", 512, "iso5", "iso6", "mp41")
	moov := out.open("moov")
	out.mvhd(1000, 0, uint32(len(tracks))+1)
	for _, t := range tracks {
		c := t.cfg
		trak := out.open("trak")
		out.tkhd(t.id, 0, c.audio(), uint32(c.width)<<16, uint32(c.height)<<16)
		mdia := out.open("mdia")
		out.mdhd(c.timescale, 0)
		out.hdlr(c.audio())
		minf := out.open("minf")
		out.mediaHeaderAndDinf(c.audio())
		stbl := out.open("stbl")
		stsd := out.openFull("stsd", 0, 0)
		out.u32(1)
		out.bytes(c.entry)
		out.close(stsd)
		for _, empty := range [...]string{"stts", "stsc", "stco"} {
			b := out.openFull(empty, 0, 0)
			out.u32(0)
			out.close(b)
		}
		stsz := out.openFull("stsz", 0, 0)
		out.u32(0)
		out.u32(0)
		out.close(stsz)
		out.close(stbl)
		out.close(minf)
		out.close(mdia)
		out.close(trak)
	}
	mvex := out.open("mvex")
	// The whole duration is not known yet: FinalizeInPlace fills it in.
	mehd := out.openFull("mehd", 1, 0)
	out.u64(0)
	out.close(mehd)
	for _, t := range tracks {
		trex := out.openFull("trex", 0, 0)
		out.u32(t.id)
		out.u32(1) // default_sample_description_index
		out.u32(0) // default_sample_duration
		out.u32(0) // default_sample_size
		out.u32(0) // default_sample_flags
		out.close(trex)
	}
	out.close(mvex)
	out.close(moov)
	// Room for the segment index FinalizeInPlace writes, so a file
	// finalized without a copy seeks without scanning every fragment.
	free := out.open("free")
	out.zeros(indexReserve - 8)
	out.close(free)
}
