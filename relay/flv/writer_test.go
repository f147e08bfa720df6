package flv

import (
	"bytes"
	"encoding/binary"
	"errors"
	"io"
	"math/rand/v2"
	"path/filepath"
	"testing"
	"time"

	"github.com/lubo-edge/lubo/media"
)

// Synthetic parameter sets: enough for the tag layout, not for a decoder.
var (
	fakeSPS = []byte{0x67, 0x64, 0x00, 0x1f, 0xac, 0xd9}
	fakePPS = []byte{0x68, 0xeb, 0xe3, 0xcb}
	fakeSEI = []byte{0x06, 0x05, 0x01, 0x02}
	fakeIDR = []byte{0x65, 0x88, 0x84, 0x00, 0x33}
	fakeP   = []byte{0x41, 0x9a, 0x21, 0x6c}
	aud     = []byte{0x09, 0xf0}
)

func fakeTracks() *media.Tracks {
	return &media.Tracks{
		Video: &media.VideoTrack{Codec: media.H264, SPS: fakeSPS, PPS: fakePPS},
		Audio: &media.AudioTrack{Codec: media.AAC, SampleRate: 44100, Channels: 2, Config: []byte{0x12, 0x10}},
	}
}

// countingWriter counts Write calls.
type countingWriter struct {
	bytes.Buffer
	writes int
}

func (c *countingWriter) Write(p []byte) (int, error) {
	c.writes++
	return c.Buffer.Write(p)
}

type tagInfo struct {
	typ  TagType
	ts   uint32
	data []byte
}

func readAllTags(t *testing.T, r io.Reader) (Header, []tagInfo) {
	t.Helper()
	tr := NewTagReader(r)
	hdr, err := tr.ReadHeader()
	if err != nil {
		t.Fatal(err)
	}
	var tags []tagInfo
	for {
		tag, err := tr.ReadTag()
		if err == io.EOF {
			return hdr, tags
		}
		if err != nil {
			t.Fatal(err)
		}
		tags = append(tags, tagInfo{tag.Type, tag.Timestamp, bytes.Clone(tag.Data)})
	}
}

func avcc(nalus ...[]byte) []byte {
	var b []byte
	for _, n := range nalus {
		b = binary.BigEndian.AppendUint32(b, uint32(len(n)))
		b = append(b, n...)
	}
	return b
}

func TestWriterTagLayout(t *testing.T) {
	tracks := fakeTracks()
	key := media.AppendAnnexB(nil, aud, fakeSPS, fakePPS, fakeSEI, fakeIDR)
	keyCopy := bytes.Clone(key)
	s := 10 * time.Second
	frames := []*media.Frame{
		{Codec: media.H264, DTS: s - 40*time.Millisecond, PTS: s, Data: media.AppendAnnexB(nil, fakeP)}, // before any keyframe: skipped
		{Codec: media.AAC, DTS: s, PTS: s, Key: true, Data: []byte{1, 2, 3}},
		{Codec: media.H264, DTS: s, PTS: s + 80*time.Millisecond, Key: true, Data: key},
		{Codec: media.H264, DTS: s + 40*time.Millisecond, PTS: s + 40*time.Millisecond, Data: media.AppendAnnexB(nil, aud, fakeP)},
		{Codec: media.PCMA, DTS: s, PTS: s, Key: true, Data: []byte{1}}, // not a declared track: skipped
	}
	var out countingWriter
	w := NewWriter(&out, tracks)
	for _, f := range frames {
		if err := w.WriteFrame(f); err != nil {
			t.Fatal(err)
		}
	}
	if !bytes.Equal(key, keyCopy) {
		t.Fatal("WriteFrame modified the frame data")
	}
	// One Write for header+metadata with the skipped frame, then one per frame.
	if out.writes != 4 {
		t.Errorf("%d Write calls, want 4", out.writes)
	}

	hdr, tags := readAllTags(t, &out.Buffer)
	if !hdr.Audio || !hdr.Video {
		t.Errorf("header %+v, want audio and video", hdr)
	}
	want := []tagInfo{
		{TagScript, 0, nil},
		{TagAudio, 0, []byte{0xaf, 0, 0x12, 0x10}},
		{TagAudio, 0, []byte{0xaf, 1, 1, 2, 3}},
		{TagVideo, 0, append([]byte{0x17, 0, 0, 0, 0}, mustRecord(t, tracks.Video)...)},
		{TagVideo, 0, append([]byte{0x17, 1, 0, 0, 80}, avcc(fakeSEI, fakeIDR)...)},
		{TagVideo, 40, append([]byte{0x27, 1, 0, 0, 0}, avcc(fakeP)...)},
	}
	if len(tags) != len(want) {
		t.Fatalf("%d tags, want %d", len(tags), len(want))
	}
	for i, w := range want {
		g := tags[i]
		if g.typ != w.typ || g.ts != w.ts || (w.data != nil && !bytes.Equal(g.data, w.data)) {
			t.Errorf("tag %d: type %d ts %d data %x, want type %d ts %d data %x", i, g.typ, g.ts, g.data, w.typ, w.ts, w.data)
		}
	}
	if !bytes.Contains(tags[0].data, []byte("onMetaData")) || !bytes.Contains(tags[0].data, []byte("videocodecid")) {
		t.Errorf("script tag %q lacks onMetaData fields", tags[0].data)
	}
}

