package rtsp

import (
	"bytes"
	"errors"
	"fmt"
	"testing"

	"github.com/bluenviron/gortsplib/v4/pkg/format/rtph264"
	"github.com/bluenviron/gortsplib/v4/pkg/format/rtph265"
	"github.com/pion/rtp"

	"github.com/lubo-edge/lubo/media"
)

type auEncoder interface {
	Encode(au [][]byte) ([]*rtp.Packet, error)
}

// depacketizerCase builds gortsplib's packetizer of one codec (the judge:
// an independent implementation of the RFCs) and the access units of a
// 1080p-like stream: a 200 kB keyframe then small pictures, each with
// several NAL units, some small enough to be aggregated.
func depacketizerCase(t testing.TB, h265 bool) (auEncoder, [][][]byte) {
	t.Helper()
	var enc auEncoder
	var key, delta byte = 0x65, 0x41
	sei := []byte{0x06, 0x05, 0x01, 0x80}
	if h265 {
		e := &rtph265.Encoder{PayloadType: 96}
		if err := e.Init(); err != nil {
			t.Fatal(err)
		}
		enc, key, delta, sei = e, 19<<1, 1<<1, []byte{39 << 1, 1, 5, 1, 0x80}
	} else {
		e := &rtph264.Encoder{PayloadType: 96, PacketizationMode: 1}
		if err := e.Init(); err != nil {
			t.Fatal(err)
		}
		enc = e
	}
	nalu := func(typ byte, n int, fill byte) []byte {
		b := bytes.Repeat([]byte{fill}, n)
		b[0] = typ
		if h265 {
			b[1] = 1
		}
		return b
	}
	var aus [][][]byte
	for i := range 12 {
		if i%6 == 0 {
			aus = append(aus, [][]byte{sei, nalu(key, 200_000, byte(i))})
		} else {
			aus = append(aus, [][]byte{nalu(delta, 300, byte(i)), nalu(delta, 20_000, byte(i))})
		}
	}
	return enc, aus
}

// packetize makes the packets of each access unit, timestamps 3600 apart
// and sequence numbers in a row; without marker bits when marker is false.
func packetize(t testing.TB, enc auEncoder, aus [][][]byte, marker bool) [][]*rtp.Packet {
	t.Helper()
	var out [][]*rtp.Packet
	seq := uint16(0)
	for i, au := range aus {
		pkts, err := enc.Encode(au)
		if err != nil {
			t.Fatal(err)
		}
		for _, p := range pkts {
			p.Timestamp = uint32(i * 3600)
			p.SequenceNumber = seq
			seq++
			if !marker {
				p.Marker = false
			}
		}
		out = append(out, pkts)
	}
	return out
}

// gotAU is an emitted access unit, copied out of the packets.
type gotAU struct {
	nalus [][]byte
	pts   int64
}

// feed runs packets through d; packet i of access unit k has PTS k*3600.
// It returns what came out and the errors, in order.
func feed(d *depacketizer, units [][]*rtp.Packet, skip func(k, i int) bool) ([]gotAU, []error) {
	var got []gotAU
	var errs []error
	emit := func(au accessUnit, pts int64) {
		g := gotAU{pts: pts}
		au.each(func(u nalUnit) { g.nalus = append(g.nalus, bytes.Clone(u.bytes())) })
		got = append(got, g)
	}
	for k, pkts := range units {
		for i, p := range pkts {
			if skip != nil && skip(k, i) {
				continue
			}
			if err := d.decode(p, int64(k*3600), emit); err != nil {
				errs = append(errs, err)
			}
		}
	}
	return got, errs
}

func sameAU(a, b [][]byte) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if !bytes.Equal(a[i], b[i]) {
			return false
		}
	}
	return true
}

// checkAUs compares what came out with want, whose first access unit is
// the stream's number first (PTS first*3600).
func checkAUs(t *testing.T, got []gotAU, want [][][]byte, first int) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%d access units, want %d", len(got), len(want))
	}
	for i := range want {
		if !sameAU(got[i].nalus, want[i]) {
			t.Fatalf("access unit %d differs", i)
		}
		if wantPTS := int64((first + i) * 3600); got[i].pts != wantPTS {
			t.Fatalf("access unit %d has PTS %d, want %d", i, got[i].pts, wantPTS)
		}
	}
}

