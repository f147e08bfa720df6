package rtsp

import (
	"bytes"
	"errors"
	"fmt"
	"testing"

	"github.com/bluenviron/gortsplib/v4/pkg/format/rtph264"
	"github.com/bluenviron/gortsplib/v4/pkg/format/rtph265"
	"github.com/pion/rtp"
)

type auEncoder interface {
	Encode(au [][]byte) ([]*rtp.Packet, error)
}

// decoderCase builds the encoder and a renewing decoder of one codec, and
// the access units of a 1080p-like stream: a 200 kB keyframe then small
// pictures, each with several NAL units.
func decoderCase(t *testing.T, h265 bool) (auEncoder, *renewingDecoder, [][][]byte) {
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
	dec := newTestDecoder(t, h265)
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
	return enc, dec, aus
}

func newTestDecoder(t *testing.T, h265 bool) *renewingDecoder {
	t.Helper()
	create := func() (auDecoder, error) {
		d := &rtph264.Decoder{PacketizationMode: 1}
		return d, d.Init()
	}
	if h265 {
		create = func() (auDecoder, error) {
			d := &rtph265.Decoder{}
			return d, d.Init()
		}
	}
	dec, err := newRenewingDecoder(create)
	if err != nil {
		t.Fatal(err)
	}
	return dec
}

func packetize(t *testing.T, enc auEncoder, aus [][][]byte, marker bool) [][]*rtp.Packet {
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

// With marker bits, every access unit comes out whole and the depacketizer
// that took a keyframe's fragments is not the one the next pictures use.
func TestRenewingDecoderRenewsAfterMarkedAccessUnits(t *testing.T) {
	for _, h265 := range []bool{false, true} {
		t.Run(fmt.Sprintf("h265=%v", h265), func(t *testing.T) {
			enc, dec, aus := decoderCase(t, h265)
			var got [][][]byte
			for i, pkts := range packetize(t, enc, aus, true) {
				before := dec.dec
				for _, p := range pkts {
					au, err := dec.Decode(p)
					if err != nil {
						if incomplete(err) {
							continue
						}
						t.Fatalf("access unit %d: %v", i, err)
					}
					got = append(got, au)
				}
				if dec.dec == before {
					t.Fatalf("access unit %d: the depacketizer was kept", i)
				}
			}
			if len(got) != len(aus) {
				t.Fatalf("%d access units out of %d", len(got), len(aus))
			}
			for i := range aus {
				if !sameAU(got[i], aus[i]) {
					t.Fatalf("access unit %d differs", i)
				}
			}
		})
	}
}

// Without marker bits access units end at the next timestamp, and the
// depacketizer, which then holds the next picture's units, is kept.
func TestRenewingDecoderKeepsDepacketizerWithoutMarkers(t *testing.T) {
	enc, dec, aus := decoderCase(t, false)
	first := dec.dec
	var got [][][]byte
	for _, pkts := range packetize(t, enc, aus, false) {
		for _, p := range pkts {
			au, err := dec.Decode(p)
			if err == nil {
				got = append(got, au)
			} else if !incomplete(err) {
				t.Fatal(err)
			}
		}
	}
	if dec.dec != first {
		t.Fatal("the depacketizer was renewed while it held a picture")
	}
	if len(got) != len(aus)-1 { // the last one waits for a next timestamp
		t.Fatalf("%d access units out of %d", len(got), len(aus)-1)
	}
	for i := range got {
		if !sameAU(got[i], aus[i]) {
			t.Fatalf("access unit %d differs", i)
		}
	}
}

// A picture whose first fragment is lost is reported (not taken for the
// stream starting mid-picture), and the pictures after it come out whole.
func TestRenewingDecoderReportsLostStart(t *testing.T) {
	enc, dec, aus := decoderCase(t, false)
	packets := packetize(t, enc, aus, true)
	var lost bool
	var got int
	for i, pkts := range packets {
		for j, p := range pkts {
			if i == 1 && j <= 1 { // the small NAL unit, the FU-A start of the big one
				continue
			}
			_, err := dec.Decode(p)
			switch {
			case errors.Is(err, errLostStart):
				lost = true
			case err == nil:
				got++
			}
		}
	}
	if !lost {
		t.Fatal("the lost start was not reported")
	}
	if got < len(aus)-1 {
		t.Fatalf("%d access units after the loss, want at least %d", got, len(aus)-1)
	}
}

// FuzzRenewingDecoder feeds arbitrary RTP payloads, marker bits and
// timestamps: packets are refused or make access units, never a panic.
func FuzzRenewingDecoder(f *testing.F) {
	f.Add([]byte{0x7c, 0x85, 1, 2}, []byte{0x7c, 0x45, 3}, true, false)
	f.Add([]byte{0x18, 0, 2, 0x67, 1, 0, 1, 0x68}, []byte{0x41, 0x9a}, false, true)
	f.Add([]byte{0x62, 1, 0x93, 1}, []byte{0x62, 1, 0x53, 2}, true, true)
	f.Fuzz(func(t *testing.T, a, b []byte, markA, sameTS bool) {
		for _, h265 := range []bool{false, true} {
			dec := newTestDecoder(t, h265)
			for i := range 4 {
				p := &rtp.Packet{Header: rtp.Header{SequenceNumber: uint16(i), Timestamp: 0, Marker: i%2 == 1 || markA}, Payload: a}
				if i%2 == 1 {
					p.Payload = b
				}
				if !sameTS {
					p.Timestamp = uint32(i / 2 * 3600)
				}
				au, err := dec.Decode(p)
				if err == nil && len(au) == 0 {
					t.Fatal("no error and no NAL unit")
				}
			}
		}
	})
}

// One lost marker bit skips one renewal, not every later one: the
// depacketizer is renewed again after the next clean access unit, and
// every access unit still comes out whole.
func TestRenewingDecoderRecoversFromALostMarker(t *testing.T) {
	enc, dec, aus := decoderCase(t, false)
	if len(aus) < 6 {
		t.Fatalf("the case has %d access units; want 6 or more", len(aus))
	}
	units := packetize(t, enc, aus, true)
	last := units[1][len(units[1])-1]
	last.Marker = false // the marker of access unit 1 is lost
	var got [][][]byte
	renewedAfter := false
	for i, pkts := range units {
		before := dec.dec
		for _, p := range pkts {
			au, err := dec.Decode(p)
			if err == nil {
				got = append(got, au)
			} else if !incomplete(err) {
				t.Fatalf("access unit %d: %v", i, err)
			}
		}
		if i >= 3 && dec.dec != before {
			renewedAfter = true
		}
	}
	if !renewedAfter {
		t.Fatal("after one lost marker the depacketizer was never renewed again")
	}
	if len(got) != len(aus) {
		t.Fatalf("%d access units out of %d", len(got), len(aus))
	}
	for i := range aus {
		if !sameAU(got[i], aus[i]) {
			t.Fatalf("access unit %d differs", i)
		}
	}
}
