package segmenter

import (
	"encoding/binary"
	"time"

	"github.com/lubo-edge/lubo/media"
)

// MPEG-TS packetizing (ISO/IEC 13818-1), written here so that a segment is
// made with no allocation: every 188-byte packet is built in one array the
// writer keeps and copied straight to the segment's buffer.

const (
	tsPacketSize = 188
	pmtPID       = 0x200 // PIDs as gomedia's muxer chose them, so segments look as before
	firstESPID   = 0x100

	streamTypeAAC  = 0x0f
	streamTypeH264 = 0x1b
	streamTypeH265 = 0x24

	pesVideoID = 0xe0
	pesAudioID = 0xc0

	// psiInterval is how often PAT and PMT are repeated within a segment.
	psiInterval = 400 * time.Millisecond
)

var (
	h264AUD = []byte{0, 0, 0, 1, 0x09, 0xf0}
	h265AUD = []byte{0, 0, 0, 1, 0x46, 0x01, 0x50}
)

// mpegCRC is the CRC-32/MPEG-2 of PSI sections: polynomial 0x04C11DB7, not
// reflected, initial value all ones, no final xor.
func mpegCRC(b []byte) uint32 {
	crc := uint32(0xffffffff)
	for _, c := range b {
		crc ^= uint32(c) << 24
		for range 8 {
			if crc&0x80000000 != 0 {
				crc = crc<<1 ^ 0x04c11db7
			} else {
				crc <<= 1
			}
		}
	}
	return crc
}

// packetHeader fills the 4-byte TS header of p and gives the PID its next
// continuity counter.
func (w *tsWriter) packetHeader(p []byte, pid uint16, start, adaptation bool) {
	p[0] = 0x47
	p[1] = byte(pid>>8) & 0x1f
	if start {
		p[1] |= 0x40
	}
	p[2] = byte(pid)
	cc := &w.cc[ccSlot(pid)]
	p[3] = 0x10 | *cc&0x0f
	if adaptation {
		p[3] |= 0x20
	}
	*cc++
}

// ccSlot is where the continuity counter of one of the four PIDs a segment
// can use is kept.
func ccSlot(pid uint16) int {
	switch pid {
	case 0:
		return 0
	case pmtPID:
		return 1
	case firstESPID:
		return 2
	}
	return 3 // firstESPID+1
}

// writePSI emits PAT and PMT.
func (w *tsWriter) writePSI() {
	// PAT: one program, number 1, whose PMT is on pmtPID.
	p := w.next()
	w.packetHeader(p, 0, true, false)
	sec := p[5:5]
	sec = append(sec, 0x00, 0xb0, 13, 0x00, 0x01, 0xc1, 0x00, 0x00,
		0x00, 0x01, 0xe0|byte(pmtPID>>8), byte(pmtPID&0xff))
	endSection(p, sec)

	// PMT: the PCR on the video PID when there is video, else on audio.
	p = w.next()
	w.packetHeader(p, pmtPID, true, false)
	sec = p[5:5]
	n := 0
	if w.videoPID != 0 {
		n++
	}
	if w.audioPID != 0 {
		n++
	}
	pcr := w.pcrPID()
	sec = append(sec, 0x02, 0xb0, byte(13+5*n), 0x00, 0x01, 0xc1, 0x00, 0x00,
		0xe0|byte(pcr>>8), byte(pcr), 0xf0, 0x00)
	if w.videoPID != 0 {
		st := byte(streamTypeH264)
		if w.tracks.Video.Codec == media.H265 {
			st = streamTypeH265
		}
		sec = append(sec, st, 0xe0|byte(w.videoPID>>8), byte(w.videoPID), 0xf0, 0x00)
	}
	if w.audioPID != 0 {
		sec = append(sec, streamTypeAAC, 0xe0|byte(w.audioPID>>8), byte(w.audioPID), 0xf0, 0x00)
	}
	endSection(p, sec)
}

