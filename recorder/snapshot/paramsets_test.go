package snapshot

import (
	"bytes"
	"strings"
	"testing"

	"github.com/lubo-edge/lubo/media"
)

var (
	sps264 = []byte{0x67, 0x4d, 0x00, 0x1e}
	pps264 = []byte{0x68, 0xee, 0x3c, 0x80}
	idr264 = []byte{0x65, 0x88, 0x84}
	vps265 = []byte{0x40, 0x01, 0x0c}
	sps265 = []byte{0x42, 0x01, 0x01}
	pps265 = []byte{0x44, 0x01, 0xc1}
	idr265 = []byte{0x26, 0x01, 0xaf}
)

var tracks264 = &media.Tracks{Video: &media.VideoTrack{Codec: media.H264, SPS: sps264, PPS: pps264}}
var tracks265 = &media.Tracks{Video: &media.VideoTrack{Codec: media.H265, VPS: vps265, SPS: sps265, PPS: pps265}}

// decodableCases feed both the table test and the fuzz seeds.
var decodableCases = []struct {
	name    string
	frame   *media.Frame
	want    []byte // nil: want an error
	wantErr string
}{
	{
		name:  "h264 self-contained is passed as is",
		frame: &media.Frame{Codec: media.H264, Key: true, Data: media.AppendAnnexB(nil, sps264, pps264, idr264), Tracks: tracks264},
		want:  media.AppendAnnexB(nil, sps264, pps264, idr264),
	},
	{
		name:  "h264 bare IDR gets both sets",
		frame: &media.Frame{Codec: media.H264, Key: true, Data: media.AppendAnnexB(nil, idr264), Tracks: tracks264},
		want:  media.AppendAnnexB(nil, sps264, pps264, idr264),
	},
	{
		name:  "h264 missing PPS gets only the PPS",
		frame: &media.Frame{Codec: media.H264, Key: true, Data: media.AppendAnnexB(nil, sps264, idr264), Tracks: tracks264},
		want:  media.AppendAnnexB(nil, pps264, sps264, idr264),
	},
	{
		name:  "h265 bare IRAP gets VPS SPS PPS",
		frame: &media.Frame{Codec: media.H265, Key: true, Data: media.AppendAnnexB(nil, idr265), Tracks: tracks265},
		want:  media.AppendAnnexB(nil, vps265, sps265, pps265, idr265),
	},
	{
		name:    "h265 without VPS anywhere",
		frame:   &media.Frame{Codec: media.H265, Key: true, Data: media.AppendAnnexB(nil, sps265, pps265, idr265), Tracks: &media.Tracks{Video: &media.VideoTrack{Codec: media.H265}}},
		wantErr: "lacks its VPS",
	},
	{
		name:    "track of another codec is not used",
		frame:   &media.Frame{Codec: media.H265, Key: true, Data: media.AppendAnnexB(nil, idr265), Tracks: tracks264},
		wantErr: "lacks its VPS",
	},
	{
		name:    "no tracks",
		frame:   &media.Frame{Codec: media.H264, Key: true, Data: media.AppendAnnexB(nil, idr264)},
		wantErr: "lacks its SPS",
	},
	{
		name:    "not a keyframe",
		frame:   &media.Frame{Codec: media.H264, Data: media.AppendAnnexB(nil, idr264), Tracks: tracks264},
		wantErr: "not a keyframe",
	},
}

func TestDecodable(t *testing.T) {
	for _, c := range decodableCases {
		t.Run(c.name, func(t *testing.T) {
			before := bytes.Clone(c.frame.Data)
			got, err := decodable(c.frame)
			if c.want == nil {
				if err == nil || !strings.Contains(err.Error(), c.wantErr) {
					t.Fatalf("err %v, want %q", err, c.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got, c.want) {
				t.Fatalf("got % x\nwant % x", got, c.want)
			}
			if !bytes.Equal(c.frame.Data, before) {
				t.Fatal("frame data modified")
			}
		})
	}
}

// FuzzDecodable feeds camera bytes as a keyframe: no panic, the frame is
// never written to, and what comes back has every parameter set.
func FuzzDecodable(f *testing.F) {
	for _, c := range decodableCases {
		f.Add(c.frame.Codec == media.H265, c.frame.Data)
	}
	f.Fuzz(func(t *testing.T, h265 bool, data []byte) {
		fr := &media.Frame{Codec: media.H264, Key: true, Data: data, Tracks: tracks264}
		if h265 {
			fr.Codec, fr.Tracks = media.H265, tracks265
		}
		before := bytes.Clone(data)
		out, err := decodable(fr)
		if !bytes.Equal(data, before) {
			t.Fatal("frame data modified")
		}
		if err != nil {
			if len(data) != 0 {
				t.Fatalf("non-empty keyframe with tracks rejected: %v", err)
			}
			return
		}
		have := parameterSetsIn(fr.Codec, out)
		ok := have[media.H264SPS] && have[media.H264PPS]
		if h265 {
			ok = have[media.H265VPS] && have[media.H265SPS] && have[media.H265PPS]
		}
		if !ok {
			t.Fatalf("output % x lacks parameter sets", out)
		}
	})
}
