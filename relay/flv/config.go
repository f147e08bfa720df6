package flv

import (
	"encoding/binary"
	"errors"
	"fmt"

	"github.com/bluenviron/mediacommon/v2/pkg/codecs/h264"
	"github.com/bluenviron/mediacommon/v2/pkg/codecs/h265"

	"github.com/lubo-edge/lubo/media"
)

// ParseVideoConfig decodes the payload of a video sequence header: an
// AVCDecoderConfigurationRecord for H.264 or an HEVCDecoderConfigurationRecord
// for H.265 (map an FLV codec id with VideoCodec). The returned track owns
// copies of the parameter sets; Width and Height come from the SPS.
func ParseVideoConfig(codec media.Codec, record []byte) (*media.VideoTrack, error) {
	v, _, err := parseVideoConfig(codec, record)
	return v, err
}

// parseVideoConfig also returns the NAL unit length size of the record.
func parseVideoConfig(codec media.Codec, record []byte) (*media.VideoTrack, int, error) {
	var (
		v          *media.VideoTrack
		lengthSize int
		err        error
	)
	switch {
	case codec != media.H264 && codec != media.H265:
		return nil, 0, fmt.Errorf("video config: unsupported codec %v", codec)
	case isAnnexB(record):
		// Some encoders put Annex-B parameter sets where a record belongs.
		v, err = parseAnnexBConfig(codec, record)
		lengthSize = 4
	case codec == media.H264:
		v, lengthSize, err = parseAVCRecord(record)
	default:
		v, lengthSize, err = parseHEVCRecord(record)
	}
	if err != nil {
		return nil, 0, fmt.Errorf("%v config: %w", codec, err)
	}
	v.Width, v.Height = media.PictureSize(codec, v.SPS)
	return v, lengthSize, nil
}

var errShortRecord = errors.New("record truncated")

func parseAVCRecord(rec []byte) (*media.VideoTrack, int, error) {
	if len(rec) < 6 {
		return nil, 0, errShortRecord
	}
	lengthSize := int(rec[4]&3) + 1
	v := &media.VideoTrack{Codec: media.H264}
	p := 5
	for _, set := range []*[]byte{&v.SPS, &v.PPS} {
		if p >= len(rec) {
			return nil, 0, errShortRecord
		}
		n := int(rec[p])
		if set == &v.SPS {
			n &= 0x1f
		}
		p++
		for range n {
			nalu, next, err := readLengthPrefixed(rec, p)
			if err != nil {
				return nil, 0, err
			}
			p = next
			if *set == nil && len(nalu) > 0 {
				*set = append([]byte(nil), nalu...)
			}
		}
	}
	if len(v.SPS) < 4 || len(v.PPS) == 0 {
		return nil, 0, errors.New("record lacks SPS or PPS")
	}
	return v, lengthSize, nil
}

func parseHEVCRecord(rec []byte) (*media.VideoTrack, int, error) {
	if len(rec) < 23 {
		return nil, 0, errShortRecord
	}
	lengthSize := int(rec[21]&3) + 1
	v := &media.VideoTrack{Codec: media.H265}
	arrays := int(rec[22])
	p := 23
	for range arrays {
		if p+3 > len(rec) {
			return nil, 0, errShortRecord
		}
		typ := rec[p] & 0x3f
		n := int(binary.BigEndian.Uint16(rec[p+1:]))
		p += 3
		for range n {
			nalu, next, err := readLengthPrefixed(rec, p)
			if err != nil {
				return nil, 0, err
			}
			p = next
			if len(nalu) > 0 {
				keepFirst(v, typ, nalu)
			}
		}
	}
	if len(v.VPS) == 0 || len(v.SPS) == 0 || len(v.PPS) == 0 {
		return nil, 0, errors.New("record lacks VPS, SPS or PPS")
	}
	return v, lengthSize, nil
}

// keepFirst stores a copy of an H.265 parameter set unless one is stored.
func keepFirst(v *media.VideoTrack, typ byte, nalu []byte) {
	var set *[]byte
	switch typ {
	case media.H265VPS:
		set = &v.VPS
	case media.H265SPS:
		set = &v.SPS
	case media.H265PPS:
		set = &v.PPS
	default:
		return
	}
	if *set == nil {
		*set = append([]byte(nil), nalu...)
	}
}

func readLengthPrefixed(b []byte, p int) (nalu []byte, next int, err error) {
	if p+2 > len(b) {
		return nil, 0, errShortRecord
	}
	n := int(binary.BigEndian.Uint16(b[p:]))
	p += 2
	if p+n > len(b) {
		return nil, 0, errShortRecord
	}
	return b[p : p+n], p + n, nil
}

