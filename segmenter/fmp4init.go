package segmenter

import (
	"errors"
	"fmt"

	"github.com/bluenviron/mediacommon/v2/pkg/codecs/h264"
	"github.com/bluenviron/mediacommon/v2/pkg/codecs/h265"
	"github.com/bluenviron/mediacommon/v2/pkg/codecs/mpeg4audio"

	"github.com/lubo-edge/lubo/media"
)

// videoTimescale is the fMP4 video track's clock, the one MPEG uses.
const videoTimescale = 90000

// fmp4Init is an fMP4 initialization section (init{N}.mp4): ftyp and moov
// for one session's tracks, and what the media segments need to match it.
type fmp4Init struct {
	name      string // file name, relative to the playlist
	data      []byte
	video     *media.VideoTrack // nil without video; parameter sets present
	audio     *media.AudioTrack // nil without (usable AAC) audio
	videoID   uint32            // track IDs, 0 when the track is absent
	audioID   uint32
	audioRate uint32 // the audio track's timescale
}

// newFMP4Init builds the init section for a video track (nil for none) and
// an AAC track (nil for none). The video track must carry its parameter
// sets; they go into the avcC/hvcC, where hvc1 requires them.
func newFMP4Init(name string, v *media.VideoTrack, a *media.AudioTrack) (*fmp4Init, error) {
	in := &fmp4Init{name: name, video: v, audio: a}
	var w boxes
	ftyp := w.start("ftyp")
	w.bytes([]byte("iso5"))
	w.u32(512)
	w.bytes([]byte("iso5iso6mp41"))
	w.end(ftyp)

	moov := w.start("moov")
	mvhd := w.fullStart("mvhd", 0, 0)
	w.u32(0)    // creation_time
	w.u32(0)    // modification_time
	w.u32(1000) // timescale
	w.u32(0)    // duration: unknown, fragmented
	w.u32(0x00010000)
	w.u16(0x0100)
	w.zeros(10)
	w.matrix()
	w.zeros(24)
	next := uint32(1)
	if v != nil {
		in.videoID = next
		next++
	}
	if a != nil {
		in.audioID = next
		next++
	}
	w.u32(next) // next_track_ID
	w.end(mvhd)

	if v != nil {
		if err := writeVideoTrak(&w, in.videoID, v); err != nil {
			return nil, err
		}
	}
	if a != nil {
		asc, err := audioConfig(a)
		if err != nil {
			return nil, err
		}
		in.audioRate = uint32(asc.SampleRate)
		if err := writeAudioTrak(&w, in.audioID, asc); err != nil {
			return nil, err
		}
	}
	if v == nil && a == nil {
		return nil, errors.New("fmp4 init: no track")
	}

	mvex := w.start("mvex")
	for _, id := range []uint32{in.videoID, in.audioID} {
		if id == 0 {
			continue
		}
		trex := w.fullStart("trex", 0, 0)
		w.u32(id)
		w.u32(1) // default_sample_description_index
		w.u32(0) // default_sample_duration
		w.u32(0) // default_sample_size
		w.u32(0) // default_sample_flags
		w.end(trex)
	}
	w.end(mvex)
	w.end(moov)
	in.data = w.b
	return in, nil
}