// endSection appends the CRC to a section built at p[5:] and fills the
// rest of the packet.
func endSection(p, sec []byte) {
	p[4] = 0 // pointer field
	sec = binary.BigEndian.AppendUint32(sec, mpegCRC(sec))
	for i := 5 + len(sec); i < tsPacketSize; i++ {
		p[i] = 0xff
	}
}

func (w *tsWriter) pcrPID() uint16 {
	if w.videoPID != 0 {
		return w.videoPID
	}
	return w.audioPID
}

// writePES emits one access unit as a PES packet spread over TS packets:
// the first carries the PES header (PTS and DTS, in 90 kHz), a random access
// flag on keyframes and the PCR on the PCR PID, the last is padded with
// adaptation field stuffing. prefix (an access unit delimiter) goes before
// data.
func (w *tsWriter) writePES(pid uint16, streamID byte, prefix, data []byte, pts, dts uint64, random bool) {
	var hdr [19]byte
	hdr[2], hdr[3] = 1, streamID
	if n := 13 + len(prefix) + len(data); n <= 0xffff {
		binary.BigEndian.PutUint16(hdr[4:], uint16(n))
	}
	hdr[6] = 0x80
	if random {
		hdr[6] |= 0x04 // data alignment
	}
	hdr[7], hdr[8] = 0xc0, 10 // PTS and DTS
	putTimestamp(hdr[9:], 0x3, pts)
	putTimestamp(hdr[14:], 0x1, dts)

	// The first packet: header, adaptation field, PES header, prefix.
	pcr := pid == w.pcrPID()
	first := true
	for first || len(data) > 0 {
		var af [8]byte // flags and PCR; stuffing is added below
		afLen := 0     // bytes of adaptation field after its length byte
		hasAF := false
		if first && (random || pcr) {
			hasAF, afLen = true, 1
			if random {
				af[0] |= 0x40
			}
			if pcr {
				af[0] |= 0x10
				base := dts
				if base == 0 {
					base = pts
				}
				putPCR(af[1:7], base)
				afLen += 6
			}
		}
		head := 4
		if hasAF {
			head += 1 + afLen
		}
		var pesHead []byte
		if first {
			pesHead = hdr[:]
		}
		room := tsPacketSize - head - len(pesHead) - len(prefix)
		if !first {
			room = tsPacketSize - head
		}
		take := min(room, len(data))
		stuff := room - take
		if stuff > 0 {
			if !hasAF {
				hasAF = true
				stuff-- // the length byte
				if stuff > 0 {
					afLen = 1 // flags byte, no flag set
					stuff--
				}
			}
		}
		pkt := w.next()
		w.packetHeader(pkt, pid, first, hasAF)
		p := pkt[4:4]
		if hasAF {
			p = append(p, byte(afLen+stuff))
			p = append(p, af[:afLen]...)
			for range stuff {
				p = append(p, 0xff)
			}
		}
		if first {
			p = append(p, pesHead...)
			p = append(p, prefix...)
		}
		p = append(p, data[:take]...)
		if len(p) != tsPacketSize-4 {
			panic("segmenter: TS packet of the wrong size") // a bug here, recovered by write
		}
		data = data[take:]
		first = false
	}
}

// putTimestamp writes a 33-bit PES timestamp with its 4-bit prefix and
// marker bits.
func putTimestamp(b []byte, prefix byte, ts uint64) {
	b[0] = prefix<<4 | byte(ts>>29)&0x0e | 1
	b[1] = byte(ts >> 22)
	b[2] = byte(ts>>14) | 1
	b[3] = byte(ts >> 7)
	b[4] = byte(ts<<1) | 1
}

// putPCR writes a program clock reference of base (90 kHz), extension 0.
func putPCR(b []byte, base uint64) {
	b[0] = byte(base >> 25)
	b[1] = byte(base >> 17)
	b[2] = byte(base >> 9)
	b[3] = byte(base >> 1)
	b[4] = byte(base<<7) | 0x7e
	b[5] = 0
}