// With marker bits every access unit comes out whole, with its own PTS,
// for both codecs, and the depacketizer then holds no packet.
func TestDepacketizerMarkedAccessUnits(t *testing.T) {
	for _, h265 := range []bool{false, true} {
		t.Run(fmt.Sprintf("h265=%v", h265), func(t *testing.T) {
			enc, aus := depacketizerCase(t, h265)
			d := newDepacketizer(h265)
			got, errs := feed(d, packetize(t, enc, aus, true), nil)
			if len(errs) > 0 {
				t.Fatal(errs[0])
			}
			checkAUs(t, got, aus, 0)
			for _, p := range d.pieces[:cap(d.pieces)] {
				if p.data != nil {
					t.Fatal("a packet's payload is still referenced after its access unit went")
				}
			}
		})
	}
}

// Without marker bits an access unit ends at the next timestamp and keeps
// its own PTS (not the next packet's); the last waits for a next one.
func TestDepacketizerUnmarkedAccessUnits(t *testing.T) {
	enc, aus := depacketizerCase(t, false)
	got, errs := feed(newDepacketizer(false), packetize(t, enc, aus, false), nil)
	if len(errs) > 0 {
		t.Fatal(errs[0])
	}
	checkAUs(t, got, aus[:len(aus)-1], 0)
}

// A session that begins mid-picture is quiet about it; a lost fragment
// start after that is reported, and the pictures after it come out whole.
func TestDepacketizerLostStart(t *testing.T) {
	enc, aus := depacketizerCase(t, false)
	units := packetize(t, enc, aus, true)
	// Joining mid-keyframe: its first 3 packets never arrive.
	got, errs := feed(newDepacketizer(false), units, func(k, i int) bool { return k == 0 && i < 3 })
	for _, err := range errs {
		if !errors.Is(err, errNotStarted) {
			t.Fatalf("joining mid-picture: %v", err)
		}
	}
	checkAUs(t, got, aus[1:], 1)

	// Later, the FU-A start of access unit 1's big unit is lost.
	got, errs = feed(newDepacketizer(false), units, func(k, i int) bool { return k == 1 && i == 1 })
	if len(errs) == 0 || !errors.Is(errs[0], errLostStart) {
		t.Fatalf("errors %v, want the lost start reported", errs)
	}
	if len(got) != len(aus) || !sameAU(got[1].nalus, aus[1][:1]) {
		t.Fatalf("%d access units; the damaged one should keep its whole unit", len(got))
	}
	for i := 2; i < len(aus); i++ {
		if !sameAU(got[i].nalus, aus[i]) {
			t.Fatalf("access unit %d after the loss differs", i)
		}
	}
}

// A gap in a fragmented unit's sequence numbers drops that unit and
// keeps the rest of the picture and the pictures after it.
func TestDepacketizerLostFragment(t *testing.T) {
	for _, h265 := range []bool{false, true} {
		t.Run(fmt.Sprintf("h265=%v", h265), func(t *testing.T) {
			enc, aus := depacketizerCase(t, h265)
			units := packetize(t, enc, aus, true)
			got, errs := feed(newDepacketizer(h265), units, func(k, i int) bool { return k == 0 && i == 40 })
			if len(errs) != 1 || !errors.Is(errs[0], errLostFragment) {
				t.Fatalf("errors %v, want one lost fragment", errs)
			}
			if !sameAU(got[0].nalus, aus[0][:1]) {
				t.Fatalf("the damaged keyframe kept %d units, want only the SEI", len(got[0].nalus))
			}
			checkAUs(t, got[1:], aus[1:], 1)
		})
	}
}

