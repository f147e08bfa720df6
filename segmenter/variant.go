package segmenter

import (
	"fmt"

	"github.com/lubo-edge/lubo/media"
)

// Variant is an HLS segment format; its values are those of the hls.variant
// setting.
type Variant string

const (
	// VariantAuto picks fMP4 for sessions whose video is H.265 (Safari and
	// hls.js play HEVC only from fMP4) and MPEG-TS for the rest.
	VariantAuto Variant = ""
	// VariantTS is MPEG-TS segments (seg{N}.ts), playlist version 3.
	VariantTS Variant = "ts"
	// VariantFMP4 is fragmented MP4: an init section (init{N}.mp4, named
	// after the first segment that uses it) and media segments
	// (seg{N}.m4s), playlist version 7 with EXT-X-MAP.
	VariantFMP4 Variant = "fmp4"
)

// ParseVariant checks a setting's value.
func ParseVariant(s string) (Variant, error) {
	switch v := Variant(s); v {
	case VariantAuto, VariantTS, VariantFMP4:
		return v, nil
	}
	return "", fmt.Errorf("hls variant %q: want \"ts\", \"fmp4\" or \"\" (auto)", s)
}

// resolve is the variant a session with tracks t is written in: VariantTS
// or VariantFMP4, never VariantAuto. An unknown value counts as auto.
func (v Variant) resolve(t *media.Tracks) Variant {
	switch v {
	case VariantTS, VariantFMP4:
		return v
	}
	if t != nil && t.Video != nil && t.Video.Codec == media.H265 {
		return VariantFMP4
	}
	return VariantTS
}