// writeTrakHead opens trak, writes tkhd, opens mdia with mdhd and hdlr, and
// opens minf with its media header and dinf; it returns the offsets of the
// boxes left open.
func writeTrakHead(w *boxes, id uint32, timescale uint32, handler string, width, height int) (trak, mdia, minf int) {
	trak = w.start("trak")
	tkhd := w.fullStart("tkhd", 0, 3) // enabled, in movie
	w.u32(0)                          // creation_time
	w.u32(0)                          // modification_time
	w.u32(id)
	w.u32(0) // reserved
	w.u32(0) // duration
	w.zeros(8)
	w.u16(0) // layer
	w.u16(0) // alternate_group
	if handler == "soun" {
		w.u16(0x0100)
	} else {
		w.u16(0)
	}
	w.u16(0)
	w.matrix()
	w.u32(uint32(width) << 16)
	w.u32(uint32(height) << 16)
	w.end(tkhd)

	mdia = w.start("mdia")
	mdhd := w.fullStart("mdhd", 0, 0)
	w.u32(0)
	w.u32(0)
	w.u32(timescale)
	w.u32(0)
	w.u16(0x55c4) // language "und"
	w.u16(0)
	w.end(mdhd)
	hdlr := w.fullStart("hdlr", 0, 0)
	w.u32(0)
	w.bytes([]byte(handler))
	w.zeros(12)
	if handler == "soun" {
		w.bytes([]byte("SoundHandler\x00"))
	} else {
		w.bytes([]byte("VideoHandler\x00"))
	}
	w.end(hdlr)

	minf = w.start("minf")
	if handler == "soun" {
		smhd := w.fullStart("smhd", 0, 0)
		w.u32(0) // balance, reserved
		w.end(smhd)
	} else {
		vmhd := w.fullStart("vmhd", 0, 1)
		w.zeros(8) // graphicsmode, opcolor
		w.end(vmhd)
	}
	dinf := w.start("dinf")
	dref := w.fullStart("dref", 0, 0)
	w.u32(1)
	url := w.fullStart("url ", 0, 1) // media in the same file
	w.end(url)
	w.end(dref)
	w.end(dinf)
	return trak, mdia, minf
}

// writeTrakTail writes the empty sample tables that follow stsd and closes
// stbl, minf, mdia and trak.
func writeTrakTail(w *boxes, stbl, minf, mdia, trak int) {
	for _, typ := range []string{"stts", "stsc", "stco"} {
		b := w.fullStart(typ, 0, 0)
		w.u32(0) // entry_count
		w.end(b)
	}
	stsz := w.fullStart("stsz", 0, 0)
	w.u32(0) // sample_size
	w.u32(0) // sample_count
	w.end(stsz)
	w.end(stbl)
	w.end(minf)
	w.end(mdia)
	w.end(trak)
}

func writeVideoTrak(w *boxes, id uint32, v *media.VideoTrack) error {
	width, height := v.Width, v.Height
	if width <= 0 || height <= 0 {
		width, height = media.PictureSize(v.Codec, v.SPS)
	}
	if width > 0xffff || height > 0xffff || width < 0 || height < 0 {
		width, height = 0, 0
	}
	// Build the codec configuration first: a track it fails for is not
	// half written.
	var cfg boxes
	entry := "avc1"
	switch v.Codec {
	case media.H264:
		if err := writeAVCC(&cfg, v); err != nil {
			return err
		}
	case media.H265:
		entry = "hvc1"
		if err := writeHVCC(&cfg, v); err != nil {
			return err
		}
	default:
		return fmt.Errorf("fmp4 init: video codec %v", v.Codec)
	}

	trak, mdia, minf := writeTrakHead(w, id, videoTimescale, "vide", width, height)
	stbl := w.start("stbl")
	stsd := w.fullStart("stsd", 0, 0)
	w.u32(1)
	se := w.start(entry)
	w.zeros(6)
	w.u16(1) // data_reference_index
	w.zeros(16)
	w.u16(uint16(width))
	w.u16(uint16(height))
	w.u32(0x00480000) // 72 dpi
	w.u32(0x00480000)
	w.u32(0)
	w.u16(1)    // frame_count
	w.zeros(32) // compressorname
	w.u16(0x0018)
	w.u16(0xffff) // pre_defined = -1
	w.bytes(cfg.b)
	w.end(se)
	w.end(stsd)
	writeTrakTail(w, stbl, minf, mdia, trak)
	return nil
}