// Hand-made packets for the corners gortsplib's packetizer never makes.
func TestDepacketizerCorners(t *testing.T) {
	pkt := func(seq uint16, marker bool, payload ...byte) *rtp.Packet {
		return &rtp.Packet{Header: rtp.Header{SequenceNumber: seq, Marker: marker}, Payload: payload}
	}
	cases := []struct {
		name    string
		h265    bool
		pkts    []*rtp.Packet
		want    [][]byte
		wantErr bool
	}{
		{"FU-A with start and end in one packet", false,
			[]*rtp.Packet{pkt(1, true, 0x7c, 0xc1, 0xaa, 0xbb)}, [][]byte{{0x61, 0xaa, 0xbb}}, false},
		{"STAP-A with zero padding", false,
			[]*rtp.Packet{pkt(1, true, 0x18, 0, 2, 0x67, 1, 0, 1, 0x68, 0, 0, 0)}, [][]byte{{0x67, 1}, {0x68}}, false},
		{"STAP-A cut inside a unit", false,
			[]*rtp.Packet{pkt(1, true, 0x18, 0, 9, 0x67, 1)}, nil, true},
		{"Annex-B inside a single NAL unit packet", false,
			[]*rtp.Packet{pkt(1, true, 0, 0, 0, 1, 0x67, 1, 0, 0, 0, 1, 0x68, 2)}, [][]byte{{0x67, 1}, {0x68, 2}}, false},
		{"FU-B is refused", false, []*rtp.Packet{pkt(1, true, 0x1d, 0x81, 1)}, nil, true},
		{"H.265 FU rebuilds the two-byte header", true,
			[]*rtp.Packet{pkt(1, false, 49<<1, 1, 0x80|19, 0xaa), pkt(2, true, 49<<1, 1, 0x40|19, 0xbb)},
			[][]byte{{19 << 1, 1, 0xaa, 0xbb}}, false},
		{"H.265 AP", true,
			[]*rtp.Packet{pkt(1, true, 48<<1, 1, 0, 3, 32<<1, 1, 9, 0, 2, 1<<1, 1)}, [][]byte{{32 << 1, 1, 9}, {1 << 1, 1}}, false},
		{"H.265 PACI is refused", true, []*rtp.Packet{pkt(1, true, 50<<1, 1, 0, 0)}, nil, true},
		{"a payload shorter than its header", true, []*rtp.Packet{pkt(1, true, 2)}, nil, true},
		{"an FU whose end never came is left out", false,
			[]*rtp.Packet{pkt(1, false, 0x7c, 0x85, 1), pkt(2, true, 0x41, 7)}, [][]byte{{0x41, 7}}, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			d := newDepacketizer(c.h265)
			var got [][]byte
			var err error
			for _, p := range c.pkts {
				if e := d.decode(p, 0, func(au accessUnit, _ int64) {
					au.each(func(u nalUnit) { got = append(got, bytes.Clone(u.bytes())) })
				}); e != nil {
					err = e
				}
			}
			if (err != nil) != c.wantErr {
				t.Fatalf("error %v, want one: %v", err, c.wantErr)
			}
			if !sameAU(got, c.want) {
				t.Fatalf("units %x, want %x", got, c.want)
			}
		})
	}
}

// An access unit over the unit-count limit is dropped whole, with one
// error: its tail does not come out as a picture of its own, and the next
// access unit comes out as usual.
func TestDepacketizerLimit(t *testing.T) {
	d := newDepacketizer(false)
	var errs []error
	var got [][]byte
	emit := func(au accessUnit, _ int64) {
		au.each(func(u nalUnit) { got = append(got, bytes.Clone(u.bytes())) })
	}
	seq := uint16(0)
	send := func(ts uint32, marker bool, payload ...byte) {
		p := &rtp.Packet{Header: rtp.Header{SequenceNumber: seq, Timestamp: ts, Marker: marker}, Payload: payload}
		seq++
		if err := d.decode(p, int64(ts), emit); err != nil {
			errs = append(errs, err)
		}
	}
	const slices = maxAUNALUs + 5
	for i := range slices {
		send(0, i == slices-1, 0x41, byte(i))
	}
	if len(errs) != 1 || len(got) != 0 {
		t.Fatalf("%d errors and %d units out for an access unit of %d slices; want 1 and none", len(errs), len(got), slices)
	}
	send(3600, true, 0x41, 0xaa)
	if len(got) != 1 || !bytes.Equal(got[0], []byte{0x41, 0xaa}) {
		t.Fatalf("the next access unit gave %x", got)
	}
	// Without a marker, the dropped access unit's tail ends at the next
	// timestamp just the same.
	got, errs = nil, nil
	for i := range slices {
		send(7200, false, 0x41, byte(i))
	}
	send(10800, true, 0x41, 0xbb)
	if len(errs) != 1 || len(got) != 1 || !bytes.Equal(got[0], []byte{0x41, 0xbb}) {
		t.Fatalf("unmarked: %d errors, units %x", len(errs), got)
	}
}

