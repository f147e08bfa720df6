package rtmp

import (
	"bytes"

	"github.com/lubo-edge/lubo/media"
)

// accessUnit is one picture as gomedia hands it out, taken apart: the
// parameter sets, and everything else in stream order.
type accessUnit struct {
	aud           []byte   // access unit delimiter, kept first
	vps, sps, pps [][]byte // parameter sets carried in band
	nalus         [][]byte // slices, SEI and the rest
	key           bool     // holds an IDR (H.264) or IRAP (H.265) slice
	vcl           bool     // holds any slice at all
}

func splitAccessUnit(codec media.Codec, annexB []byte) accessUnit {
	var au accessUnit
	media.SplitAnnexB(annexB, func(n []byte) bool {
		if codec == media.H264 {
			switch t := media.H264Type(n); {
			case t == media.H264AUD:
				au.aud = n
			case t == media.H264SPS:
				au.sps = append(au.sps, n)
			case t == media.H264PPS:
				au.pps = append(au.pps, n)
			default:
				au.nalus = append(au.nalus, n)
				au.vcl = au.vcl || t >= 1 && t <= 5
				au.key = au.key || t == media.H264IDR
			}
		} else {
			switch t := media.H265Type(n); {
			case len(n) < 2:
				// an H.265 NAL header is two bytes; anything shorter is noise
			case t == media.H265AUD:
				au.aud = n
			case t == media.H265VPS:
				au.vps = append(au.vps, n)
			case t == media.H265SPS:
				au.sps = append(au.sps, n)
			case t == media.H265PPS:
				au.pps = append(au.pps, n)
			default:
				au.nalus = append(au.nalus, n)
				au.vcl = au.vcl || t < 32
				au.key = au.key || media.IsKeyNALU(media.H265, n)
			}
		}
		return true
	})
	return au
}

// differs reports whether the parameter sets this unit carries are not the
// ones v describes.
func (au *accessUnit) differs(v *media.VideoTrack) bool {
	return len(au.vps) > 0 && !bytes.Equal(au.vps[0], v.VPS) ||
		len(au.sps) > 0 && !bytes.Equal(au.sps[0], v.SPS) ||
		len(au.pps) > 0 && !bytes.Equal(au.pps[0], v.PPS)
}

// build writes the unit as a self-contained Annex-B frame into a fresh
// buffer: a keyframe gets its parameter sets (its own, else v's) in front;
// other frames lose in-band parameter sets, which v already holds.
func (au *accessUnit) build(v *media.VideoTrack, key bool) []byte {
	var lead [][]byte
	if au.aud != nil {
		lead = append(lead, au.aud)
	}
	if key {
		if len(au.sps) > 0 && len(au.pps) > 0 && (v.Codec != media.H265 || len(au.vps) > 0) {
			lead = append(lead, au.vps...)
			lead = append(lead, au.sps...)
			lead = append(lead, au.pps...)
		} else {
			if v.Codec == media.H265 {
				lead = append(lead, v.VPS)
			}
			lead = append(lead, v.SPS, v.PPS)
		}
	}
	out := make([]byte, 0, media.AnnexBSize(lead)+media.AnnexBSize(au.nalus))
	out = media.AppendAnnexB(out, lead...)
	return media.AppendAnnexB(out, au.nalus...)
}

// learn updates v with the parameter sets au carries. It reports whether
// anything changed.
func (au *accessUnit) learn(v *media.VideoTrack) bool {
	changed := false
	set := func(dst *[]byte, src [][]byte) {
		if len(src) > 0 && !bytes.Equal(*dst, src[0]) {
			*dst = bytes.Clone(src[0])
			changed = true
		}
	}
	set(&v.VPS, au.vps)
	set(&v.SPS, au.sps)
	set(&v.PPS, au.pps)
	if changed && v.SPS != nil {
		v.Width, v.Height = media.PictureSize(v.Codec, v.SPS)
	}
	return changed
}

// complete reports whether v holds every parameter set its codec needs.
func complete(v *media.VideoTrack) bool {
	return v != nil && v.SPS != nil && v.PPS != nil && (v.Codec != media.H265 || v.VPS != nil)
}

// sameTracks reports whether a decoder set up for a can take frames of b
// without new sequence headers.
func sameTracks(a, b *media.Tracks) bool {
	if a == b {
		return true
	}
	if a == nil || b == nil {
		return false
	}
	return media.SameVideo(a.Video, b.Video) && media.SameAudio(a.Audio, b.Audio)
}
