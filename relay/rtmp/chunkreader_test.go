package rtmp

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"testing"
	"time"
)

// rawChunk is one chunk as a peer writes it, for building hostile input.
type rawChunk struct {
	fmt      byte
	csid     uint32
	ts       uint32 // the timestamp field; >= 0xFFFFFF is sent extended
	length   int    // fmt 0 and 1
	typ      byte   // fmt 0 and 1
	streamID uint32 // fmt 0
	extTS    bool   // fmt 3: repeat an extended timestamp ts
	payload  []byte
}

func (c rawChunk) bytes() []byte {
	var b []byte
	switch {
	case c.csid < 64:
		b = append(b, c.fmt<<6|byte(c.csid))
	case c.csid < 320:
		b = append(b, c.fmt<<6, byte(c.csid-64))
	default:
		b = append(b, c.fmt<<6|1, byte(c.csid-64), byte((c.csid-64)>>8))
	}
	field := min(c.ts, 0xFFFFFF)
	if c.fmt < 3 {
		b = append(b, byte(field>>16), byte(field>>8), byte(field))
	}
	if c.fmt < 2 {
		b = append(b, byte(c.length>>16), byte(c.length>>8), byte(c.length), c.typ)
	}
	if c.fmt == 0 {
		b = binary.LittleEndian.AppendUint32(b, c.streamID)
	}
	if c.fmt < 3 && c.ts >= 0xFFFFFF || c.fmt == 3 && c.extTS {
		b = binary.BigEndian.AppendUint32(b, c.ts)
	}
	return append(b, c.payload...)
}

func chunks(cs ...rawChunk) []byte {
	var b []byte
	for _, c := range cs {
		b = append(b, c.bytes()...)
	}
	return b
}

// message splits a whole message into chunks of size on csid: a type-0
// header, then type-3 ones (repeating an extended timestamp when rep).
func message(csid uint32, ts uint32, typ byte, sid uint32, payload []byte, size int, rep bool) []byte {
	var b []byte
	for i := 0; i == 0 || i < len(payload); i += size {
		c := rawChunk{fmt: 3, csid: csid, ts: ts, extTS: rep && ts >= 0xFFFFFF}
		if i == 0 {
			c = rawChunk{fmt: 0, csid: csid, ts: ts, length: len(payload), typ: typ, streamID: sid}
		}
		c.payload = payload[i:min(i+size, len(payload))]
		b = append(b, c.bytes()...)
	}
	return b
}

func setChunkSize(size uint32) []byte {
	return message(2, 0, msgSetChunkSize, 0, binary.BigEndian.AppendUint32(nil, size), 128, false)
}

func fill(n int, v byte) []byte { return bytes.Repeat([]byte{v}, n) }

// gotMessage is one message inbound handed gomedia.
type gotMessage struct {
	ts       uint32
	typ      byte
	streamID uint32
	payload  []byte
}

func (m gotMessage) String() string {
	return fmt.Sprintf("{ts %d type %d stream %d, %d bytes}", m.ts, m.typ, m.streamID, len(m.payload))
}

// decodeDelivered takes apart what inbound handed gomedia after the
// handshake: the Set Chunk Size lubo sends first, then one type-0 chunk
// per message on outChunkStream.
func decodeDelivered(b []byte) (gotMessage, error) {
	if len(b) < 12 || b[0] != outChunkStream && b[0] != 2 {
		return gotMessage{}, fmt.Errorf("not a type-0 chunk: % x", b[:min(len(b), 16)])
	}
	ts := uint32(b[1])<<16 | uint32(b[2])<<8 | uint32(b[3])
	length := int(b[4])<<16 | int(b[5])<<8 | int(b[6])
	m := gotMessage{typ: b[7], streamID: binary.LittleEndian.Uint32(b[8:])}
	b = b[12:]
	if ts == 0xFFFFFF {
		if len(b) < 4 {
			return m, errors.New("extended timestamp missing")
		}
		ts, b = binary.BigEndian.Uint32(b), b[4:]
	}
	m.ts = ts
	if len(b) != length || length == 0 {
		return m, fmt.Errorf("chunk of %d payload bytes declares %d", len(b), length)
	}
	m.payload = bytes.Clone(b)
	return m, nil
}

