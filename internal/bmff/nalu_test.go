package bmff

import (
	"bytes"
	"testing"

	"github.com/lubo-edge/lubo/media"
)

var (
	sps     = []byte{0x67, 0x64, 0, 0x1f, 0xac}
	pps     = []byte{0x68, 0xeb, 0xe3}
	newSPS  = []byte{0x67, 0x64, 0, 0x28, 0xac}
	aud     = []byte{0x09, 0xf0}
	idr     = []byte{0x65, 0x88, 0x84, 0x00}
	slice   = []byte{0x41, 0x9a, 0x02}
	vps5    = []byte{0x40, 0x01, 0x0c}
	sps5    = []byte{0x42, 0x01, 0x01}
	pps5    = []byte{0x44, 0x01, 0xc1}
	aud5    = []byte{0x46, 0x01, 0x50}
	idr5    = []byte{0x26, 0x01, 0xaf}
	suffix5 = []byte{0x50, 0x01, 0x05} // suffix SEI
)

// The filter cases feed TestAnnexBFilter and FuzzAnnexBFilter's seeds.
var filterCases = []struct {
	name   string
	filter AnnexBFilter
	au     []byte
	want   [][]byte
}{
	{"H.264 keyframe: AUD and known parameter sets dropped", AnnexBFilter{Codec: media.H264, ParamSets: ParamSets{SPS: sps, PPS: pps}},
		media.AppendAnnexB(nil, aud, sps, pps, idr), [][]byte{idr}},
	{"H.264 changed SPS stays in band", AnnexBFilter{Codec: media.H264, ParamSets: ParamSets{SPS: sps, PPS: pps}},
		media.AppendAnnexB(nil, newSPS, pps, idr), [][]byte{newSPS, idr}},
	{"H.264 3-byte start codes", AnnexBFilter{Codec: media.H264, ParamSets: ParamSets{SPS: sps, PPS: pps}},
		append(append([]byte{0, 0, 1}, slice...), append([]byte{0, 0, 1}, slice...)...), [][]byte{slice, slice}},
	{"H.265 keyframe", AnnexBFilter{Codec: media.H265, ParamSets: ParamSets{VPS: vps5, SPS: sps5, PPS: pps5}},
		media.AppendAnnexB(nil, aud5, vps5, sps5, pps5, idr5, suffix5), [][]byte{idr5, suffix5}},
	{"only delimiters and parameter sets", AnnexBFilter{Codec: media.H264, ParamSets: ParamSets{SPS: sps, PPS: pps}},
		media.AppendAnnexB(nil, aud, sps, pps), nil},
	{"no start code", AnnexBFilter{Codec: media.H264}, idr, nil},
}

func TestAnnexBFilter(t *testing.T) {
	for _, c := range filterCases {
		prior := []Part{{Data: []byte("audio")}}
		parts, size := c.filter.AppendParts(prior, c.au)
		if len(parts) != 1+len(c.want) || !bytes.Equal(parts[0].Data, []byte("audio")) {
			t.Errorf("%s: %d parts after the prior one, want %d", c.name, len(parts)-1, len(c.want))
			continue
		}
		var want []byte
		for i, w := range c.want {
			p := parts[1+i]
			if !bytes.Equal(p.Data, w) || !p.LengthPrefixed {
				t.Errorf("%s: part %d % x (prefixed %v), want % x", c.name, i, p.Data, p.LengthPrefixed, w)
			}
			want = append(want, 0, 0, 0, byte(len(w)))
			want = append(want, w...)
		}
		if size != len(want) {
			t.Errorf("%s: size %d, want %d", c.name, size, len(want))
		}
		if got := AppendPayload(nil, parts[1:]); !bytes.Equal(got, want) {
			t.Errorf("%s: payload % x, want % x", c.name, got, want)
		}
	}
}

// The parts point into the access unit: nothing is copied.
func TestAnnexBFilterKeepsNoCopy(t *testing.T) {
	au := media.AppendAnnexB(nil, idr)
	f := AnnexBFilter{Codec: media.H264}
	parts, _ := f.AppendParts(nil, au)
	if len(parts) != 1 || &parts[0].Data[0] != &au[4] {
		t.Fatal("the part is not the access unit's own bytes")
	}
}
