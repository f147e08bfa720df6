package api

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
	"slices"
	"testing"
	"time"

	"github.com/lubo-edge/lubo/internal/testclip"
	"github.com/lubo-edge/lubo/media"
)

// source is what the judge compares the stream against.
type source struct {
	vps, sps, pps []byte
	width, height int
	pictures      []picture // in decode order
}

// picture is one coded video frame: its NAL units without parameter sets
// and access unit delimiters, which enhanced FLV carries elsewhere or not.
type picture struct {
	ts    uint32 // tag timestamp (DTS), ms
	cts   int32  // composition time offset, ms
	key   bool
	nalus [][]byte
}

func loadSource(t *testing.T, path string) *source {
	t.Helper()
	tracks, frames := testclip.ReadMP4(t, path)
	v := tracks.Video
	if v == nil || v.Codec != media.H265 || len(v.VPS) == 0 || len(v.SPS) == 0 || len(v.PPS) == 0 {
		t.Fatalf("source %s: video track %+v, want H.265 with VPS, SPS and PPS", path, v)
	}
	s := &source{vps: v.VPS, sps: v.SPS, pps: v.PPS, width: v.Width, height: v.Height}
	for _, fr := range frames {
		if !fr.IsVideo() {
			continue
		}
		p := picture{cts: int32((fr.PTS - fr.DTS) / time.Millisecond), key: fr.Key}
		media.SplitAnnexB(fr.Data, func(n []byte) bool {
			if typ := hevcNALType(n); typ < 32 || typ > 35 { // not VPS, SPS, PPS, AUD
				p.nalus = append(p.nalus, n)
			}
			return true
		})
		s.pictures = append(s.pictures, p)
	}
	return s
}

func hevcNALType(nalu []byte) byte {
	if len(nalu) == 0 {
		return 0xff
	}
	return nalu[0] >> 1 & 0x3f
}

// enhancedJudge reads enhanced FLV following the E-RTMP v2 specification
// (ExVideoTagHeader, ExVideoTagBody) and ISO/IEC 14496-15 (the
// HEVCDecoderConfigurationRecord), field by field.
type enhancedJudge struct {
	src *source

	metadata   map[string]any
	lengthSize int
	seqStarts  int
	pictures   []picture
	audioTags  int
	withCTS    int
	withoutCTS int
}

// walk reads the FLV header and tags until want coded frames came and
// returns the bytes of the complete tags read.
func (j *enhancedJudge) walk(t *testing.T, body io.Reader, want int) []byte {
	t.Helper()
	var raw bytes.Buffer
	r := bufio.NewReader(io.TeeReader(body, &raw))
	hdr := make([]byte, 13)
	if _, err := io.ReadFull(r, hdr); err != nil {
		t.Fatal(err)
	}
	// Signature, version 1, audio+video flags, DataOffset 9, PreviousTagSize0 0.
	if !bytes.Equal(hdr, []byte{'F', 'L', 'V', 1, 0x05, 0, 0, 0, 9, 0, 0, 0, 0}) {
		t.Fatalf("FLV header %x", hdr)
	}
	consumed := 13
	lastTS, lastVideoTS, tagNo := uint32(0), int64(-1), 0
	for len(j.pictures) < want {
		th := make([]byte, 11)
		if _, err := io.ReadFull(r, th); err != nil {
			t.Fatalf("tag %d header: %v (after %d pictures)", tagNo, err, len(j.pictures))
		}
		typ := th[0]
		size := int(th[1])<<16 | int(th[2])<<8 | int(th[3])
		ts := uint32(th[7])<<24 | uint32(th[4])<<16 | uint32(th[5])<<8 | uint32(th[6])
		if streamID := th[8:11]; !bytes.Equal(streamID, []byte{0, 0, 0}) {
			t.Fatalf("tag %d: StreamID %x, want 0", tagNo, streamID)
		}
		data := make([]byte, size+4)
		if _, err := io.ReadFull(r, data); err != nil {
			t.Fatalf("tag %d data: %v", tagNo, err)
		}
		if prev := binary.BigEndian.Uint32(data[size:]); prev != uint32(11+size) {
			t.Fatalf("tag %d: PreviousTagSize %d, want %d", tagNo, prev, 11+size)
		}
		data = data[:size]
		if ts < lastTS {
			t.Fatalf("tag %d: timestamp %d after %d", tagNo, ts, lastTS)
		}
		lastTS = ts
		switch {
		case tagNo == 0 && typ != 18:
			t.Fatalf("first tag has type %d, want the onMetaData script tag", typ)
		case typ == 18:
			j.scriptTag(t, data)
		case typ == 8:
			// Audio is untouched by the mode: AAC, as in legacy FLV.
			if len(data) < 2 || data[0]>>4 != 10 {
				t.Fatalf("tag %d: audio %x, want AAC", tagNo, data[:min(2, len(data))])
			}
			j.audioTags++
		case typ == 9:
			if p, ok := j.videoTag(t, tagNo, ts, data); ok {
				if int64(p.ts) <= lastVideoTS {
					t.Fatalf("tag %d: video timestamp %d not after %d", tagNo, p.ts, lastVideoTS)
				}
				lastVideoTS = int64(p.ts)
				j.pictures = append(j.pictures, p)
			}
		default:
			t.Fatalf("tag %d: type %d", tagNo, typ)
		}
		consumed += 11 + size + 4
		tagNo++
	}
	if j.metadata == nil || j.seqStarts != 1 || j.audioTags == 0 {
		t.Fatalf("onMetaData %v, %d SequenceStart, %d audio tags", j.metadata, j.seqStarts, j.audioTags)
	}
	return raw.Bytes()[:consumed]
}

