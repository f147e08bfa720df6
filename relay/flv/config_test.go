package flv

import (
	"bytes"
	"encoding/binary"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/lubo-edge/lubo/media"
)

// TestHEVCRecordMatchesFFmpeg compares the HEVCDecoderConfigurationRecord
// built from the parameter sets with the hvcC box ffmpeg writes into MP4 for
// the same stream. ffmpeg 5.1 cannot read FLV codec id 12, so this is how
// ffmpeg judges the H.265 sequence header.
func TestHEVCRecordMatchesFFmpeg(t *testing.T) {
	tracks, _ := readClip(t, clipH265AAC)
	mine, err := VideoConfigRecord(tracks.Video)
	if err != nil {
		t.Fatal(err)
	}
	mp4 := filepath.Join(t.TempDir(), "h265.mp4")
	out, err := exec.Command(tool(t, "ffmpeg"), "-v", "error", "-i", makeClip(t, clipH265AAC),
		"-c", "copy", "-an", "-tag:v", "hvc1", mp4).CombinedOutput()
	if err != nil {
		t.Fatalf("ffmpeg: %v: %s", err, out)
	}
	theirs := findBox(t, mp4, "hvcC")

	// Header fields that come from the SPS; min_spatial_segmentation,
	// parallelismType and the frame rate fields are hints ffmpeg derives
	// from VUI and PPS, which a decoder does not need.
	same := func(name string, from, to int, mask byte) {
		for i := from; i < to; i++ {
			if mine[i]&mask != theirs[i]&mask {
				t.Errorf("%s: byte %d is %#x, ffmpeg writes %#x", name, i, mine[i], theirs[i])
			}
		}
	}
	same("version and profile_tier_level", 0, 13, 0xff)
	same("chroma format and bit depths", 16, 19, 0xff)
	same("temporal layers, nesting, length size", 21, 22, 0x3f)

	mineTrack, err := ParseVideoConfig(media.H265, mine)
	if err != nil {
		t.Fatal(err)
	}
	theirTrack, err := ParseVideoConfig(media.H265, theirs)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(mineTrack.VPS, theirTrack.VPS) || !bytes.Equal(mineTrack.SPS, theirTrack.SPS) ||
		!bytes.Equal(mineTrack.PPS, theirTrack.PPS) {
		t.Error("parameter sets differ from ffmpeg's hvcC")
	}
	if mineTrack.Width != 320 || mineTrack.Height != 240 {
		t.Errorf("size %dx%d, want 320x240", mineTrack.Width, mineTrack.Height)
	}
}

// findBox returns the payload of the first box of a type in an MP4 file.
func findBox(t *testing.T, path, typ string) []byte {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	i := bytes.Index(data, []byte(typ))
	if i < 4 {
		t.Fatalf("%s: no %s box", path, typ)
	}
	size := int(binary.BigEndian.Uint32(data[i-4:]))
	if size < 8 || i-4+size > len(data) {
		t.Fatalf("%s: bad %s box size %d", path, typ, size)
	}
	return data[i+4 : i-4+size]
}

func TestAudioConfig(t *testing.T) {
	cases := []struct {
		name     string
		config   []byte
		rate     int
		channels int
	}{
		{"LC 44.1k stereo", []byte{0x12, 0x10}, 44100, 2},
		{"LC 48k mono", []byte{0x11, 0x88}, 48000, 1},
		{"LC 8k mono", []byte{0x15, 0x88}, 8000, 1},
		{"HE-AAC 24k core with SBR ext", []byte{0x2b, 0x12, 0x88, 0x00}, 24000, 2},
		{"explicit rate", []byte{0x17, 0x80, 0x3e, 0x80, 0x10}, 32000, 2},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			a, err := ParseAudioConfig(c.config)
			if err != nil {
				t.Fatal(err)
			}
			if a.Codec != media.AAC || a.SampleRate != c.rate || a.Channels != c.channels || !bytes.Equal(a.Config, c.config) {
				t.Fatalf("got %+v, want %d Hz %d channels", a, c.rate, c.channels)
			}
			// A config built from rate and channels parses back to them.
			built, err := AudioSpecificConfig(&media.AudioTrack{Codec: media.AAC, SampleRate: c.rate, Channels: c.channels})
			if err != nil {
				t.Fatal(err)
			}
			b, err := ParseAudioConfig(built)
			if err != nil || b.SampleRate != c.rate || b.Channels != c.channels {
				t.Fatalf("built config %x parses to %+v, %v", built, b, err)
			}
		})
	}
	for _, bad := range [][]byte{nil, {0x12}, {0x07, 0x90}, {0x00, 0x10}} {
		if a, err := ParseAudioConfig(bad); err == nil {
			t.Errorf("ParseAudioConfig(%x) = %+v, want error", bad, a)
		}
	}
}

func TestParseVideoConfigRejectsBrokenRecords(t *testing.T) {
	for _, c := range []struct {
		codec  media.Codec
		record []byte
	}{
		{media.H264, nil},
		{media.H264, []byte{1, 0x64, 0, 0x1f, 0xff, 0xe1, 0, 9, 0x67}},    // SPS length beyond record
		{media.H264, []byte{1, 0x64, 0, 0x1f, 0xff, 0xe0, 0}},             // no SPS, no PPS
		{media.H265, make([]byte, 22)},                                    // truncated header
		{media.H265, append(make([]byte, 22), 1, 0xa0, 0, 1, 0, 5, 1, 2)}, // VPS length beyond record
		{media.PCMA, []byte{1, 2, 3}},                                     // not video
		{media.H264, []byte{0, 0, 0, 1, 0x67, 0x64, 0, 0x1f, 0, 0, 0, 1}}, // Annex-B without PPS
	} {
		if v, err := ParseVideoConfig(c.codec, c.record); err == nil {
			t.Errorf("ParseVideoConfig(%v, %x) = %+v, want error", c.codec, c.record, v)
		}
	}
}
