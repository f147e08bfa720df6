package flv

import (
	"bytes"
	"context"
	"encoding/binary"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/lubo-edge/lubo/media"
)

// writeEnhanced muxes frames with an Enhanced Writer.
func writeEnhanced(t *testing.T, tracks *media.Tracks, frames []*media.Frame) []byte {
	t.Helper()
	var buf bytes.Buffer
	w := NewWriter(&buf, tracks, WithHEVCMode(Enhanced))
	for _, f := range frames {
		if err := w.WriteFrame(f); err != nil {
			t.Fatal(err)
		}
	}
	return buf.Bytes()
}

// TestWriterEnhancedTagLayout checks the bytes of every enhanced video tag
// against the frames of an H.265 clip with B-frames (so both CodedFrames
// and CodedFramesX occur).
func TestWriterEnhancedTagLayout(t *testing.T) {
	tracks, frames := readClip(t, clipH265AAC)
	_, tags := readAllTags(t, bytes.NewReader(writeEnhanced(t, tracks, frames)))

	if got := metadataNumber(t, tags[0].data, "videocodecid"); got != 0x68766331 {
		t.Errorf("onMetaData videocodecid %v, want the FourCC hvc1 (1752589105)", got)
	}
	var video []tagInfo
	for _, tag := range tags {
		if tag.typ == TagVideo {
			video = append(video, tag)
		}
	}
	wantStart := cat([]byte{0x90}, []byte("hvc1"), mustRecord(t, tracks.Video))
	if len(video) == 0 || !bytes.Equal(video[0].data, wantStart) {
		t.Fatalf("first video tag %x, want SequenceStart %x", video[0].data[:min(16, len(video[0].data))], wantStart[:16])
	}
	coded := video[1:]
	var source []*media.Frame
	for _, f := range frames {
		if f.IsVideo() {
			source = append(source, f)
		}
	}
	if len(coded) != len(source) {
		t.Fatalf("%d coded video tags, want %d", len(coded), len(source))
	}
	withCTS, withoutCTS := 0, 0
	for i, f := range source {
		frameType := byte(2)
		if f.Key {
			frameType = 1
		}
		cts := int32((f.PTS - f.DTS) / time.Millisecond)
		var head []byte
		if cts == 0 {
			head = cat([]byte{0x80 | frameType<<4 | 3}, []byte("hvc1"))
			withoutCTS++
		} else {
			head = cat([]byte{0x80 | frameType<<4 | 1}, []byte("hvc1"), []byte{byte(cts >> 16), byte(cts >> 8), byte(cts)})
			withCTS++
		}
		var body []byte
		media.SplitAnnexB(f.Data, func(n []byte) bool {
			if !isParamOrAUD(media.H265, n) {
				body = append(body, avcc(n)...)
			}
			return true
		})
		if want := cat(head, body); !bytes.Equal(coded[i].data, want) {
			t.Fatalf("video frame %d (key=%v cts=%d): tag starts %x, want %x", i, f.Key, cts, coded[i].data[:min(12, len(coded[i].data))], want[:min(12, len(want))])
		}
	}
	if withCTS == 0 || withoutCTS == 0 {
		t.Fatalf("%d CodedFrames and %d CodedFramesX: the clip should give both", withCTS, withoutCTS)
	}
}

// metadataNumber finds a number property in an onMetaData body written by
// appendMetadata (AMF0 ECMA array of numbers, booleans and strings).
func metadataNumber(t *testing.T, body []byte, key string) float64 {
	t.Helper()
	k := binary.BigEndian.AppendUint16(nil, uint16(len(key)))
	k = append(k, key...)
	i := bytes.Index(body, k)
	if i < 0 || i+len(k)+9 > len(body) || body[i+len(k)] != 0 {
		t.Fatalf("onMetaData has no number %q", key)
	}
	return math.Float64frombits(binary.BigEndian.Uint64(body[i+len(k)+1:]))
}