func (j *enhancedJudge) scriptTag(t *testing.T, data []byte) {
	t.Helper()
	d := amfDecoder{b: data}
	if name, err := d.value(); err != nil || name != "onMetaData" {
		t.Fatalf("script tag name %v, %v; want onMetaData", name, err)
	}
	v, err := d.value()
	props, ok := v.(map[string]any)
	if err != nil || !ok {
		t.Fatalf("onMetaData argument %v, %v; want an ECMA array or object", v, err)
	}
	// E-RTMP "Enhancing onMetaData": videocodecid is the FourCC as a number.
	if got := props["videocodecid"]; got != float64(0x68766331) {
		t.Errorf("onMetaData videocodecid %v, want hvc1 = %v", got, float64(0x68766331))
	}
	if props["width"] != float64(j.src.width) || props["height"] != float64(j.src.height) {
		t.Errorf("onMetaData size %vx%v, want %dx%d", props["width"], props["height"], j.src.width, j.src.height)
	}
	if props["audiocodecid"] != float64(10) {
		t.Errorf("onMetaData audiocodecid %v, want 10 (AAC)", props["audiocodecid"])
	}
	j.metadata = props
}

// videoTag checks one video tag; ok is true for a coded frame.
func (j *enhancedJudge) videoTag(t *testing.T, tagNo int, ts uint32, data []byte) (picture, bool) {
	t.Helper()
	if len(data) < 5 {
		t.Fatalf("tag %d: video tag of %d bytes", tagNo, len(data))
	}
	// ExVideoTagHeader: IsExVideoHeader UB[1], VideoFrameType UB[3],
	// VideoPacketType UB[4], then the FOURCC.
	isEx := data[0]>>7 == 1
	frameType := data[0] >> 4 & 0x07
	packetType := data[0] & 0x0f
	fourCC := string(data[1:5])
	if !isEx || fourCC != "hvc1" {
		t.Fatalf("tag %d: first byte %#x FourCC %q, want an ExVideoTagHeader with hvc1", tagNo, data[0], fourCC)
	}
	if j.seqStarts == 0 && packetType != 0 {
		t.Fatalf("tag %d: the first video tag has packet type %d, want SequenceStart (0)", tagNo, packetType)
	}
	var cts int32
	var payload []byte
	switch packetType {
	case 0: // SequenceStart
		if frameType != 1 {
			t.Errorf("tag %d: SequenceStart with frame type %d, want 1", tagNo, frameType)
		}
		j.sequenceStart(t, data[5:])
		j.seqStarts++
		return picture{}, false
	case 1: // CodedFrames: SI24 composition time offset, then NAL units
		if len(data) < 8 {
			t.Fatalf("tag %d: CodedFrames without its composition time", tagNo)
		}
		cts = int32(uint32(data[5])<<24|uint32(data[6])<<16|uint32(data[7])<<8) >> 8
		if cts == 0 {
			t.Errorf("tag %d: CodedFrames with composition time 0; CodedFramesX says that in fewer bytes", tagNo)
		}
		payload = data[8:]
		j.withCTS++
	case 3: // CodedFramesX: composition time implied 0
		payload = data[5:]
		j.withoutCTS++
	default:
		t.Fatalf("tag %d: video packet type %d mid-stream", tagNo, packetType)
	}
	p := picture{ts: ts, cts: cts}
	irap := false
	for len(payload) > 0 {
		if len(payload) < j.lengthSize {
			t.Fatalf("tag %d: NAL unit length truncated", tagNo)
		}
		n := 0
		for _, b := range payload[:j.lengthSize] {
			n = n<<8 | int(b)
		}
		payload = payload[j.lengthSize:]
		if n == 0 || n > len(payload) {
			t.Fatalf("tag %d: NAL unit length %d with %d bytes left", tagNo, n, len(payload))
		}
		nalu := payload[:n]
		payload = payload[n:]
		if nalu[0]&0x80 != 0 {
			t.Fatalf("tag %d: forbidden_zero_bit set", tagNo)
		}
		typ := hevcNALType(nalu)
		irap = irap || typ >= 16 && typ <= 23 // BLA, IDR, CRA and reserved IRAP types
		p.nalus = append(p.nalus, nalu)
	}
	if len(p.nalus) == 0 {
		t.Fatalf("tag %d: coded frame without NAL units", tagNo)
	}
	// VideoFrameType: KeyFrame (1) exactly for IRAP pictures, else InterFrame (2).
	p.key = frameType == 1
	if wantType := map[bool]byte{true: 1, false: 2}[irap]; frameType != wantType {
		t.Fatalf("tag %d: frame type %d, want %d (IRAP picture: %v)", tagNo, frameType, wantType, irap)
	}
	return p, true
}

