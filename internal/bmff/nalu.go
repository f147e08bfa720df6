package bmff

import (
	"bytes"

	"github.com/lubo-edge/lubo/media"
)

// Part is one piece of a sample in the mdat: a NAL unit, written after a
// 4-byte big-endian length, or a whole audio frame. Data points into the
// frame it came from, which is shared and never written to.
type Part struct {
	Data           []byte
	LengthPrefixed bool
}

// Size is the bytes p takes in the mdat.
func (p Part) Size() int {
	if p.LengthPrefixed {
		return 4 + len(p.Data)
	}
	return len(p.Data)
}

// AnnexBFilter rewrites Annex-B access units into the length-prefixed NAL
// units of an MP4 sample (ISO/IEC 14496-15), leaving out access unit
// delimiters and the parameter sets the sample entry already holds (hvc1
// wants them only there); a parameter set that differs stays in band,
// where a decoder still finds it.
type AnnexBFilter struct {
	Codec media.Codec // H264 or H265
	ParamSets
}

// AppendParts appends the NAL units of the Annex-B access unit annexB to
// parts, without copying them, and returns the parts and the bytes they
// add to the mdat.
func (f *AnnexBFilter) AppendParts(parts []Part, annexB []byte) ([]Part, int) {
	size := 0
	media.SplitAnnexB(annexB, func(n []byte) bool {
		if f.keep(n) {
			parts = append(parts, Part{Data: n, LengthPrefixed: true})
			size += 4 + len(n)
		}
		return true
	})
	return parts, size
}

// keep says whether NAL unit n goes into the sample.
func (f *AnnexBFilter) keep(n []byte) bool {
	var same []byte
	switch f.Codec {
	case media.H264:
		switch media.H264Type(n) {
		case media.H264AUD:
			return false
		case media.H264SPS:
			same = f.SPS
		case media.H264PPS:
			same = f.PPS
		}
	case media.H265:
		switch media.H265Type(n) {
		case media.H265AUD:
			return false
		case media.H265VPS:
			same = f.VPS
		case media.H265SPS:
			same = f.SPS
		case media.H265PPS:
			same = f.PPS
		}
	}
	return same == nil || !bytes.Equal(n, same)
}

// AppendPayload appends parts to dst as they go into the mdat.
func AppendPayload(dst []byte, parts []Part) []byte {
	for _, p := range parts {
		if p.LengthPrefixed {
			n := len(p.Data)
			dst = append(dst, byte(n>>24), byte(n>>16), byte(n>>8), byte(n))
		}
		dst = append(dst, p.Data...)
	}
	return dst
}
