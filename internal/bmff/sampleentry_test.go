package bmff

import (
	"bytes"
	"testing"

	"github.com/lubo-edge/lubo/media"
)

func TestVideoSampleEntry(t *testing.T) {
	for _, c := range []struct {
		name   string
		clip   clip
		fourcc string
		config string
	}{
		{"H.264 Main", loadClip(t, "h264_aac.mp4"), "avc1", "avcC"},
		{"H.264 High", highProfileClip(t), "avc1", "avcC"},
		{"H.265 Main", loadClip(t, "h265_aac.mp4"), "hvc1", "hvcC"},
	} {
		v := c.clip.tracks.Video
		if c.name == "H.264 High" && v.SPS[1] != 100 {
			t.Fatalf("the High profile clip has profile_idc %d", v.SPS[1])
		}
		var w Builder
		if err := w.VideoSampleEntry(v.Codec, 320, 240, c.clip.paramSets()); err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		boxes := walk(t, w.Bytes())
		if len(boxes) != 1 || boxes[0].path != c.fourcc {
			t.Fatalf("%s: boxes %v", c.name, boxes)
		}
		entry := boxes[0].body
		if wd, ht := u32(entry, 24)>>16, u32(entry, 24)&0xffff; wd != 320 || ht != 240 {
			t.Errorf("%s: size %dx%d", c.name, wd, ht)
		}
		inner := walk(t, entry[78:])
		if len(inner) != 1 || inner[0].path != c.config {
			t.Fatalf("%s: configuration boxes %v", c.name, inner)
		}
		rec := inner[0].body
		for _, s := range [][]byte{v.VPS, v.SPS, v.PPS} {
			if len(s) > 0 && !bytes.Contains(rec, s) {
				t.Errorf("%s: %s lacks parameter set % x", c.name, c.config, s[:2])
			}
		}
		switch {
		case v.Codec == media.H265:
			// general_profile_idc 1 (Main); 3 arrays, each complete.
			if rec[1]&0x1f != 1 || rec[22] != 3 || rec[23] != 0x80|media.H265VPS {
				t.Errorf("%s: hvcC head % x", c.name, rec[:24])
			}
		case v.SPS[1] == 100:
			// High profile: chroma_format 4:2:0 and 8-bit depths after the PPS.
			if want := []byte{0xfd, 0xf8, 0xf8, 0}; !bytes.HasSuffix(rec, want) {
				t.Errorf("%s: avcC ends % x, want % x", c.name, rec[len(rec)-4:], want)
			}
		default:
			if !bytes.HasSuffix(rec, v.PPS) {
				t.Errorf("%s: avcC does not end with the PPS", c.name)
			}
		}
		if v.Codec == media.H264 && (rec[1] != v.SPS[1] || rec[3] != v.SPS[3] || rec[4] != 0xff) {
			t.Errorf("%s: avcC head % x", c.name, rec[:5])
		}
	}
}

// A track the entry cannot describe is refused and leaves no half box.
func TestVideoSampleEntryRefuses(t *testing.T) {
	avc, hevc := loadClip(t, "h264_aac.mp4").paramSets(), loadClip(t, "h265_aac.mp4").paramSets()
	for name, c := range map[string]struct {
		codec media.Codec
		ps    ParamSets
	}{
		"no PPS":       {media.H264, ParamSets{SPS: avc.SPS}},
		"short SPS":    {media.H264, ParamSets{SPS: avc.SPS[:3], PPS: avc.PPS}},
		"no VPS":       {media.H265, ParamSets{SPS: hevc.SPS, PPS: hevc.PPS}},
		"cut H265 SPS": {media.H265, ParamSets{VPS: hevc.VPS, SPS: hevc.SPS[:10], PPS: hevc.PPS}},
		"AAC":          {media.AAC, avc},
	} {
		var w Builder
		w.AppendString("keep")
		if err := w.VideoSampleEntry(c.codec, 320, 240, c.ps); err == nil {
			t.Errorf("%s: no error", name)
		}
		if string(w.Bytes()) != "keep" {
			t.Errorf("%s: left % x", name, w.Bytes())
		}
	}
}

// esds reads back: ES_Descriptor > DecoderConfigDescriptor >
// DecoderSpecificInfo holding the config, whatever the config's length
// (sizes of 128 and more take more than one byte).
func TestAACSampleEntry(t *testing.T) {
	for _, n := range []int{2, 5, 127, 128, 300} {
		asc := bytes.Repeat([]byte{0x12}, n)
		var w Builder
		if err := w.AACSampleEntry(2, 48000, asc); err != nil {
			t.Fatal(err)
		}
		boxes := walk(t, w.Bytes())
		mp4a := boxes[0].body
		if boxes[0].path != "mp4a" || u32(mp4a, 16)>>16 != 2 || u32(mp4a, 24)>>16 != 48000 {
			t.Fatalf("asc %d: mp4a % x", n, mp4a[:28])
		}
		esds := walk(t, mp4a[28:])
		if len(esds) != 1 || esds[0].path != "esds" {
			t.Fatalf("asc %d: %v", n, esds)
		}
		es := readDescriptor(t, esds[0].body[4:], 0x03)
		dcd := readDescriptor(t, es[3:], 0x04)
		if dcd[0] != 0x40 || dcd[1] != 0x15 {
			t.Errorf("asc %d: decoder config % x", n, dcd[:2])
		}
		dsi := readDescriptor(t, dcd[13:], 0x05)
		if !bytes.Equal(dsi, asc) {
			t.Errorf("asc %d: DecoderSpecificInfo of %d bytes", n, len(dsi))
		}
	}
	var w Builder
	for _, bad := range []func() error{
		func() error { return w.AACSampleEntry(2, 48000, nil) },
		func() error { return w.AACSampleEntry(0, 48000, []byte{0x11, 0x90}) },
		func() error { return w.AACSampleEntry(2, 0, []byte{0x11, 0x90}) },
		func() error { return w.AACSampleEntry(2, 48000, make([]byte, maxAudioConfig+1)) },
	} {
		if bad() == nil || w.Len() != 0 {
			t.Errorf("bad AAC track: no error or %d bytes", w.Len())
		}
	}
}

// readDescriptor reads an ISO/IEC 14496-1 descriptor of tag at the start of
// b, with its expandable size, and returns its body, which must fit b.
func readDescriptor(t *testing.T, b []byte, tag byte) []byte {
	t.Helper()
	if len(b) < 2 || b[0] != tag {
		t.Fatalf("want descriptor tag %d, have % x", tag, b)
	}
	size, i := 0, 1
	for ; i < len(b) && i <= 4; i++ {
		size = size<<7 | int(b[i]&0x7f)
		if b[i]&0x80 == 0 {
			break
		}
	}
	body := b[i+1:]
	if size > len(body) {
		t.Fatalf("descriptor %d of %d bytes in %d", tag, size, len(body))
	}
	return body[:size]
}
