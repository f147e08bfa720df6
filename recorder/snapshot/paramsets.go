package snapshot

import (
	"errors"
	"fmt"

	"github.com/lubo-edge/lubo/media"
)

// decodable returns a keyframe's Annex-B data in a form a decoder can start
// from: as is when it carries its parameter sets, otherwise with the missing
// ones from its track put in front (a new buffer; f.Data is shared and is
// never written to).
func decodable(f *media.Frame) ([]byte, error) {
	switch {
	case f == nil:
		return nil, errors.New("no frame")
	case !f.IsVideo():
		return nil, fmt.Errorf("%s frame is not a picture", f.Codec)
	case !f.Key:
		return nil, errors.New("frame is not a keyframe")
	case len(f.Data) == 0:
		return nil, errors.New("keyframe is empty")
	}
	have := parameterSetsIn(f.Codec, f.Data)
	need := []byte{media.H264SPS, media.H264PPS}
	if f.Codec == media.H265 {
		need = []byte{media.H265VPS, media.H265SPS, media.H265PPS}
	}
	var missing [][]byte
	for _, typ := range need {
		if have[typ] {
			continue
		}
		set := trackParameterSet(f, typ)
		if len(set) == 0 {
			return nil, fmt.Errorf("%s keyframe lacks its %s and the track has none", f.Codec, parameterSetName(f.Codec, typ))
		}
		missing = append(missing, set)
	}
	if len(missing) == 0 {
		return f.Data, nil
	}
	out := make([]byte, 0, media.AnnexBSize(missing)+len(f.Data))
	out = media.AppendAnnexB(out, missing...)
	return append(out, f.Data...), nil
}

// parameterSetsIn reports which NAL unit types (6 bits at most) occur in an
// Annex-B buffer.
func parameterSetsIn(codec media.Codec, data []byte) (have [64]bool) {
	media.SplitAnnexB(data, func(nalu []byte) bool {
		if codec == media.H265 {
			have[media.H265Type(nalu)] = true
		} else {
			have[media.H264Type(nalu)] = true
		}
		return true
	})
	return have
}

// trackParameterSet is the track's VPS, SPS or PPS for a NAL unit type.
func trackParameterSet(f *media.Frame, typ byte) []byte {
	if f.Tracks == nil || f.Tracks.Video == nil || f.Tracks.Video.Codec != f.Codec {
		return nil
	}
	v := f.Tracks.Video
	switch {
	case f.Codec == media.H265 && typ == media.H265VPS:
		return v.VPS
	case f.Codec == media.H265 && typ == media.H265SPS, f.Codec == media.H264 && typ == media.H264SPS:
		return v.SPS
	default:
		return v.PPS
	}
}

func parameterSetName(codec media.Codec, typ byte) string {
	switch {
	case codec == media.H265 && typ == media.H265VPS:
		return "VPS"
	case codec == media.H265 && typ == media.H265SPS, codec == media.H264 && typ == media.H264SPS:
		return "SPS"
	}
	return "PPS"
}
