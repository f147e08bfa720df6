package rtsp

import (
	"bytes"
	"errors"
	"fmt"

	"github.com/bluenviron/mediacommon/v2/pkg/codecs/h264"
	"github.com/pion/rtp"

	"github.com/lubo-edge/lubo/media"
)

// Limits of one access unit, whatever the camera sends. The byte limit is
// mediacommon's, which muxers downstream apply too; its NAL unit limit (25)
// is not taken: an encoder that cuts a slice per macroblock row sends 68
// per 1080p picture.
const (
	maxAUBytes = h264.MaxAccessUnitSize
	maxAUNALUs = 1024
	// maxAUPieces bounds the pieces too: empty fragments add pieces and
	// no bytes. A real access unit of maxAUBytes in 1400-byte packets is
	// about 6000.
	maxAUPieces = 1 << 14
	// keptPieces is the piece list kept for reuse: a 1080p keyframe is
	// about 150 packets.
	keptPieces = 1024
)

var (
	// errNotStarted: a fragment's continuation before any fragment start,
	// as when a session begins mid-picture; not worth a log line.
	errNotStarted = errors.New("fragment continuation before the first start")
	// errLostStart: the same after the stream had started: a lost packet.
	errLostStart = errors.New("fragment without its start (a packet was lost)")
	// errLostFragment: a gap in the sequence numbers inside a fragmented
	// NAL unit; the unit is dropped, the rest of the picture kept.
	errLostFragment = errors.New("a packet of a fragmented NAL unit was lost; the unit is dropped")
)

// nalPiece is one contiguous part of a NAL unit as it came in a packet. A
// unit sent whole is one piece; a fragmented one (H.264 FU-A, H.265 FU) is
// a piece holding its rebuilt header, then one piece per fragment.
type nalPiece struct {
	head  [2]byte // a fragmented unit's rebuilt NAL header
	nhead uint8   // bytes of head in use
	first bool    // the piece starts a NAL unit
	data  []byte  // into the packet's payload
}

// depacketizer rebuilds access units from the RTP packets of one H.264
// (RFC 6184) or H.265 (RFC 7798) stream without copying them: the pieces
// point into the packets' payloads, which gortsplib allocates per packet
// and never reuses, and the one copy is made by whoever takes the unit
// (the frame's Annex-B bytes). An access unit ends at a packet with the
// marker bit, or at the first packet of a new timestamp, for cameras that
// do not mark.
type depacketizer struct {
	h265 bool

	pieces  []nalPiece // the access unit so far; cleared when it goes
	units   int        // whole NAL units in pieces
	size    int        // their bytes, headers included
	ts      uint32     // the access unit's RTP timestamp
	pts     int64      // and its PTS, given with its first packet
	open    bool       // pieces belong to the access unit at ts
	discard bool       // the access unit at ts went over a limit: drop the rest

	fuFrom  int    // index in pieces of the open fragmented unit; -1: none
	nextSeq uint16 // sequence number its next fragment must have
	skipFU  bool   // the open unit was lost: its other fragments go quietly
	started bool   // a packet was taken since the session began
	annexB  bool   // the camera wraps single NAL units in start codes
}

func newDepacketizer(h265 bool) *depacketizer {
	return &depacketizer{h265: h265, fuFrom: -1}
}

// decode takes one packet with its PTS and calls emit with each access
// unit it completes (at most two: one ended by a new timestamp, then this
// packet's own when it is marked). The access unit is valid only during
// emit. An error drops the packet, or the part of the access unit it
// damaged; errNotStarted is expected at the start of a session.
func (d *depacketizer) decode(pkt *rtp.Packet, pts int64, emit func(au accessUnit, pts int64)) error {
	if d.open && pkt.Timestamp != d.ts {
		d.flush(emit)
	}
	if !d.open {
		d.open, d.ts, d.pts = true, pkt.Timestamp, pts
	}
	if d.discard { // the rest of an access unit already dropped
		if pkt.Marker {
			d.reset()
		}
		return nil
	}
	err := d.take(pkt)
	if err == nil {
		d.started = true
		if d.units > maxAUNALUs || d.size > maxAUBytes || len(d.pieces) > maxAUPieces {
			err = fmt.Errorf("access unit of over %d NAL units, %d bytes or %d packets: dropped", maxAUNALUs, maxAUBytes, maxAUPieces)
			d.reset()
			// Its other packets go quietly; its tail is no picture.
			d.open, d.discard = !pkt.Marker, !pkt.Marker
		}
	}
	if pkt.Marker {
		d.flush(emit)
	}
	return err
}