// TestWriterEnhancedLeavesH264Alone: H.264 and audio come out byte for byte
// the same in both modes.
func TestWriterEnhancedLeavesH264Alone(t *testing.T) {
	tracks, frames := readClip(t, clipH264AAC)
	var legacy bytes.Buffer
	w := NewWriter(&legacy, tracks)
	for _, f := range frames {
		if err := w.WriteFrame(f); err != nil {
			t.Fatal(err)
		}
	}
	if enhanced := writeEnhanced(t, tracks, frames); !bytes.Equal(enhanced, legacy.Bytes()) {
		t.Fatal("H.264 output differs between Legacy12 and Enhanced")
	}
}

// TestWriterEnhancedRoundTrip reads the enhanced output back with this
// package's reader and lets ffmpeg decode the extracted streams.
func TestWriterEnhancedRoundTrip(t *testing.T) {
	tracks, frames := readClip(t, clipH265AAC)
	dir := t.TempDir()
	path := filepath.Join(dir, "enhanced.flv")
	if err := os.WriteFile(path, writeEnhanced(t, tracks, frames), 0o644); err != nil {
		t.Fatal(err)
	}
	tracks2, frames2 := readFLVFile(t, path)
	if tracks2.Video == nil || tracks2.Video.Codec != media.H265 || !bytes.Equal(tracks2.Video.SPS, tracks.Video.SPS) {
		t.Fatalf("read back tracks %v, want H265 with the source SPS", tracks2)
	}
	compareFrames(t, frames, frames2)
	decodeExtracted(t, dir, tracks2, frames2)
}

// TestWriterEnhancedSequenceRestart: new parameters (a camera restart) end
// the open sequence and start a new one before the next keyframe; same
// parameters do not; EndSequence closes the last one.
func TestWriterEnhancedSequenceRestart(t *testing.T) {
	tracks, frames := readClip(t, clipH265AAC)
	changed := *tracks
	changed.Video = &media.VideoTrack{Codec: media.H265, VPS: tracks.Video.VPS, SPS: tracks.Video.SPS,
		PPS: append(bytes.Clone(tracks.Video.PPS), 0x80)} // a different PPS
	same := *tracks
	var buf bytes.Buffer
	w := NewWriter(&buf, tracks, WithHEVCMode(Enhanced))
	for i, session := range []*media.Tracks{tracks, &same, &changed} {
		for _, f := range frames {
			g := *f
			g.Tracks = session
			g.DTS += time.Duration(i) * 5 * time.Second
			g.PTS += time.Duration(i) * 5 * time.Second
			if err := w.WriteFrame(&g); err != nil {
				t.Fatal(err)
			}
		}
	}
	if err := w.EndSequence(); err != nil {
		t.Fatal(err)
	}
	if err := w.EndSequence(); err != nil { // nothing open: writes nothing
		t.Fatal(err)
	}
	_, tags := readAllTags(t, &buf)
	var events []string
	for _, tag := range tags {
		if tag.typ != TagVideo || len(tag.data) < 5 || string(tag.data[1:5]) != "hvc1" {
			continue
		}
		switch tag.data[0] {
		case 0x90:
			events = append(events, "start")
			if len(tag.data) < 6 {
				t.Fatal("SequenceStart without a record")
			}
		case 0x92:
			events = append(events, "end")
			if len(tag.data) != 5 {
				t.Fatalf("SequenceEnd has a %d-byte body, want none", len(tag.data)-5)
			}
		}
	}
	if got := strings.Join(events, ","); got != "start,end,start,end" {
		t.Fatalf("sequence events %s, want start,end,start,end", got)
	}
	if last := tags[len(tags)-1]; last.typ != TagVideo || last.data[0] != 0x92 {
		t.Fatal("the stream does not end with the SequenceEnd")
	}
}

func TestParseHEVCMode(t *testing.T) {
	for _, c := range []struct {
		in   string
		want HEVCMode
		ok   bool
	}{
		{"", Legacy12, true}, {"12", Legacy12, true}, {"enhanced", Enhanced, true},
		{"Enhanced", Legacy12, false}, {"hvc1", Legacy12, false}, {"012", Legacy12, false},
	} {
		got, err := ParseHEVCMode(c.in)
		if got != c.want || (err == nil) != c.ok {
			t.Errorf("ParseHEVCMode(%q) = %v, %v; want %v, ok=%v", c.in, got, err, c.want, c.ok)
		}
		if err != nil && (!strings.Contains(err.Error(), "12") || !strings.Contains(err.Error(), "enhanced")) {
			t.Errorf("error %q does not name the accepted values", err)
		}
	}
}