// A fragmented unit of empty fragments that never ends (a hostile peer)
// adds pieces but no bytes: it is dropped at the piece limit, not kept
// growing.
func TestDepacketizerEmptyFragmentsAreBounded(t *testing.T) {
	d := newDepacketizer(false)
	start := &rtp.Packet{Header: rtp.Header{SequenceNumber: 0}, Payload: []byte{0x7c, 0x85}}
	if err := d.decode(start, 0, func(accessUnit, int64) { t.Fatal("an access unit came out") }); err != nil {
		t.Fatal(err)
	}
	var err error
	for i := 1; i <= maxAUPieces+10; i++ {
		p := &rtp.Packet{Header: rtp.Header{SequenceNumber: uint16(i)}, Payload: []byte{0x7c, 0x05}}
		if e := d.decode(p, 0, func(accessUnit, int64) { t.Fatal("an access unit came out") }); e != nil {
			err = e
		}
		if len(d.pieces) > maxAUPieces+1 {
			t.Fatalf("%d pieces held", len(d.pieces))
		}
	}
	if err == nil {
		t.Fatal("no error for an access unit past the piece limit")
	}
	if cap(d.pieces) > keptPieces {
		t.Fatalf("the list of %d pieces is kept after the access unit was dropped", cap(d.pieces))
	}
}

// FuzzDepacketizer feeds arbitrary payloads, marker bits, timestamps and
// sequence numbers: packets are refused or make access units whose sizes
// add up, never a panic.
func FuzzDepacketizer(f *testing.F) {
	f.Add([]byte{0x7c, 0x85, 1, 2}, []byte{0x7c, 0x45, 3}, true, false, uint16(1))
	f.Add([]byte{0x18, 0, 2, 0x67, 1, 0, 1, 0x68}, []byte{0x41, 0x9a}, false, true, uint16(1))
	f.Add([]byte{0x62, 1, 0x93, 1}, []byte{0x62, 1, 0x53, 2}, true, true, uint16(2))
	f.Add([]byte{0x60, 1, 0, 3, 0x40, 1, 9}, []byte{0, 0, 0, 1, 0x41}, false, false, uint16(1))
	f.Fuzz(func(t *testing.T, a, b []byte, markA, sameTS bool, step uint16) {
		for _, h265 := range []bool{false, true} {
			d := newDepacketizer(h265)
			for i := range 6 {
				p := &rtp.Packet{Header: rtp.Header{SequenceNumber: uint16(i) * step, Marker: i%2 == 1 || markA}, Payload: a}
				if i%2 == 1 {
					p.Payload = b
				}
				if !sameTS {
					p.Timestamp = uint32(i / 2 * 3600)
				}
				_ = d.decode(p, 0, func(au accessUnit, _ int64) {
					n, size := 0, 0
					au.each(func(u nalUnit) {
						n++
						size += len(u.bytes())
						if len(u.header()) == 0 {
							t.Fatal("a NAL unit without a header")
						}
					})
					if n != au.units || size != au.size || n == 0 {
						t.Fatalf("%d units of %d bytes, the access unit says %d of %d", n, size, au.units, au.size)
					}
				})
			}
		}
	})
}