// sequenceStart checks an HEVCDecoderConfigurationRecord (ISO/IEC
// 14496-15 8.3.3.1) and that it holds the source's VPS, SPS and PPS.
func (j *enhancedJudge) sequenceStart(t *testing.T, rec []byte) {
	t.Helper()
	if len(rec) < 23 {
		t.Fatalf("HEVCDecoderConfigurationRecord of %d bytes", len(rec))
	}
	if rec[0] != 1 {
		t.Errorf("configurationVersion %d, want 1", rec[0])
	}
	// general_profile_space .. general_level_idc are the 12 bytes of the
	// SPS's profile_tier_level after its NAL header and first byte.
	sps := unescapeRBSP(j.src.sps)
	if !bytes.Equal(rec[1:13], sps[3:15]) {
		t.Errorf("profile/tier/level %x, want the SPS's %x", rec[1:13], sps[3:15])
	}
	checks := []struct {
		name     string
		reserved byte // the reserved bits, which must be all ones
		mask     byte
	}{
		{"min_spatial_segmentation_idc", rec[13], 0xf0},
		{"parallelismType", rec[15], 0xfc},
		{"chromaFormat", rec[16], 0xfc},
		{"bitDepthLumaMinus8", rec[17], 0xf8},
		{"bitDepthChromaMinus8", rec[18], 0xf8},
	}
	for _, c := range checks {
		if c.reserved&c.mask != c.mask {
			t.Errorf("%s: reserved bits %08b not all ones", c.name, c.reserved&c.mask)
		}
	}
	if chroma := rec[16] & 3; chroma != 1 {
		t.Errorf("chromaFormat %d, want 1 (4:2:0)", chroma)
	}
	if rec[17]&7 != 0 || rec[18]&7 != 0 {
		t.Errorf("bit depths %d/%d over 8, want 8-bit", rec[17]&7, rec[18]&7)
	}
	j.lengthSize = int(rec[21]&3) + 1
	if j.lengthSize == 3 {
		t.Fatalf("lengthSizeMinusOne 2 is not allowed")
	}
	arrays := map[byte][][]byte{}
	p, numArrays := 23, int(rec[22])
	for range numArrays {
		if p+3 > len(rec) {
			t.Fatal("record: array header truncated")
		}
		if rec[p]&0x40 != 0 {
			t.Errorf("record: reserved bit in array header set")
		}
		typ := rec[p] & 0x3f
		numNalus := int(binary.BigEndian.Uint16(rec[p+1:]))
		p += 3
		for range numNalus {
			if p+2 > len(rec) {
				t.Fatal("record: nalUnitLength truncated")
			}
			n := int(binary.BigEndian.Uint16(rec[p:]))
			p += 2
			if p+n > len(rec) || n == 0 {
				t.Fatalf("record: NAL unit of %d bytes with %d left", n, len(rec)-p)
			}
			nalu := rec[p : p+n]
			p += n
			if hevcNALType(nalu) != typ {
				t.Errorf("record: NAL unit type %d in the array of type %d", hevcNALType(nalu), typ)
			}
			arrays[typ] = append(arrays[typ], nalu)
		}
	}
	if p != len(rec) {
		t.Errorf("record: %d bytes after the arrays", len(rec)-p)
	}
	for typ, want := range map[byte][]byte{32: j.src.vps, 33: j.src.sps, 34: j.src.pps} {
		if got := arrays[typ]; len(got) != 1 || !bytes.Equal(got[0], want) {
			t.Errorf("record: NAL type %d array %x, want the source's %x", typ, got, want)
		}
	}
}

