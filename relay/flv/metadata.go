package flv

import (
	"encoding/binary"
	"math"

	"github.com/lubo-edge/lubo/media"
)

// appendMetadata appends the AMF0 body of an onMetaData script tag
// describing t: codecs, and the picture size when known. An enhanced H.265
// stream gives its FourCC as the video codec id, as enhanced RTMP asks.
func appendMetadata(b []byte, t *media.Tracks, hevc HEVCMode) []byte {
	b = appendAMFString(b, "onMetaData")
	var fields []amfField
	if v := t.Video; v != nil {
		w, h := v.Width, v.Height
		if w == 0 || h == 0 {
			w, h = media.PictureSize(v.Codec, v.SPS)
		}
		if w > 0 && h > 0 {
			fields = append(fields, amfNumber("width", float64(w)), amfNumber("height", float64(h)))
		}
		codecID := float64(videoCodecID(v.Codec))
		if v.Codec == media.H265 && hevc == Enhanced {
			codecID = fourCCNumber(fourCCHEVC)
		}
		fields = append(fields, amfNumber("videocodecid", codecID))
	}
	if a := t.Audio; a != nil {
		fields = append(fields,
			amfNumber("audiocodecid", float64(soundFormat(a.Codec))),
			amfNumber("audiosamplerate", float64(a.SampleRate)),
			amfNumber("audiosamplesize", 16),
			amfField{key: "stereo", boolean: true, value: boolFloat(a.Channels > 1)},
		)
	}
	fields = append(fields, amfField{key: "encoder", str: "lubo"})

	b = append(b, 0x08) // ECMA array
	b = binary.BigEndian.AppendUint32(b, uint32(len(fields)))
	for _, f := range fields {
		b = binary.BigEndian.AppendUint16(b, uint16(len(f.key)))
		b = append(b, f.key...)
		switch {
		case f.str != "":
			b = appendAMFString(b, f.str)
		case f.boolean:
			b = append(b, 0x01, byte(f.value))
		default:
			b = append(b, 0x00)
			b = binary.BigEndian.AppendUint64(b, math.Float64bits(f.value))
		}
	}
	return append(b, 0, 0, 0x09) // object end
}

type amfField struct {
	key     string
	value   float64
	boolean bool
	str     string
}

func amfNumber(key string, v float64) amfField { return amfField{key: key, value: v} }

func boolFloat(b bool) float64 {
	if b {
		return 1
	}
	return 0
}

func appendAMFString(b []byte, s string) []byte {
	b = append(b, 0x02)
	b = binary.BigEndian.AppendUint16(b, uint16(len(s)))
	return append(b, s...)
}