// flush emits the access unit so far, less an unfinished fragmented unit,
// and starts afresh.
func (d *depacketizer) flush(emit func(au accessUnit, pts int64)) {
	d.dropOpenFU()
	if d.units > 0 {
		emit(accessUnit{pieces: d.pieces, size: d.size, units: d.units}, d.pts)
	}
	d.reset()
}

func (d *depacketizer) reset() {
	clear(d.pieces) // the payloads go with the packets
	d.pieces = d.pieces[:0]
	if cap(d.pieces) > keptPieces {
		d.pieces = nil // an outsize access unit's list is not kept for the next
	}
	d.units, d.size, d.open, d.fuFrom, d.discard = 0, 0, false, -1, false
}

// dropOpenFU forgets a fragmented unit whose end never came.
func (d *depacketizer) dropOpenFU() {
	if d.fuFrom < 0 {
		return
	}
	for _, p := range d.pieces[d.fuFrom:] {
		d.size -= int(p.nhead) + len(p.data)
	}
	clear(d.pieces[d.fuFrom:])
	d.pieces = d.pieces[:d.fuFrom]
	d.fuFrom = -1
}

func (d *depacketizer) whole(b []byte) {
	d.pieces = append(d.pieces, nalPiece{first: true, data: b})
	d.units++
	d.size += len(b)
}

// take adds the NAL units of one packet.
func (d *depacketizer) take(pkt *rtp.Packet) error {
	p := pkt.Payload
	hl := 1 // payload header: the NAL unit header
	if d.h265 {
		hl = 2
	}
	if len(p) < hl {
		return fmt.Errorf("RTP payload of %d bytes: too short for a NAL unit header", len(p))
	}
	typ := p[0] & 0x1f
	if d.h265 {
		typ = p[0] >> 1 & 0x3f
	}
	if !d.h265 && typ == 28 || d.h265 && typ == 49 { // FU-A, FU
		return d.takeFragment(pkt, hl)
	}
	d.skipFU = false
	switch {
	case !d.h265 && typ == 24, d.h265 && typ == 48: // STAP-A, AP
		d.dropOpenFU()
		return d.takeAggregate(p[hl:])
	case !d.h265 && (typ == 25 || typ == 26 || typ == 27 || typ == 29), d.h265 && typ == 50:
		d.dropOpenFU()
		return fmt.Errorf("RTP packet type %d (interleaved mode or PACI) is not supported", typ)
	}
	d.dropOpenFU()
	// Some cameras put Annex-B start codes inside a single NAL unit
	// packet; once one does, its packets are split at them.
	if !d.annexB && bytes.Contains(p, []byte{0, 0, 0, 1}) {
		d.annexB = true
	}
	if d.annexB {
		n := d.units
		media.SplitAnnexB(p, func(nalu []byte) bool {
			d.whole(nalu)
			return true
		})
		if d.units == n {
			return errors.New("RTP packet with start codes and no NAL unit")
		}
		return nil
	}
	d.whole(p)
	return nil
}