// BenchmarkDepacketize: RTP packets of a 1080p-like H.264 stream (a 200 kB
// keyframe, then 20 kB pictures) to frames, one access unit per op, by
// gortsplib's depacketizer then lubo's assembler (what lubo did before),
// and by lubo's depacketizer and assembler (one copy). retained-B is the
// heap the depacketizer still holds after the picture that follows a
// keyframe: what it keeps alive per camera.
func BenchmarkDepacketize(b *testing.B) {
	enc, aus := depacketizerCase(b, false)
	packets := packetize(b, enc, aus, true)
	sps := []byte{0x67, 0x42, 0xc0, 0x28, 0xd9, 0x00, 0x78, 0x02, 0x27, 0xe5, 0x84, 0x00, 0x00, 0x03, 0x00, 0x04, 0x00, 0x00, 0x03, 0x00, 0xf0, 0x3c, 0x60, 0xc9, 0x20}
	pps := []byte{0x68, 0xcb, 0x83, 0xcb, 0x20}
	for _, kind := range []string{"gortsplib", "lubo"} {
		b.Run(kind, func(b *testing.B) {
			a := newVideoAssembler(media.H264, nil, sps, pps, nil)
			a.dtsBroken = true // the synthetic slices carry no picture order
			g := &rtph264.Decoder{PacketizationMode: 1}
			if err := g.Init(); err != nil {
				b.Fatal(err)
			}
			d := newDepacketizer(false)
			push := func(au accessUnit, pts int64) {
				if _, err := a.push(au, pts); err != nil {
					b.Fatal(err)
				}
			}
			// Packets are copied as gortsplib's reader makes them: one
			// buffer each.
			feed := func(i int) {
				for _, p := range packets[i%len(packets)] {
					q := *p
					q.Payload = append([]byte(nil), p.Payload...)
					if kind == "lubo" {
						if err := d.decode(&q, int64(i), push); err != nil {
							b.Fatal(err)
						}
						continue
					}
					if au, err := g.Decode(&q); err == nil {
						push(wholeUnits(au), int64(i))
					} else if !errors.Is(err, rtph264.ErrMorePacketsNeeded) {
						b.Fatal(err)
					}
				}
			}
			b.ReportAllocs()
			i := 0
			for b.Loop() {
				feed(i)
				i++
			}
		})
	}
}

// A camera that cuts a slice per macroblock row (30 at 640x480, 68 at
// 1080p) sends more NAL units per picture than mediacommon's limit of 25:
// every picture still comes out whole, through gortsplib's packetizer,
// the depacketizer and the assembler.
func TestDepacketizerManySlices(t *testing.T) {
	c := loadClip(t, clipH264Rows)
	enc := &rtph264.Encoder{PayloadType: 96, PacketizationMode: 1}
	if err := enc.Init(); err != nil {
		t.Fatal(err)
	}
	v := c.tracks.Video
	a := newVideoAssembler(media.H264, nil, v.SPS, v.PPS, func(kind, msg string) { t.Errorf("note %s: %s", kind, msg) })
	d := newDepacketizer(false)
	var in, out, most int
	for _, f := range c.frames {
		if !f.IsVideo() {
			continue
		}
		in++
		nalus := nalusOf(f)
		most = max(most, len(nalus))
		pkts, err := enc.Encode(nalus)
		if err != nil {
			t.Fatal(err)
		}
		for _, p := range pkts {
			p.Timestamp = uint32(ticks(f.PTS))
			if err := d.decode(p, ticks(f.PTS), func(au accessUnit, pts int64) {
				fr, err := a.push(au, pts)
				if err != nil || fr == nil {
					t.Fatalf("picture %d: %v", in, err)
				}
				out++
			}); err != nil {
				t.Fatalf("picture %d: %v", in, err)
			}
		}
	}
	if most <= 25 {
		t.Fatalf("the clip has at most %d NAL units a picture; the test wants more than 25", most)
	}
	if out != in {
		t.Fatalf("%d pictures out of %d", out, in)
	}
}