func mustRecord(t *testing.T, v *media.VideoTrack) []byte {
	t.Helper()
	rec, err := VideoConfigRecord(v)
	if err != nil {
		t.Fatal(err)
	}
	return rec
}

func TestWriterHeaderFlags(t *testing.T) {
	for _, c := range []struct {
		tracks *media.Tracks
		audio  bool
		video  bool
	}{
		{&media.Tracks{Video: fakeTracks().Video}, false, true},
		{&media.Tracks{Audio: &media.AudioTrack{Codec: media.PCMU, SampleRate: 8000, Channels: 1}}, true, false},
		{fakeTracks(), true, true},
	} {
		var buf bytes.Buffer
		if err := NewWriter(&buf, c.tracks).WriteHeader(); err != nil {
			t.Fatal(err)
		}
		hdr, tags := readAllTags(t, &buf)
		if hdr.Audio != c.audio || hdr.Video != c.video || len(tags) != 1 || tags[0].typ != TagScript {
			t.Errorf("%v: header %+v with %d tags, want audio=%v video=%v and onMetaData", c.tracks, hdr, len(tags), c.audio, c.video)
		}
	}
}

// TestWriterInbandParameterSets: a track without SPS/PPS gets its sequence
// header from the first keyframe that carries them.
func TestWriterInbandParameterSets(t *testing.T) {
	tracks := &media.Tracks{Video: &media.VideoTrack{Codec: media.H264}}
	var buf bytes.Buffer
	w := NewWriter(&buf, tracks)
	for _, data := range [][]byte{
		media.AppendAnnexB(nil, fakeIDR),                   // keyframe without parameters: skipped
		media.AppendAnnexB(nil, fakeSPS, fakePPS, fakeIDR), // starts the viewer
	} {
		if err := w.WriteFrame(&media.Frame{Codec: media.H264, Key: true, Data: data}); err != nil {
			t.Fatal(err)
		}
	}
	_, tags := readAllTags(t, &buf)
	if len(tags) != 3 || !bytes.Equal(tags[1].data[5:], mustRecord(t, fakeTracks().Video)) {
		t.Fatalf("got %d tags, want onMetaData, sequence header from in-band SPS/PPS, keyframe", len(tags))
	}
}

type failingWriter struct{}

func (failingWriter) Write([]byte) (int, error) { return 0, errors.New("viewer gone") }

func TestWriterReportsWriteErrors(t *testing.T) {
	w := NewWriter(failingWriter{}, fakeTracks())
	err := w.WriteFrame(&media.Frame{Codec: media.AAC, Key: true, Data: []byte{1}})
	if err == nil || !bytes.Contains([]byte(err.Error()), []byte("viewer gone")) {
		t.Fatalf("WriteFrame = %v, want the write error", err)
	}
}

// reconnectFLV writes a 320x240 clip and then a 160x120 clip, as after a
// source reconnect, into one FLV with Writer.
func reconnectFLV(t *testing.T) string {
	tracksA, framesA := readClip(t, clipH264AAC)
	tracksB, framesB := readClip(t, clipSmall)
	var all []*media.Frame
	for _, f := range framesA {
		f.Tracks = tracksA
		all = append(all, f)
	}
	shift := framesA[len(framesA)-1].DTS + 40*time.Millisecond
	for _, f := range framesB {
		f.Tracks = tracksB
		f.DTS += shift
		f.PTS += shift
		all = append(all, f)
	}
	path := filepath.Join(t.TempDir(), "reconnect.flv")
	writeFLVFile(t, path, tracksA, all)
	return path
}

func TestWriterNewParametersAfterReconnect(t *testing.T) {
	path := reconnectFLV(t)
	decodeClean(t, path)
	_, tags := readAllTags(t, mustOpen(t, path))
	if n := countSequenceHeaders(tags); n != 2 {
		t.Fatalf("%d video sequence headers, want 2", n)
	}
	// Both clips have the same AAC config: no second audio sequence header.
	audioHeaders := 0
	for _, tag := range tags {
		if tag.typ == TagAudio && len(tag.data) > 1 && tag.data[1] == packetSequenceHeader {
			audioHeaders++
		}
	}
	if audioHeaders != 1 {
		t.Fatalf("%d audio sequence headers, want 1", audioHeaders)
	}
}