// takeAggregate splits an STAP-A (H.264) or AP (H.265) payload: NAL
// units, each behind its 16-bit size.
func (d *depacketizer) takeAggregate(b []byte) error {
	n := d.units
	for len(b) > 0 {
		if len(b) < 2 {
			return errors.New("aggregation packet cut inside a NAL unit size")
		}
		size := int(b[0])<<8 | int(b[1])
		b = b[2:]
		if size == 0 {
			if allZero(b) {
				break // padding
			}
			return errors.New("aggregation packet with an empty NAL unit")
		}
		if size > len(b) {
			return fmt.Errorf("aggregation packet: NAL unit of %d bytes, %d left", size, len(b))
		}
		d.whole(b[:size])
		b = b[size:]
	}
	if d.units == n {
		return errors.New("aggregation packet without a NAL unit")
	}
	return nil
}

// takeFragment adds one fragment of a fragmented NAL unit; hl is the
// length of the payload header, the FU header follows it.
func (d *depacketizer) takeFragment(pkt *rtp.Packet, hl int) error {
	p := pkt.Payload
	if len(p) < hl+1 {
		return errors.New("fragmentation unit without its FU header")
	}
	fu := p[hl]
	start, end := fu&0x80 != 0, fu&0x40 != 0
	if start {
		d.skipFU = false
		d.dropOpenFU() // its end was lost
		piece := nalPiece{first: true}
		if d.h265 {
			piece.head = [2]byte{p[0]&0x81 | (fu&0x3f)<<1, p[1]}
			piece.nhead = 2
		} else {
			piece.head[0] = p[0]&0xe0 | fu&0x1f
			piece.nhead = 1
		}
		d.fuFrom = len(d.pieces)
		d.pieces = append(d.pieces, piece)
		d.size += int(piece.nhead)
	} else {
		switch {
		case d.fuFrom < 0 && d.skipFU:
			return nil // the rest of a unit already reported
		case d.fuFrom < 0 && !d.started:
			return errNotStarted
		case d.fuFrom < 0:
			d.skipFU = true
			return errLostStart
		case pkt.SequenceNumber != d.nextSeq:
			d.dropOpenFU()
			d.skipFU = true
			return errLostFragment
		}
	}
	d.pieces = append(d.pieces, nalPiece{data: p[hl+1:]})
	d.size += len(p) - hl - 1
	d.nextSeq = pkt.SequenceNumber + 1
	if end {
		// RFC 6184 forbids start and end in one FU; some cameras send it
		// for small pictures anyway, and it is a whole unit all the same.
		d.fuFrom = -1
		d.units++
	}
	return nil
}

func allZero(b []byte) bool {
	for _, c := range b {
		if c != 0 {
			return false
		}
	}
	return true
}

// accessUnit is a rebuilt access unit: NAL units as pieces of packets.
type accessUnit struct {
	pieces []nalPiece
	size   int // bytes of all its NAL units
	units  int
}

// nalUnit is one NAL unit of an accessUnit.
type nalUnit struct {
	pieces []nalPiece
	size   int
}

// each calls fn with every NAL unit, in order.
func (au accessUnit) each(fn func(u nalUnit)) {
	for i := 0; i < len(au.pieces); {
		j, size := i+1, int(au.pieces[i].nhead)+len(au.pieces[i].data)
		for j < len(au.pieces) && !au.pieces[j].first {
			size += len(au.pieces[j].data)
			j++
		}
		fn(nalUnit{pieces: au.pieces[i:j], size: size})
		i = j
	}
}

// header is the unit's first bytes (up to 2), enough to tell its type.
func (u nalUnit) header() []byte {
	p := u.pieces[0]
	if p.nhead > 0 {
		return p.head[:p.nhead]
	}
	return p.data[:min(len(p.data), 2)]
}

// appendTo appends the unit's bytes to b.
func (u nalUnit) appendTo(b []byte) []byte {
	for _, p := range u.pieces {
		b = append(b, p.head[:p.nhead]...)
		b = append(b, p.data...)
	}
	return b
}

// bytes is the unit in one slice: the packet's own bytes when it came
// whole, a new copy when it came in fragments.
func (u nalUnit) bytes() []byte {
	if len(u.pieces) == 1 && u.pieces[0].nhead == 0 {
		return u.pieces[0].data
	}
	return u.appendTo(make([]byte, 0, u.size))
}