// readAll feeds the handshake and then in, step bytes at a time (all at
// once for step 0), and returns the messages delivered after lubo's own
// Set Chunk Size, and feed's error.
func readAll(t testing.TB, in []byte, step int) ([]gotMessage, error) {
	var got []gotMessage
	calls := 0
	r := newInbound(func(b []byte) error {
		calls++
		if calls == 1 {
			if len(b) != handshakeSize {
				t.Fatalf("handshake delivered as %d bytes, not %d", len(b), handshakeSize)
			}
			return nil
		}
		m, err := decodeDelivered(b)
		if err != nil {
			t.Fatalf("delivered %d: %v", calls, err)
		}
		if calls == 2 {
			if m.typ != msgSetChunkSize || binary.BigEndian.Uint32(m.payload) != maxChunkSize {
				t.Fatalf("first chunk after the handshake is %v, not lubo's Set Chunk Size", m)
			}
			return nil
		}
		got = append(got, m)
		return nil
	})
	if err := r.feed(make([]byte, handshakeSize), time.Unix(0, 0)); err != nil {
		t.Fatal(err)
	}
	if step <= 0 {
		step = len(in)
	}
	for i := 0; i < len(in); i += step {
		if err := r.feed(in[i:min(i+step, len(in))], time.Unix(0, 0)); err != nil {
			return got, err
		}
		if r.buffered > maxBuffered {
			t.Fatalf("%d bytes buffered, more than the %d allowed", r.buffered, maxBuffered)
		}
	}
	return got, nil
}

// readerCase is one input for the chunk reader. The same table seeds the
// fuzz targets.
type readerCase struct {
	name    string
	in      []byte
	want    []gotMessage // nil: check only the error
	wantErr bool         // an ErrProtocol
}

var audio = fill(20, 0xAF)