// unescapeRBSP drops emulation prevention bytes (00 00 03 -> 00 00).
func unescapeRBSP(b []byte) []byte {
	out := make([]byte, 0, len(b))
	zeros := 0
	for _, c := range b {
		if zeros >= 2 && c == 3 {
			zeros = 0
			continue
		}
		if c == 0 {
			zeros++
		} else {
			zeros = 0
		}
		out = append(out, c)
	}
	return out
}

// matchSource finds where in the looping source the stream started and
// checks every picture against the source in decode order.
func (j *enhancedJudge) matchSource(t *testing.T) {
	t.Helper()
	src := j.src.pictures
	first := j.pictures[0]
	if !first.key {
		t.Fatal("the stream does not start with a keyframe")
	}
	start := slices.IndexFunc(src, func(p picture) bool { return equalNALUs(p.nalus, first.nalus) })
	if start < 0 {
		t.Fatal("the first picture is none of the source's")
	}
	for i, got := range j.pictures {
		want := src[(start+i)%len(src)]
		if !equalNALUs(got.nalus, want.nalus) {
			t.Fatalf("picture %d: NAL units differ from source picture %d", i, (start+i)%len(src))
		}
		if got.key != want.key {
			t.Fatalf("picture %d: key %v, source %v", i, got.key, want.key)
		}
		if d := got.cts - want.cts; d < -1 || d > 1 {
			t.Fatalf("picture %d: composition time %d ms, source %d ms", i, got.cts, want.cts)
		}
	}
}

func equalNALUs(a, b [][]byte) bool { return slices.EqualFunc(a, b, bytes.Equal) }

// amfDecoder reads the AMF0 values an onMetaData tag uses.
type amfDecoder struct {
	b []byte
	p int
}

var errAMF = errors.New("amf0: truncated or unknown")

func (d *amfDecoder) take(n int) ([]byte, error) {
	if n < 0 || d.p+n > len(d.b) {
		return nil, errAMF
	}
	d.p += n
	return d.b[d.p-n : d.p], nil
}

func (d *amfDecoder) str() (string, error) {
	n, err := d.take(2)
	if err != nil {
		return "", err
	}
	s, err := d.take(int(binary.BigEndian.Uint16(n)))
	return string(s), err
}

func (d *amfDecoder) value() (any, error) {
	m, err := d.take(1)
	if err != nil {
		return nil, err
	}
	switch m[0] {
	case 0x00: // number
		b, err := d.take(8)
		if err != nil {
			return nil, err
		}
		return math.Float64frombits(binary.BigEndian.Uint64(b)), nil
	case 0x01: // boolean
		b, err := d.take(1)
		if err != nil {
			return nil, err
		}
		return b[0] != 0, nil
	case 0x02: // string
		return d.str()
	case 0x03, 0x08: // object, ECMA array (with its approximate count)
		if m[0] == 0x08 {
			if _, err := d.take(4); err != nil {
				return nil, err
			}
		}
		props := map[string]any{}
		for {
			k, err := d.str()
			if err != nil {
				return nil, err
			}
			if k == "" {
				end, err := d.take(1)
				if err != nil || end[0] != 0x09 {
					return nil, errAMF
				}
				return props, nil
			}
			if props[k], err = d.value(); err != nil {
				return nil, err
			}
		}
	}
	return nil, fmt.Errorf("amf0: marker %#x", m[0])
}
