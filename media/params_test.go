package media

import "testing"

func TestPictureSize(t *testing.T) {
	// A 320x240 H.264 SPS (made by x264) and garbage.
	sps := []byte{0x67, 0x4d, 0x40, 0x0d, 0xec, 0xa0, 0xa0, 0xfd, 0x80, 0xb5, 0x01, 0x01, 0x01, 0x40, 0x00, 0x00, 0x03, 0x00, 0x40, 0x00, 0x00, 0x0c, 0xa3, 0xc5, 0x0a, 0x65, 0x80}
	cases := []struct {
		name  string
		codec Codec
		sps   []byte
		w, h  int
	}{
		{"h264", H264, sps, 320, 240},
		{"garbage", H264, []byte{0x67, 0xff}, 0, 0},
		{"empty", H265, nil, 0, 0},
		{"audio codec", AAC, sps, 0, 0},
	}
	for _, c := range cases {
		if w, h := PictureSize(c.codec, c.sps); w != c.w || h != c.h {
			t.Errorf("%s: %dx%d, want %dx%d", c.name, w, h, c.w, c.h)
		}
	}
}

func TestSameTracks(t *testing.T) {
	a := &VideoTrack{Codec: H264, SPS: []byte{1}, PPS: []byte{2}}
	b := &VideoTrack{Codec: H264, SPS: []byte{1}, PPS: []byte{2}}
	c := &VideoTrack{Codec: H264, SPS: []byte{1}, PPS: []byte{3}}
	if !SameVideo(a, b) || SameVideo(a, c) || SameVideo(a, nil) || !SameVideo(nil, nil) {
		t.Error("SameVideo")
	}
	x := &AudioTrack{Codec: AAC, SampleRate: 48000, Channels: 2, Config: []byte{0x11, 0x90}}
	y := &AudioTrack{Codec: AAC, SampleRate: 48000, Channels: 1, Config: []byte{0x11, 0x90}}
	if !SameAudio(x, x) || SameAudio(x, y) || SameAudio(nil, x) {
		t.Error("SameAudio")
	}
}

func FuzzPictureSize(f *testing.F) {
	f.Add([]byte{0x67, 0x4d, 0x40, 0x0d, 0xec})
	f.Fuzz(func(t *testing.T, sps []byte) {
		PictureSize(H264, sps)
		PictureSize(H265, sps)
	})
}

func TestFillParamSets(t *testing.T) {
	h264 := AppendAnnexB(nil, []byte{0x09, 0xf0}, []byte{0x67, 1}, []byte{0x68, 2}, []byte{0x67, 9}, []byte{0x65, 3})
	v := &VideoTrack{Codec: H264}
	FillParamSets(v, h264)
	if string(v.SPS) != "\x67\x01" || string(v.PPS) != "\x68\x02" || v.VPS != nil {
		t.Fatalf("h264: sps %x pps %x vps %x", v.SPS, v.PPS, v.VPS)
	}
	h264[5] = 0x55 // the copies must not alias the buffer
	if v.SPS[1] != 1 {
		t.Fatal("SPS aliases the frame")
	}
	kept := &VideoTrack{Codec: H264, SPS: []byte{0x67, 7}}
	FillParamSets(kept, h264)
	if kept.SPS[1] != 7 || kept.PPS == nil {
		t.Fatalf("existing SPS replaced or PPS not filled: %x %x", kept.SPS, kept.PPS)
	}
	h265 := AppendAnnexB(nil, []byte{0x40, 1, 1}, []byte{0x42, 1, 2}, []byte{0x44, 1, 3}, []byte{0x26, 1, 4})
	w := &VideoTrack{Codec: H265}
	FillParamSets(w, h265)
	if len(w.VPS) != 3 || len(w.SPS) != 3 || len(w.PPS) != 3 {
		t.Fatalf("h265: vps %x sps %x pps %x", w.VPS, w.SPS, w.PPS)
	}
}