// writeAVCC writes the AVCDecoderConfigurationRecord (ISO 14496-15 5.3.3).
func writeAVCC(w *boxes, v *media.VideoTrack) error {
	if len(v.SPS) < 4 || len(v.PPS) == 0 || len(v.SPS) > 0xffff || len(v.PPS) > 0xffff {
		return fmt.Errorf("fmp4 init: H.264 parameter sets missing or malformed (SPS %d bytes, PPS %d bytes)", len(v.SPS), len(v.PPS))
	}
	b := w.start("avcC")
	w.u8(1)
	w.u8(v.SPS[1]) // profile_idc
	w.u8(v.SPS[2]) // constraint flags
	w.u8(v.SPS[3]) // level_idc
	w.u8(0xfc | 3) // 4-byte NAL unit lengths
	w.u8(0xe0 | 1)
	w.u16(uint16(len(v.SPS)))
	w.bytes(v.SPS)
	w.u8(1)
	w.u16(uint16(len(v.PPS)))
	w.bytes(v.PPS)
	switch v.SPS[1] {
	case 100, 110, 122, 144: // High profiles carry the chroma format and bit depths
		if s, ok := parseH264SPS(v.SPS); ok {
			w.u8(0xfc | uint8(s.ChromaFormatIdc&3))
			w.u8(0xf8 | uint8(s.BitDepthLumaMinus8&7))
			w.u8(0xf8 | uint8(s.BitDepthChromaMinus8&7))
			w.u8(0) // numOfSequenceParameterSetExt
		}
	}
	w.end(b)
	return nil
}

// writeHVCC writes the HEVCDecoderConfigurationRecord (ISO 14496-15 8.3.3)
// with the VPS, SPS and PPS, each array marked complete as hvc1 requires.
func writeHVCC(w *boxes, v *media.VideoTrack) error {
	if len(v.VPS) == 0 || len(v.SPS) < 3 || len(v.PPS) == 0 || len(v.VPS) > 0xffff || len(v.SPS) > 0xffff || len(v.PPS) > 0xffff {
		return fmt.Errorf("fmp4 init: H.265 parameter sets missing or malformed (VPS %d, SPS %d, PPS %d bytes)", len(v.VPS), len(v.SPS), len(v.PPS))
	}
	// After the 2-byte NAL header: one byte of ids and sub-layer count, then
	// the general profile_tier_level (12 bytes) the hvcC repeats.
	rbsp := h264.EmulationPreventionRemove(v.SPS[2:])
	if len(rbsp) < 13 {
		return fmt.Errorf("fmp4 init: H.265 SPS of %d bytes is too short", len(v.SPS))
	}
	chroma, lumaDepth, chromaDepth := uint8(1), uint8(0), uint8(0)
	if s, ok := parseH265SPS(v.SPS); ok {
		chroma, lumaDepth, chromaDepth = uint8(s.ChromaFormatIdc&3), uint8(s.BitDepthLumaMinus8&7), uint8(s.BitDepthChromaMinus8&7)
	}
	subLayers := (rbsp[0]>>1)&7 + 1
	nested := rbsp[0] & 1
	b := w.start("hvcC")
	w.u8(1)
	w.bytes(rbsp[1:13]) // profile space, tier, profile, compatibility, constraints, level
	w.u16(0xf000)       // min_spatial_segmentation_idc 0
	w.u8(0xfc)          // parallelismType unknown
	w.u8(0xfc | chroma)
	w.u8(0xf8 | lumaDepth)
	w.u8(0xf8 | chromaDepth)
	w.u16(0) // avgFrameRate unknown
	w.u8(subLayers<<3 | nested<<2 | 3)
	w.u8(3)
	for _, p := range []struct {
		typ  uint8
		nalu []byte
	}{{media.H265VPS, v.VPS}, {media.H265SPS, v.SPS}, {media.H265PPS, v.PPS}} {
		w.u8(0x80 | p.typ) // array_completeness
		w.u16(1)
		w.u16(uint16(len(p.nalu)))
		w.bytes(p.nalu)
	}
	w.end(b)
	return nil
}

