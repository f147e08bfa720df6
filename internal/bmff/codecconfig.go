package bmff

import (
	"fmt"

	"github.com/bluenviron/mediacommon/v2/pkg/codecs/h264"
	"github.com/bluenviron/mediacommon/v2/pkg/codecs/h265"

	"github.com/lubo-edge/lubo/media"
)

// avcConfig writes the avcC box: the AVCDecoderConfigurationRecord
// (ISO/IEC 14496-15 5.3.3) with one SPS and one PPS.
func (w *Builder) avcConfig(ps ParamSets) error {
	sps, pps := ps.SPS, ps.PPS
	if len(sps) < 4 || len(pps) == 0 || len(sps) > 0xffff || len(pps) > 0xffff {
		return fmt.Errorf("H.264 parameter sets missing or malformed (SPS %d bytes, PPS %d bytes)", len(sps), len(pps))
	}
	at := w.Open("avcC")
	w.U8(1)      // configurationVersion
	w.U8(sps[1]) // profile_idc
	w.U8(sps[2]) // constraint flags
	w.U8(sps[3]) // level_idc
	w.U8(0xfc | 3)
	w.U8(0xe0 | 1) // one SPS
	w.U16(uint16(len(sps)))
	w.Append(sps)
	w.U8(1) // one PPS
	w.U16(uint16(len(pps)))
	w.Append(pps)
	switch sps[1] {
	case 100, 110, 122, 144: // High profiles add chroma format and bit depths
		if s, ok := parseH264SPS(sps); ok {
			w.U8(0xfc | uint8(s.ChromaFormatIdc&3))
			w.U8(0xf8 | uint8(s.BitDepthLumaMinus8&7))
			w.U8(0xf8 | uint8(s.BitDepthChromaMinus8&7))
			w.U8(0) // numOfSequenceParameterSetExt
		}
	}
	w.Close(at)
	return nil
}

// hevcConfig writes the hvcC box: the HEVCDecoderConfigurationRecord
// (ISO/IEC 14496-15 8.3.3) with the VPS, SPS and PPS, each array marked
// complete as hvc1 requires.
func (w *Builder) hevcConfig(ps ParamSets) error {
	vps, sps, pps := ps.VPS, ps.SPS, ps.PPS
	if len(vps) == 0 || len(sps) < 3 || len(pps) == 0 || len(vps) > 0xffff || len(sps) > 0xffff || len(pps) > 0xffff {
		return fmt.Errorf("H.265 parameter sets missing or malformed (VPS %d, SPS %d, PPS %d bytes)", len(vps), len(sps), len(pps))
	}
	// After the 2-byte NAL header: one byte of ids and sub-layer count, then
	// the general profile_tier_level (12 bytes) the hvcC repeats.
	rbsp := h264.EmulationPreventionRemove(sps[2:])
	if len(rbsp) < 13 {
		return fmt.Errorf("H.265 SPS of %d bytes is too short", len(sps))
	}
	chroma, lumaDepth, chromaDepth := uint8(1), uint8(0), uint8(0)
	if s, ok := parseH265SPS(sps); ok {
		chroma, lumaDepth, chromaDepth = uint8(s.ChromaFormatIdc&3), uint8(s.BitDepthLumaMinus8&7), uint8(s.BitDepthChromaMinus8&7)
	}
	subLayers := (rbsp[0]>>1)&7 + 1
	nested := rbsp[0] & 1
	at := w.Open("hvcC")
	w.U8(1)              // configurationVersion
	w.Append(rbsp[1:13]) // profile space, tier, profile, compatibility, constraints, level
	w.U16(0xf000)        // min_spatial_segmentation_idc 0
	w.U8(0xfc)           // parallelismType unknown
	w.U8(0xfc | chroma)
	w.U8(0xf8 | lumaDepth)
	w.U8(0xf8 | chromaDepth)
	w.U16(0) // avgFrameRate unknown
	w.U8(subLayers<<3 | nested<<2 | 3)
	w.U8(3) // numOfArrays
	for _, a := range [...]struct {
		typ  uint8
		nalu []byte
	}{{media.H265VPS, vps}, {media.H265SPS, sps}, {media.H265PPS, pps}} {
		w.U8(0x80 | a.typ) // array_completeness
		w.U16(1)
		w.U16(uint16(len(a.nalu)))
		w.Append(a.nalu)
	}
	w.Close(at)
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
