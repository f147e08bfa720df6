package media

import (
	"bytes"

	"github.com/bluenviron/mediacommon/v2/pkg/codecs/h264"
	"github.com/bluenviron/mediacommon/v2/pkg/codecs/h265"
)

// PictureSize reads the picture size from an H.264 or H.265 SPS; 0x0 when
// it does not parse. The SPS may come from the network: a malformed one only
// costs the size, never a panic.
func PictureSize(codec Codec, sps []byte) (w, h int) {
	defer func() {
		if recover() != nil {
			w, h = 0, 0
		}
	}()
	switch codec {
	case H264:
		var s h264.SPS
		if s.Unmarshal(sps) == nil {
			return s.Width(), s.Height()
		}
	case H265:
		var s h265.SPS
		if s.Unmarshal(sps) == nil {
			return s.Width(), s.Height()
		}
	}
	return 0, 0
}

// SameVideo reports whether a decoder set up with a's parameters can go on
// decoding b's pictures.
func SameVideo(a, b *VideoTrack) bool {
	if a == nil || b == nil {
		return a == b
	}
	return a.Codec == b.Codec && bytes.Equal(a.VPS, b.VPS) && bytes.Equal(a.SPS, b.SPS) && bytes.Equal(a.PPS, b.PPS)
}

// SameAudio reports whether a decoder set up with a's parameters can go on
// decoding b's samples.
func SameAudio(a, b *AudioTrack) bool {
	if a == nil || b == nil {
		return a == b
	}
	return a.Codec == b.Codec && a.SampleRate == b.SampleRate && a.Channels == b.Channels && bytes.Equal(a.Config, b.Config)
}

// FillParamSets sets the parameter sets v lacks (VPS for H.265, SPS, PPS)
// from the first ones found in an Annex-B buffer, as copies: for sources
// that carry them only in-band.
func FillParamSets(v *VideoTrack, annexB []byte) {
	SplitAnnexB(annexB, func(nalu []byte) bool {
		var dst *[]byte
		switch {
		case v.Codec == H264 && H264Type(nalu) == H264SPS, v.Codec == H265 && H265Type(nalu) == H265SPS:
			dst = &v.SPS
		case v.Codec == H264 && H264Type(nalu) == H264PPS, v.Codec == H265 && H265Type(nalu) == H265PPS:
			dst = &v.PPS
		case v.Codec == H265 && H265Type(nalu) == H265VPS:
			dst = &v.VPS
		}
		if dst != nil && *dst == nil {
			*dst = bytes.Clone(nalu)
		}
		return true
	})
}