// parseH264SPS and parseH265SPS parse a camera's SPS; mediacommon's parsers
// are not trusted not to panic on hostile input.
func parseH264SPS(sps []byte) (s h264.SPS, ok bool) {
	defer func() {
		if recover() != nil {
			ok = false
		}
	}()
	return s, s.Unmarshal(sps) == nil
}

func parseH265SPS(sps []byte) (s h265.SPS, ok bool) {
	defer func() {
		if recover() != nil {
			ok = false
		}
	}()
	return s, s.Unmarshal(sps) == nil
}

// audioConfig is the track's AudioSpecificConfig, or AAC-LC at the track's
// rate and channels when the source gave none.
func audioConfig(a *media.AudioTrack) (mpeg4audio.AudioSpecificConfig, error) {
	var asc mpeg4audio.AudioSpecificConfig
	if len(a.Config) > 0 {
		if err := asc.Unmarshal(a.Config); err != nil {
			return asc, fmt.Errorf("fmp4 init: AudioSpecificConfig %x: %w", a.Config, err)
		}
	} else {
		asc = mpeg4audio.AudioSpecificConfig{Type: mpeg4audio.ObjectTypeAACLC, SampleRate: a.SampleRate, ChannelCount: a.Channels}
	}
	if asc.SampleRate <= 0 || asc.SampleRate > 0xffff || asc.ChannelCount <= 0 {
		return asc, fmt.Errorf("fmp4 init: AAC at %d Hz with %d channels", asc.SampleRate, asc.ChannelCount)
	}
	return asc, nil
}

func writeAudioTrak(w *boxes, id uint32, asc mpeg4audio.AudioSpecificConfig) error {
	config, err := asc.Marshal()
	if err != nil {
		return fmt.Errorf("fmp4 init: AudioSpecificConfig: %w", err)
	}
	trak, mdia, minf := writeTrakHead(w, id, uint32(asc.SampleRate), "soun", 0, 0)
	stbl := w.start("stbl")
	stsd := w.fullStart("stsd", 0, 0)
	w.u32(1)
	mp4a := w.start("mp4a")
	w.zeros(6)
	w.u16(1) // data_reference_index
	w.zeros(8)
	w.u16(uint16(min(asc.ChannelCount, 0xffff)))
	w.u16(16) // samplesize
	w.u32(0)  // pre_defined, reserved
	w.u32(uint32(asc.SampleRate) << 16)

	// esds (ISO 14496-1 7.2.6): ES_Descriptor > DecoderConfigDescriptor >
	// DecoderSpecificInfo (the AudioSpecificConfig), and SLConfigDescriptor.
	esds := w.fullStart("esds", 0, 0)
	descriptor := func(tag uint8, size int) {
		w.u8(tag)
		// The size in the 4-byte expandable form: 7 bits a byte.
		w.bytes([]byte{0x80 | byte(size>>21)&0x7f, 0x80 | byte(size>>14)&0x7f, 0x80 | byte(size>>7)&0x7f, byte(size) & 0x7f})
	}
	dsi := 5 + len(config)
	dcd := 13 + dsi
	descriptor(3, 3+5+dcd+5+1)
	w.u16(uint16(id)) // ES_ID
	w.u8(0)           // flags
	descriptor(4, dcd)
	w.u8(0x40)               // Audio ISO/IEC 14496-3
	w.u8(0x05<<2 | 1)        // AudioStream, upstream 0, reserved 1
	w.bytes([]byte{0, 0, 0}) // bufferSizeDB
	w.u32(0)                 // maxBitrate
	w.u32(0)                 // avgBitrate
	descriptor(5, len(config))
	w.bytes(config)
	descriptor(6, 1)
	w.u8(2) // predefined: MP4
	w.end(esds)
	w.end(mp4a)
	w.end(stsd)
	writeTrakTail(w, stbl, minf, mdia, trak)
	return nil
}
