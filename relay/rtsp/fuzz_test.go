package rtsp

import (
	"testing"

	"github.com/lubo-edge/lubo/media"
)

// FuzzVideoAssembler feeds arbitrary NAL units, as a camera's depacketized
// access units, through the frame assembly. Whatever comes in, frames that
// come out are well formed: keyframes self-contained, DTS monotonic and not
// after PTS.
func FuzzVideoAssembler(f *testing.F) {
	for _, kind := range []clipKind{clipH264AAC, clipH264BAAC, clipH265PCMA} {
		c := loadClip(f, kind)
		var data []byte
		n := 0
		for _, fr := range c.frames {
			if fr.IsVideo() && n < 6 {
				data = append(data, fr.Data...)
				n++
			}
		}
		f.Add(c.tracks.Video.Codec == media.H265, uint8(3), data)
		f.Add(c.tracks.Video.Codec == media.H265, uint8(1), data)
	}
	f.Add(false, uint8(2), []byte{0, 0, 1, 0x67, 0x42, 0, 0, 1, 0x68, 0xce, 0, 0, 1, 0x65, 0x88})
	f.Add(true, uint8(2), []byte{0, 0, 1, 0x40, 1, 0, 0, 1, 0x42, 1, 0, 0, 1, 0x44, 1, 0, 0, 1, 0x26, 1})

	f.Fuzz(func(t *testing.T, h265 bool, group uint8, data []byte) {
		codec := media.H264
		if h265 {
			codec = media.H265
		}
		var nalus [][]byte
		media.SplitAnnexB(data, func(n []byte) bool {
			nalus = append(nalus, n)
			return true
		})
		size := int(group%4) + 1
		a := newVideoAssembler(codec, nil, nil, nil, nil)
		var last *media.Frame
		for i := 0; i < len(nalus); i += size {
			au := nalus[i:min(i+size, len(nalus))]
			fr, err := a.push(wholeUnits(au), int64(i)*3600)
			if err != nil || fr == nil {
				continue
			}
			if len(fr.Data) == 0 {
				t.Fatal("empty frame")
			}
			if fr.PTS < fr.DTS {
				t.Fatalf("PTS %v < DTS %v", fr.PTS, fr.DTS)
			}
			if last != nil && fr.DTS < last.DTS {
				t.Fatalf("DTS went back: %v after %v", fr.DTS, last.DTS)
			}
			if fr.Key && !hasParams(fr) {
				t.Fatalf("keyframe without parameter sets")
			}
			if last == nil && !fr.Key {
				t.Fatalf("first frame is not a keyframe")
			}
			last = fr
		}
	})
}