func readerCases() []readerCase {
	video300 := fill(300, 0x17)
	return []readerCase{
		{name: "chunk size 0", in: append(setChunkSize(0), message(4, 0, msgAudio, 1, audio, 128, false)...), wantErr: true},
		{name: "chunk size with the top bit set", in: setChunkSize(0x80000000), wantErr: true},
		{name: "largest valid chunk size", in: append(setChunkSize(0x7FFFFFFF), message(6, 40, msgVideo, 1, video300, 1000, false)...),
			want: []gotMessage{{40, msgVideo, 1, video300}}},
		{name: "chunk size 1", in: append(setChunkSize(1), message(6, 40, msgVideo, 1, video300, 1, false)...),
			want: []gotMessage{{40, msgVideo, 1, video300}}},
		{name: "short set chunk size", in: message(2, 0, msgSetChunkSize, 0, []byte{0, 1}, 128, false), wantErr: true},
		{name: "zero-length message then more bytes",
			in: chunks(
				rawChunk{fmt: 0, csid: 4, ts: 10, length: 0, typ: msgAudio, streamID: 1},
				rawChunk{fmt: 3, csid: 4},
				rawChunk{fmt: 3, csid: 4},
				rawChunk{fmt: 1, csid: 4, ts: 5, length: len(audio), typ: msgAudio, payload: audio},
			),
			want: []gotMessage{{10 + 10 + 10 + 5, msgAudio, 1, audio}}},
		{name: "zero-length command", in: append(message(3, 0, 20, 0, nil, 128, false), message(3, 0, 20, 0, []byte{5}, 128, false)...),
			want: []gotMessage{{0, 20, 0, []byte{5}}}},
		{name: "huge declared video", in: chunks(rawChunk{fmt: 0, csid: 6, length: 0xFFFFFF, typ: msgVideo, streamID: 1, payload: fill(128, 1)}), wantErr: true},
		{name: "huge declared command", in: chunks(rawChunk{fmt: 0, csid: 3, length: maxCommandMessage + 1, typ: 20, payload: fill(128, 1)}), wantErr: true},
		{name: "huge declared control", in: chunks(rawChunk{fmt: 0, csid: 2, length: 1000, typ: msgUserControl}), wantErr: true},
		{name: "interleaved chunk streams",
			in: chunks(
				rawChunk{fmt: 0, csid: 6, ts: 1000, length: 300, typ: msgVideo, streamID: 1, payload: video300[:128]},
				rawChunk{fmt: 0, csid: 4, ts: 1000, length: len(audio), typ: msgAudio, streamID: 1, payload: audio},
				rawChunk{fmt: 3, csid: 6, payload: video300[128:256]},
				rawChunk{fmt: 2, csid: 4, ts: 23, payload: audio},
				rawChunk{fmt: 3, csid: 6, payload: video300[256:]},
				rawChunk{fmt: 3, csid: 4, payload: audio},
			),
			want: []gotMessage{{1000, msgAudio, 1, audio}, {1023, msgAudio, 1, audio}, {1000, msgVideo, 1, video300}, {1046, msgAudio, 1, audio}}},
		{name: "type-3 chunk with no previous header", in: chunks(rawChunk{fmt: 3, csid: 5, payload: audio}), wantErr: true},
		{name: "type-1 chunk with no previous header", in: chunks(rawChunk{fmt: 1, csid: 300, length: 4, typ: msgAudio, payload: audio[:4]}), wantErr: true},
		{name: "extended timestamp repeated on continuation chunks",
			in:   message(6, 0x1234567, msgVideo, 1, video300, 128, true),
			want: []gotMessage{{0x1234567, msgVideo, 1, video300}}},
		{name: "extended timestamp not repeated",
			in:   message(6, 0x1234567, msgVideo, 1, video300, 128, false),
			want: []gotMessage{{0x1234567, msgVideo, 1, video300}}},
		{name: "extended delta on a type-3 new message",
			in: append(message(6, 0xFFFFFF, msgVideo, 1, video300[:10], 128, false),
				rawChunk{fmt: 3, csid: 6, ts: 0xFFFFFF, extTS: true, payload: video300[:10]}.bytes()...),
			want: []gotMessage{{0xFFFFFF, msgVideo, 1, video300[:10]}, {2 * 0xFFFFFF, msgVideo, 1, video300[:10]}}},
		{name: "two-byte and three-byte chunk stream ids",
			in:   append(message(100, 1, msgAudio, 1, audio, 128, false), message(1000, 2, msgAudio, 1, audio, 128, false)...),
			want: []gotMessage{{1, msgAudio, 1, audio}, {2, msgAudio, 1, audio}}},
		{name: "abort drops a partial message",
			in: append(append(chunks(rawChunk{fmt: 0, csid: 6, length: 300, typ: msgVideo, streamID: 1, payload: video300[:128]}),
				message(2, 0, msgAbort, 0, []byte{0, 0, 0, 6}, 128, false)...),
				message(6, 7, msgVideo, 1, video300[:5], 128, false)...),
			want: []gotMessage{{7, msgVideo, 1, video300[:5]}}},
		{name: "new header before the last message ended",
			in: chunks(
				rawChunk{fmt: 0, csid: 6, length: 300, typ: msgVideo, streamID: 1, payload: video300[:128]},
				rawChunk{fmt: 1, csid: 6, ts: 40, length: 5, typ: msgVideo, payload: video300[:5]},
			),
			want: []gotMessage{{40, msgVideo, 1, video300[:5]}}},
		{name: "command", in: message(3, 0, msgCommandAMF0, 0, connectCommand, 128, false),
			want: []gotMessage{{0, msgCommandAMF0, 0, connectCommand}}},
		{name: "command with a 4 GiB long string", in: message(3, 0, msgCommandAMF0, 0, hugeLongString, 128, false), wantErr: true},
		{name: "command cut short", in: message(3, 0, msgCommandAMF0, 0, connectCommand[:len(connectCommand)-1], 128, false), wantErr: true},
		{name: "too many chunk streams", in: manyStreams(maxChunkStreams + 1), wantErr: true},
		{name: "unfinished messages beyond the buffer budget", in: halfSent(3, maxVideoMessage), wantErr: true},
	}
}

