package flv

import (
	"bytes"
	"context"
	"errors"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/lubo-edge/lubo/media"
)

var flvHeader = []byte{'F', 'L', 'V', 1, 5, 0, 0, 0, 9, 0, 0, 0, 0}

// rawTag lays out one tag with its PreviousTagSize.
func rawTag(typ byte, ts uint32, data []byte) []byte {
	b := appendTagHeader(nil, TagType(typ), ts)
	b = append(b, data...)
	return finishTag(b, 0)
}

func cat(parts ...[]byte) []byte { return bytes.Join(parts, nil) }

// tagReaderCases feed TestTagReader and seed FuzzTagReader.
var tagReaderCases = []struct {
	name  string
	input []byte
	tags  int    // tags read before the error
	err   string // "" means a clean io.EOF
}{
	{"header only", flvHeader, 0, ""},
	{"one tag", cat(flvHeader, rawTag(8, 7, []byte{0x72, 1, 2})), 1, ""},
	{"extended timestamp", cat(flvHeader, rawTag(9, 0x01000002, []byte{0x17, 2, 0, 0, 0})), 1, ""},
	{"header extension", cat([]byte{'F', 'L', 'V', 1, 1, 0, 0, 0, 12, 9, 9, 9, 0, 0, 0, 0}, rawTag(18, 0, nil)), 1, ""},
	{"not FLV", []byte("<html>hello</html>"), 0, "not an FLV stream"},
	{"empty", nil, 0, "flv header: unexpected EOF"},
	{"bad offset", []byte{'F', 'L', 'V', 1, 5, 0xff, 0, 0, 9, 0, 0, 0, 0}, 0, "data offset"},
	{"truncated tag header", cat(flvHeader, []byte{9, 0, 0}), 0, "flv tag header: unexpected EOF"},
	{"truncated data", cat(flvHeader, []byte{9, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0}, make([]byte, 100)), 0, "flv tag data (256 bytes): unexpected EOF"},
	{"oversized tag", cat(flvHeader, []byte{9, 0xff, 0xff, 0xff, 0, 0, 0, 0, 0, 0, 0}), 0, "exceeds limit"},
	{"encrypted", cat(flvHeader, rawTag(0x28, 0, []byte{1})), 0, "encrypted"},
	{"missing previous tag size", cat(flvHeader, rawTag(8, 0, []byte{0x72, 1})[:13]), 0, "previous tag size"},
}

func TestTagReader(t *testing.T) {
	for _, c := range tagReaderCases {
		t.Run(c.name, func(t *testing.T) {
			tr := NewTagReader(bytes.NewReader(c.input))
			n := 0
			var err error
			for {
				var tag Tag
				tag, err = tr.ReadTag()
				if err != nil {
					break
				}
				if c.name == "extended timestamp" && tag.Timestamp != 0x01000002 {
					t.Errorf("timestamp %#x, want 0x01000002", tag.Timestamp)
				}
				n++
			}
			if n != c.tags {
				t.Errorf("%d tags, want %d", n, c.tags)
			}
			switch {
			case c.err == "" && err != io.EOF:
				t.Errorf("error %v, want io.EOF", err)
			case c.err != "" && (err == nil || !strings.Contains(err.Error(), c.err)):
				t.Errorf("error %v, want one containing %q", err, c.err)
			}
		})
	}
}

// TestDemuxerEnhancedRTMP: enhanced-RTMP "hvc1" tags demux like codec id 12.
func TestDemuxerEnhancedRTMP(t *testing.T) {
	tracks, frames := readClip(t, clipH265AAC)
	rec := mustRecord(t, tracks.Video)
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
	var d Demuxer
	if f, err := d.Demux(TagVideo, 0, cat([]byte{0x90}, []byte("hvc1"), rec)); f != nil || err != nil {
		t.Fatalf("sequence start: %v, %v", f, err)
	}
	if v := d.Video(); v == nil || v.Codec != media.H265 || v.Width != 320 {
		t.Fatalf("video track %+v, want H265 320x240", v)
	}
	f, err := d.Demux(TagVideo, 40, cat([]byte{0x91}, []byte("hvc1"), []byte{0, 0, 80}, body))
	if err != nil || f == nil || !f.Key || f.DTS != 40*time.Millisecond || f.PTS != 120*time.Millisecond {
		t.Fatalf("coded frame: %+v, %v", f, err)
	}
	if !bytes.Equal(nalus(f)[0], tracks.Video.VPS) {
		t.Fatal("keyframe does not start with the VPS")
	}
}

// fuzzPublisher muxes what it gets with a Writer, so fuzzing reaches the
// writer with whatever frames odd input produces.
type fuzzPublisher struct {
	tracks *media.Tracks
	w      *Writer
}

func (p *fuzzPublisher) Begin(t *media.Tracks) {
	p.tracks = t
	p.w = NewWriter(io.Discard, t)
}

func (p *fuzzPublisher) WriteFrame(f *media.Frame) {
	f.Tracks = p.tracks
	_ = p.w.WriteFrame(f)
}

func FuzzTagReader(f *testing.F) {
	for _, c := range tagReaderCases {
		f.Add(c.input)
	}
	// A stream the Writer made, and pieces of it.
	var buf bytes.Buffer
	w := NewWriter(&buf, fakeTracks())
	for _, fr := range []*media.Frame{
		{Codec: media.AAC, Key: true, Data: []byte{1, 2, 3}},
		{Codec: media.H264, Key: true, Data: media.AppendAnnexB(nil, fakeSPS, fakePPS, fakeIDR)},
		{Codec: media.H264, DTS: 40 * time.Millisecond, Data: media.AppendAnnexB(nil, fakeP)},
	} {
		if err := w.WriteFrame(fr); err != nil {
			f.Fatal(err)
		}
	}
	f.Add(buf.Bytes())
	f.Add(buf.Bytes()[:buf.Len()/2])
	f.Add(cat(flvHeader, rawTag(8, 0, []byte{0x72, 1, 2, 3}), rawTag(9, 0, []byte{0x9c, 'h', 'v', 'c', '1', 1})))
	f.Add(cat(flvHeader, rawTag(9, 0, append([]byte{0x1c, 0, 0, 0, 0}, make([]byte, 23)...))))
	// An enhanced (hvc1) stream the Writer made from the H.265 clip's first
	// frames, a piece of it, and enhanced tags with odd headers.
	tracks, frames := readClip(f, clipH265AAC)
	var ex bytes.Buffer
	ew := NewWriter(&ex, tracks, WithHEVCMode(Enhanced))
	for _, fr := range frames[:min(12, len(frames))] {
		if err := ew.WriteFrame(fr); err != nil {
			f.Fatal(err)
		}
	}
	if err := ew.EndSequence(); err != nil {
		f.Fatal(err)
	}
	f.Add(ex.Bytes())
	f.Add(ex.Bytes()[:ex.Len()*2/3])
	for _, c := range exHeaderCases {
		f.Add(cat(flvHeader, rawTag(9, 0, c.body)))
	}

	f.Fuzz(func(t *testing.T, data []byte) {
		tr := NewTagReader(bytes.NewReader(data))
		for {
			if _, err := tr.ReadTag(); err != nil {
				break
			}
		}
		err := ReadStream(context.Background(), bytes.NewReader(data), &fuzzPublisher{}, nil)
		if err == nil {
			t.Fatal("ReadStream returned nil on a finite input")
		}
		if errors.Is(err, context.Canceled) {
			t.Fatal("unexpected cancel")
		}
	})
}
