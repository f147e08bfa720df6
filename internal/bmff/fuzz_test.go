package bmff

import (
	"bytes"
	"testing"
	"unsafe"

	"github.com/lubo-edge/lubo/media"
)

// FuzzVideoSampleEntry: parameter sets from a camera make a whole sample
// entry box or an error that leaves the builder as it was, never a panic.
func FuzzVideoSampleEntry(f *testing.F) {
	for _, name := range []string{"tiny_h264_aac.mp4", "tiny_h265_aac.mp4"} {
		ps := loadClip(f, name).paramSets()
		f.Add(ps.VPS, ps.SPS, ps.PPS, len(ps.VPS) > 0)
		f.Add(ps.VPS, ps.SPS[:len(ps.SPS)/2], ps.PPS, len(ps.VPS) > 0)
	}
	f.Add([]byte{}, []byte{0x67, 100, 0, 0x1e, 0xac}, []byte{0x68}, false)
	f.Add([]byte{0x40}, []byte{0x42, 0x01, 0x01}, []byte{0x44}, true)
	f.Add([]byte{0x40}, append([]byte{0x42, 0x01}, bytes.Repeat([]byte{0, 0, 3}, 10)...), []byte{0x44}, true)
	f.Fuzz(func(t *testing.T, vps, sps, pps []byte, h265 bool) {
		codec := media.H264
		if h265 {
			codec = media.H265
		}
		var w Builder
		w.AppendString("head")
		if err := w.VideoSampleEntry(codec, 1920, 1080, ParamSets{VPS: vps, SPS: sps, PPS: pps}); err != nil {
			if string(w.Bytes()) != "head" {
				t.Fatalf("error %v left % x", err, w.Bytes())
			}
			return
		}
		boxes := walk(t, w.Bytes()[4:])
		if len(boxes) != 1 {
			t.Fatalf("%d boxes", len(boxes))
		}
		inner := walk(t, boxes[0].body[78:])
		if len(inner) != 1 || !bytes.Contains(inner[0].body, pps) {
			t.Fatalf("configuration %v", inner)
		}
	})
}

// FuzzAnnexBFilter: any access unit becomes parts that lie inside it, are
// never empty, and add up to the size reported.
func FuzzAnnexBFilter(f *testing.F) {
	for _, c := range filterCases {
		f.Add(c.au, c.filter.Codec == media.H265)
	}
	f.Add([]byte{0, 0, 1, 0, 0, 1, 0, 0, 0, 1}, false)
	f.Add([]byte{0, 0, 0, 1, 0x09, 0, 0, 0, 0}, true)
	f.Fuzz(func(t *testing.T, au []byte, h265 bool) {
		filter := AnnexBFilter{Codec: media.H264, ParamSets: ParamSets{SPS: sps, PPS: pps}}
		if h265 {
			filter = AnnexBFilter{Codec: media.H265, ParamSets: ParamSets{VPS: vps5, SPS: sps5, PPS: pps5}}
		}
		parts, size := filter.AppendParts(nil, au)
		sum := 0
		for _, p := range parts {
			if len(p.Data) == 0 || !p.LengthPrefixed {
				t.Fatalf("part % x (prefixed %v)", p.Data, p.LengthPrefixed)
			}
			start := uintptr(unsafe.Pointer(unsafe.SliceData(p.Data)))
			base := uintptr(unsafe.Pointer(unsafe.SliceData(au)))
			if start < base || start+uintptr(len(p.Data)) > base+uintptr(len(au)) {
				t.Fatal("a part lies outside the access unit")
			}
			sum += p.Size()
		}
		if sum != size || len(AppendPayload(nil, parts)) != size || size > 4*len(au) {
			t.Fatalf("parts of %d bytes, size %d, payload %d, from %d", sum, size, len(AppendPayload(nil, parts)), len(au))
		}
	})
}