func TestWriterSameParametersAfterReconnect(t *testing.T) {
	tracks, frames := readClip(t, clipH264AAC)
	same := *tracks // a new session pointer with equal parameters
	var buf bytes.Buffer
	w := NewWriter(&buf, tracks)
	for i, session := range []*media.Tracks{tracks, &same} {
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
	_, tags := readAllTags(t, &buf)
	if n := countSequenceHeaders(tags); n != 1 {
		t.Fatalf("%d video sequence headers, want 1", n)
	}
}

func countSequenceHeaders(tags []tagInfo) int {
	n := 0
	for _, tag := range tags {
		if tag.typ == TagVideo && len(tag.data) > 1 && tag.data[1] == packetSequenceHeader {
			n++
		}
	}
	return n
}

// BenchmarkWriter measures one frame per op in steady state: a 50-frame GOP
// of H.264 (AUD, SEI and parameter sets to strip) interleaved with AAC.
func BenchmarkWriter(b *testing.B) {
	tracks := fakeTracks()
	var frames []*media.Frame
	size := 0
	rng := rand.New(rand.NewPCG(1, 2))
	// Slice data like an encoder's: no zero bytes, so no false start codes.
	payload := func(typ byte, n int) []byte {
		b := make([]byte, n)
		for i := range b {
			b[i] = byte(rng.IntN(255) + 1)
		}
		b[0] = typ
		return b
	}
	for i := range 50 {
		dts := time.Duration(i) * 40 * time.Millisecond
		var data []byte
		if i == 0 {
			data = media.AppendAnnexB(nil, aud, fakeSPS, fakePPS, fakeSEI, payload(0x65, 40<<10))
		} else {
			data = media.AppendAnnexB(nil, aud, payload(0x41, 6<<10))
		}
		frames = append(frames,
			&media.Frame{Codec: media.H264, DTS: dts, PTS: dts + 80*time.Millisecond, Key: i == 0, Data: data, Tracks: tracks},
			&media.Frame{Codec: media.AAC, DTS: dts, PTS: dts, Key: true, Data: make([]byte, 300), Tracks: tracks},
		)
		size += len(data) + 300
	}
	w := NewWriter(io.Discard, tracks)
	for _, f := range frames { // warm up: header, sequence headers, buffer growth
		if err := w.WriteFrame(f); err != nil {
			b.Fatal(err)
		}
	}
	b.SetBytes(int64(size / len(frames)))
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		f := frames[i%len(frames)]
		if err := w.WriteFrame(f); err != nil {
			b.Fatal(err)
		}
	}
}

// A keyframe bigger than the writer's buffer is written from the frame
// itself: its tags read back whole, it takes a few large writes, and no
// buffer grows to its size for as long as the viewer watches.
func TestWriterBigPictureIsNotCopied(t *testing.T) {
	big := bytes.Repeat([]byte{0x88}, 300<<10)
	big[0] = 0x65
	small := bytes.Repeat([]byte{0x9a}, 5<<10)
	small[0] = 0x41
	slice := bytes.Repeat([]byte{0x77}, 3000)
	slice[0] = 0x65
	frames := []*media.Frame{
		{Codec: media.H264, Key: true, Data: media.AppendAnnexB(nil, aud, fakeSPS, fakePPS, fakeSEI, big, slice)},
		{Codec: media.AAC, Key: true, DTS: 20 * time.Millisecond, Data: []byte{1, 2, 3}},
		{Codec: media.H264, DTS: 40 * time.Millisecond, PTS: 80 * time.Millisecond, Data: media.AppendAnnexB(nil, small)},
	}
	var out countingWriter
	w := NewWriter(&out, fakeTracks())
	for _, f := range frames {
		before := out.writes
		if err := w.WriteFrame(f); err != nil {
			t.Fatal(err)
		}
		if n := out.writes - before; n > len(f.Data)/chunkSize+2 {
			t.Errorf("%d writes for a frame of %d bytes", n, len(f.Data))
		}
	}
	if cap(w.buf) > 1<<10 || cap(w.chunk) != chunkSize || len(w.parts) != 0 {
		t.Fatalf("after a 300 kB keyframe the writer holds buffers of %d and %d bytes and %d parts", cap(w.buf), cap(w.chunk), len(w.parts))
	}
	_, tags := readAllTags(t, &out.Buffer)
	want := []tagInfo{
		{TagScript, 0, nil},
		{TagVideo, 0, nil},
		{TagVideo, 0, append([]byte{0x17, 1, 0, 0, 0}, avcc(fakeSEI, big, slice)...)},
		{TagAudio, 20, nil},
		{TagAudio, 20, []byte{0xaf, 1, 1, 2, 3}},
		{TagVideo, 40, append([]byte{0x27, 1, 0, 0, 40}, avcc(small)...)},
	}
	if len(tags) != len(want) {
		t.Fatalf("%d tags, want %d", len(tags), len(want))
	}
	for i, w := range want {
		g := tags[i]
		if g.typ != w.typ || g.ts != w.ts || (w.data != nil && !bytes.Equal(g.data, w.data)) {
			t.Errorf("tag %d: type %d ts %d, %d bytes; want type %d ts %d, %d bytes", i, g.typ, g.ts, len(g.data), w.typ, w.ts, len(w.data))
		}
	}
}