// exHeaderCases are enhanced video tag bodies for the demuxer: what it must
// refuse (err) and what it must skip quietly. They seed FuzzDemuxVideo.
var exHeaderCases = []struct {
	name string
	body []byte
	err  string // "" means no error and no frame
}{
	{"fourcc truncated", []byte{0x91, 'h', 'v'}, "truncated"},
	{"no fourcc", []byte{0x90}, "truncated"},
	{"reserved frame type 0", []byte{0x81, 'h', 'v', 'c', '1', 0, 0, 0}, "reserved frame type"},
	{"reserved frame type 6", []byte{0xe1, 'h', 'v', 'c', '1', 0, 0, 0}, "reserved frame type"},
	{"reserved packet type", []byte{0x98, 'h', 'v', 'c', '1'}, "reserved packet type"},
	{"unknown fourcc", []byte{0x91, 'x', 'y', 'z', 'w', 0, 0, 0}, "unknown FourCC"},
	{"cts truncated", []byte{0x91, 'h', 'v', 'c', '1', 0}, "composition time truncated"},
	{"modex size truncated", []byte{0x97}, "truncated"},
	{"modex data truncated", []byte{0x97, 2, 0, 0}, "truncated"},
	{"modex 16-bit size truncated", []byte{0x97, 0xff, 0}, "truncated"},
	{"modex into reserved type", []byte{0x97, 2, 0, 0, 0, 0x0a, 'h', 'v', 'c', '1'}, "reserved packet type"},
	{"bad record", []byte{0x90, 'h', 'v', 'c', '1', 1, 2, 3}, "record truncated"},
	{"command truncated", []byte{0xd1}, "truncated"},
	{"command", []byte{0xd1, 0}, ""},
	{"metadata", []byte{0x94, 2, 0, 9, 'c', 'o', 'l', 'o', 'r', 'I', 'n', 'f', 'o'}, ""},
	{"metadata ignores the frame type", []byte{0x84, 2, 0, 9, 'c', 'o', 'l', 'o', 'r', 'I', 'n', 'f', 'o'}, ""},
	{"command with a reserved packet type", []byte{0xdf, 1}, ""},
	{"modex into a command", []byte{0xd7, 0, 0, 0x01, 1}, ""},
	{"multitrack", []byte{0x96, 0x01, 'h', 'v', 'c', '1', 0}, ""},
	{"sequence end", []byte{0x92, 'h', 'v', 'c', '1'}, ""},
	{"av1 not carried", []byte{0x91, 'a', 'v', '0', '1', 0, 0, 0}, ""},
	{"frame before sequence start", []byte{0xa3, 'h', 'v', 'c', '1', 0, 0, 0, 1, 0x02}, ""},
}

func TestDemuxerEnhancedHeaders(t *testing.T) {
	for _, c := range exHeaderCases {
		t.Run(c.name, func(t *testing.T) {
			var d Demuxer
			f, err := d.Demux(TagVideo, 0, c.body)
			if f != nil {
				t.Fatalf("frame %+v, want none", f)
			}
			switch {
			case c.err == "" && err != nil:
				t.Fatalf("error %v, want none", err)
			case c.err != "" && (err == nil || !strings.Contains(err.Error(), c.err)):
				t.Fatalf("error %v, want one containing %q", err, c.err)
			}
		})
	}
}