func isAnnexB(b []byte) bool {
	return len(b) >= 4 && b[0] == 0 && b[1] == 0 && (b[2] == 1 || b[2] == 0 && b[3] == 1)
}

func parseAnnexBConfig(codec media.Codec, b []byte) (*media.VideoTrack, error) {
	v := &media.VideoTrack{Codec: codec}
	media.FillParamSets(v, b)
	if len(v.SPS) == 0 || len(v.PPS) == 0 || codec == media.H265 && len(v.VPS) == 0 {
		return nil, errors.New("annex-b config lacks parameter sets")
	}
	return v, nil
}

// VideoConfigRecord builds the sequence header payload for v: an
// AVCDecoderConfigurationRecord (H.264) or an HEVCDecoderConfigurationRecord
// (H.265) with 4-byte NAL unit lengths.
func VideoConfigRecord(v *media.VideoTrack) ([]byte, error) {
	if v == nil {
		return nil, errors.New("video config: no video track")
	}
	switch v.Codec {
	case media.H264:
		return avcRecord(v.SPS, v.PPS)
	case media.H265:
		return hevcRecord(v.VPS, v.SPS, v.PPS)
	}
	return nil, fmt.Errorf("video config: unsupported codec %v", v.Codec)
}

func avcRecord(sps, pps []byte) ([]byte, error) {
	if len(sps) < 4 || len(pps) == 0 || len(sps) > 0xffff || len(pps) > 0xffff {
		return nil, errors.New("H264 config: SPS or PPS missing or malformed")
	}
	b := make([]byte, 0, 11+len(sps)+len(pps))
	b = append(b,
		1,      // configurationVersion
		sps[1], // AVCProfileIndication
		sps[2], // profile_compatibility
		sps[3], // AVCLevelIndication
		0xff,   // reserved + lengthSizeMinusOne = 3
		0xe1,   // reserved + numOfSequenceParameterSets = 1
	)
	b = binary.BigEndian.AppendUint16(b, uint16(len(sps)))
	b = append(b, sps...)
	b = append(b, 1)
	b = binary.BigEndian.AppendUint16(b, uint16(len(pps)))
	return append(b, pps...), nil
}

func hevcRecord(vps, sps, pps []byte) ([]byte, error) {
	if len(vps) == 0 || len(pps) == 0 || len(vps) > 0xffff || len(sps) > 0xffff || len(pps) > 0xffff {
		return nil, errors.New("H265 config: VPS, SPS or PPS missing or malformed")
	}
	// The general profile_tier_level is byte aligned right after the first
	// byte of the SPS payload: 12 bytes from profile_space to level_idc.
	rbsp := h264.EmulationPreventionRemove(sps)
	if len(rbsp) < 15 {
		return nil, errors.New("H265 config: SPS too short")
	}
	maxSubLayersMinus1 := (rbsp[2] >> 1) & 7
	temporalIDNested := rbsp[2] & 1
	chroma, depthLuma, depthChroma := byte(1), byte(0), byte(0)
	var s h265.SPS
	if s.Unmarshal(sps) == nil {
		chroma = byte(s.ChromaFormatIdc & 3)
		depthLuma = byte(s.BitDepthLumaMinus8 & 7)
		depthChroma = byte(s.BitDepthChromaMinus8 & 7)
	}
	b := make([]byte, 0, 23+3*5+len(vps)+len(sps)+len(pps))
	b = append(b, 1) // configurationVersion
	b = append(b, rbsp[3:15]...)
	b = append(b,
		0xf0, 0x00, // reserved + min_spatial_segmentation_idc = 0
		0xfc,             // reserved + parallelismType = 0 (unknown)
		0xfc|chroma,      // reserved + chromaFormat
		0xf8|depthLuma,   // reserved + bitDepthLumaMinus8
		0xf8|depthChroma, // reserved + bitDepthChromaMinus8
		0, 0,             // avgFrameRate unknown
		// constantFrameRate 0, numTemporalLayers, temporalIdNested, lengthSizeMinusOne 3
		(maxSubLayersMinus1+1)<<3|temporalIDNested<<2|3,
		3, // numOfArrays
	)
	for _, set := range []struct {
		typ  byte
		nalu []byte
	}{{media.H265VPS, vps}, {media.H265SPS, sps}, {media.H265PPS, pps}} {
		b = append(b, 0x80|set.typ, 0, 1) // array_completeness + type, numNalus = 1
		b = binary.BigEndian.AppendUint16(b, uint16(len(set.nalu)))
		b = append(b, set.nalu...)
	}
	return b, nil
}