// connectCommand is connect(1, {app: "live", tcUrl: ..., fpad: false,
// audioCodecs: 3191, list: [1, null], when: date}).
var connectCommand = func() []byte {
	b := amfString(nil, "connect")
	b = amfNumber(b, 1)
	b = append(b, amf0Object)
	prop := func(k string) { b = append(binary.BigEndian.AppendUint16(b, uint16(len(k))), k...) }
	prop("app")
	b = amfString(b, "live")
	prop("tcUrl")
	b = amfString(b, "rtmp://127.0.0.1/live")
	prop("fpad")
	b = append(b, amf0Boolean, 0)
	prop("audioCodecs")
	b = amfNumber(b, 3191)
	prop("list")
	b = append(b, amf0StrictArray, 0, 0, 0, 2)
	b = amfNumber(b, 1)
	b = append(b, amf0Null)
	prop("when")
	b = append(b, amf0Date, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
	return append(b, 0, 0, amf0ObjectEnd)
}()

// hugeLongString is a command whose long string declares 4 GiB.
var hugeLongString = append(amfNumber(amfString(nil, "connect"), 1), amf0LongString, 0xFF, 0xFF, 0xFF, 0xFF, 'x')

// manyStreams opens n chunk streams with one small message each.
func manyStreams(n int) []byte {
	var b []byte
	for i := range n {
		b = append(b, message(uint32(10+i), 0, msgAudio, 1, audio[:1], 128, false)...)
	}
	return b
}

// halfSent begins n video messages of size bytes on their own chunk
// streams and sends the first half of each as one chunk.
func halfSent(n, size int) []byte {
	b := setChunkSize(uint32(size / 2))
	for i := range n {
		b = append(b, chunks(rawChunk{fmt: 0, csid: uint32(10 + i), length: size, typ: msgVideo, streamID: 1})...)
		b = append(b, make([]byte, size/2)...)
	}
	return b
}

func TestChunkReader(t *testing.T) {
	for _, tc := range readerCases() {
		t.Run(tc.name, func(t *testing.T) {
			var first []gotMessage
			for _, step := range []int{0, 1, 7, 128, 4096} {
				if step == 1 && len(tc.in) > 1<<20 {
					continue // byte at a time over megabytes adds nothing
				}
				got, err := readAll(t, tc.in, step)
				if tc.wantErr {
					if !errors.Is(err, ErrProtocol) {
						t.Fatalf("step %d: err = %v, want an ErrProtocol", step, err)
					}
					continue
				}
				if err != nil {
					t.Fatalf("step %d: %v", step, err)
				}
				if tc.want != nil && fmt.Sprint(got) != fmt.Sprint(tc.want) {
					t.Fatalf("step %d: got %v, want %v", step, got, tc.want)
				}
				for i := range got {
					if tc.want != nil && !bytes.Equal(got[i].payload, tc.want[i].payload) {
						t.Fatalf("step %d: message %d payload differs", step, i)
					}
				}
				if step == 0 {
					first = got
				} else if fmt.Sprint(got) != fmt.Sprint(first) {
					t.Fatalf("read %d bytes at a time: %v; all at once: %v", step, got, first)
				}
			}
		})
	}
}

func TestChunkReaderWatchdog(t *testing.T) {
	r := newInbound(func([]byte) error { return nil })
	t0 := time.Unix(1000, 0)
	if !r.pendingSince().IsZero() {
		t.Fatal("pending before any input")
	}
	if err := r.feed(make([]byte, 10), t0); err != nil {
		t.Fatal(err)
	}
	if got := r.pendingSince(); !got.Equal(t0) {
		t.Fatalf("half a handshake pending since %v, want %v", got, t0)
	}
	if err := r.feed(make([]byte, handshakeSize-10), t0.Add(time.Second)); err != nil {
		t.Fatal(err)
	}
	if !r.pendingSince().IsZero() {
		t.Fatal("pending after the handshake finished")
	}
	t1 := t0.Add(5 * time.Second)
	if err := r.feed(chunks(rawChunk{fmt: 0, csid: 6, length: 300, typ: msgVideo, payload: fill(100, 1)}), t1); err != nil {
		t.Fatal(err)
	}
	// Trickling more bytes of the same message does not move the clock.
	if err := r.feed(fill(20, 1), t1.Add(3*time.Second)); err != nil {
		t.Fatal(err)
	}
	if got := r.pendingSince(); !got.Equal(t1) {
		t.Fatalf("unfinished message pending since %v, want %v", got, t1)
	}
	if err := r.feed(fill(8, 1), t1.Add(4*time.Second)); err != nil { // to the chunk's end
		t.Fatal(err)
	}
	if err := r.feed(chunks(rawChunk{fmt: 3, csid: 6, payload: fill(128, 1)}, rawChunk{fmt: 3, csid: 6, payload: fill(44, 1)}), t1.Add(5*time.Second)); err != nil {
		t.Fatal(err)
	}
	if !r.pendingSince().IsZero() {
		t.Fatal("pending after the message finished")
	}
}

func TestChunkReaderReleasesLargeBuffers(t *testing.T) {
	big := fill(maxVideoMessage, 9)
	in := append(setChunkSize(maxChunkSize), message(6, 0, msgVideo, 1, big, maxChunkSize, false)...)
	// Many full-size messages in a row stay within the budget: each
	// buffer is given back once its message is delivered.
	for range 3 {
		in = append(in, message(6, 0, msgVideo, 1, big, maxChunkSize, false)...)
	}
	got, err := readAll(t, in, 64<<10)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 4 {
		t.Fatalf("%d messages, want 4", len(got))
	}
}