// TestDemuxerEnhancedModExAndX: a ModEx prefix (a nanosecond offset) is
// skipped, and CodedFramesX has no composition time.
func TestDemuxerEnhancedModExAndX(t *testing.T) {
	tracks, frames := readClip(t, clipH265AAC)
	var d Demuxer
	// SequenceStart behind a ModEx: size-1 = 2, a 3-byte TimestampOffsetNano,
	// then modExType 0 in the high nibble and the real packet type below.
	start := cat([]byte{0x97, 2, 0x01, 0x02, 0x03, 0<<4 | exPacketSequenceStart}, []byte("hvc1"), mustRecord(t, tracks.Video))
	if f, err := d.Demux(TagVideo, 0, start); f != nil || err != nil {
		t.Fatalf("ModEx SequenceStart: %v, %v", f, err)
	}
	if v := d.Video(); v == nil || !bytes.Equal(v.PPS, tracks.Video.PPS) {
		t.Fatal("ModEx SequenceStart did not set the parameters")
	}
	var key *media.Frame
	for _, f := range frames {
		if f.IsVideo() && f.Key {
			key = f
			break
		}
	}
	var body []byte
	media.SplitAnnexB(key.Data, func(n []byte) bool {
		if !isParamOrAUD(media.H265, n) {
			body = append(body, avcc(n)...)
		}
		return true
	})
	f, err := d.Demux(TagVideo, 40, cat([]byte{0x93}, []byte("hvc1"), body))
	if err != nil || f == nil || !f.Key || f.PTS != f.DTS || f.DTS != 40*time.Millisecond {
		t.Fatalf("CodedFramesX: %+v, %v", f, err)
	}
	if got := nalus(f); len(got) < 4 || !bytes.Equal(got[0], tracks.Video.VPS) {
		t.Fatal("keyframe does not start with the parameter sets")
	}
}

// FuzzDemuxVideo feeds tag bodies to a Demuxer that has seen a real
// SequenceStart, so fuzzed frames reach the NAL unit walk.
func FuzzDemuxVideo(f *testing.F) {
	for _, c := range exHeaderCases {
		f.Add(c.body)
	}
	f.Add([]byte{0x93, 'h', 'v', 'c', '1', 0, 0, 0, 2, 0x26, 0x01})
	f.Add([]byte{0xa1, 'h', 'v', 'c', '1', 0xff, 0xff, 0xd8, 0, 0, 0, 2, 0x02, 0x01})
	f.Add([]byte{0x97, 0xff, 0x00, 0x00, 0, 0, 0, 0x01, 'h', 'v', 'c', '1', 0, 0, 0})
	f.Add([]byte{0x17, 1, 0, 0, 0, 0, 0, 0, 1, 0x65})
	record := hevcTestRecord(f)
	f.Fuzz(func(t *testing.T, body []byte) {
		var d Demuxer
		if _, err := d.Demux(TagVideo, 0, cat([]byte{0x90}, []byte("hvc1"), record)); err != nil {
			t.Fatal(err)
		}
		fr, err := d.Demux(TagVideo, 40, body)
		if err != nil && fr != nil {
			t.Fatal("a frame and an error")
		}
		if fr != nil && (fr.Codec != media.H265 && fr.Codec != media.H264 || len(fr.Data) == 0) {
			t.Fatalf("odd frame %+v", fr)
		}
	})
}

// hevcTestRecord is the record of the H.265 test clip.
func hevcTestRecord(tb testing.TB) []byte {
	tracks, _ := readClip(tb, clipH265AAC)
	rec, err := VideoConfigRecord(tracks.Video)
	if err != nil {
		tb.Fatal(err)
	}
	return rec
}

// TestSourceEnhancedHEVC pulls enhanced FLV (hvc1) over HTTP, as from a
// camera or server that writes it, and checks every frame against the clip.
func TestSourceEnhancedHEVC(t *testing.T) {
	tracks, frames := readClip(t, clipH265AAC)
	path := filepath.Join(t.TempDir(), "enhanced.flv")
	if err := os.WriteFile(path, writeEnhanced(t, tracks, frames), 0o644); err != nil {
		t.Fatal(err)
	}
	srv := serveFLV(t, path, true)
	col := newCollector(-1)
	err := NewSource(srv.URL+"/live/c101.flv").Run(context.Background(), col)
	if err == nil || !strings.Contains(err.Error(), "stream ended") {
		t.Fatalf("Run = %v, want a stream ended error", err)
	}
	begins, got := col.Result()
	if len(begins) != 1 || begins[0].Video == nil || begins[0].Video.Codec != media.H265 || begins[0].Video.Width != 320 {
		t.Fatalf("sessions %v, want one with H265 320x240", begins)
	}
	compareFrames(t, frames, got)
}
