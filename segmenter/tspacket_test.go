package segmenter

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"hash/crc32"
	"slices"
	"testing"
	"time"

	mpeg2 "github.com/yapingcat/gomedia/go-mpeg2"

	"github.com/lubo-edge/lubo/media"
)

// gomediaSegment muxes frames as the segmenter did before it packetized
// TS itself: a fresh gomedia TSMuxer per segment, continuity counters
// carried on per PID. It is the reference the packetizer is compared with.
func gomediaSegment(t *testing.T, frames []*media.Frame, withAudio bool, adts adtsHeader, cc *[1 << 13]uint8) []byte {
	t.Helper()
	mux := mpeg2.NewTSMuxer()
	var out []byte
	mux.OnPacket = func(pkt []byte) {
		off := len(out)
		out = append(out, pkt...)
		if pkt[3]&0x10 != 0 {
			pid := uint16(pkt[1]&0x1f)<<8 | uint16(pkt[2])
			out[off+3] = out[off+3]&0xf0 | cc[pid]&0x0f
			cc[pid]++
		}
	}
	tracks := frames[0].Tracks
	var videoPID, audioPID uint16
	if tracks.Video.Codec == media.H265 {
		videoPID = mux.AddStream(mpeg2.TS_STREAM_H265)
	} else {
		videoPID = mux.AddStream(mpeg2.TS_STREAM_H264)
	}
	if withAudio {
		audioPID = mux.AddStream(mpeg2.TS_STREAM_AAC)
	}
	w := tsWriter{tracks: tracks, needParams: true}
	for _, f := range frames {
		var err error
		if f.IsVideo() {
			data := f.Data
			if w.needParams {
				data = bytes.Clone(w.withParameterSets(f))
				w.needParams = false
			}
			err = mux.Write(videoPID, data, tsTicks(f.PTS)/90, tsTicks(f.DTS)/90)
		} else if withAudio {
			var a []byte
			a, err = adts.appendFrame(nil, f.Data)
			if err == nil {
				err = mux.Write(audioPID, a, tsTicks(f.PTS)/90, tsTicks(f.DTS)/90)
			}
		}
		if err != nil {
			t.Fatal(err)
		}
	}
	return out
}

// The packetizer writes the PES packets of H.264 and H.265 clips with AAC,
// over several segments, byte for byte as gomedia's muxer did (but for the
// PCR's reserved bits, which gomedia leaves 0 and the standard sets to 1),
// and PAT and PMT at the same places, with valid CRCs.
func TestTSPacketsMatchGomedia(t *testing.T) {
	for _, kind := range []string{"h264_aac", "h265_aac"} {
		t.Run(kind, func(t *testing.T) {
			// gomedia takes whole milliseconds; lubo writes exact 90 kHz
			// ticks, the same for times that are whole milliseconds.
			var frames []*media.Frame
			for _, f := range loadClip(t, kind).session(1, 0, 0, false) {
				g := *f
				g.PTS, g.DTS = f.PTS.Truncate(time.Millisecond), f.DTS.Truncate(time.Millisecond)
				frames = append(frames, &g)
			}
			tracks := frames[0].Tracks
			adts, err := newADTSHeader(tracks.Audio)
			if err != nil {
				t.Fatal(err)
			}
			var refCC [1 << 13]uint8
			var w tsWriter
			segments := 0
			// Segments start on a keyframe, as the cutter makes them.
			for from := slices.IndexFunc(frames, (*media.Frame).IsVideo); from < len(frames); {
				to := from + 1
				for to < len(frames) && !(frames[to].IsVideo() && frames[to].Key) {
					to++
				}
				seg := frames[from:to]
				want := gomediaSegment(t, seg, true, adts, &refCC)
				w.begin(tracks, true, adts, seg[0].DTS, false)
				for _, f := range seg {
					if err := w.write(f); err != nil {
						t.Fatal(err)
					}
				}
				got := w.finish()
				comparePackets(t, fmt.Sprintf("segment %d", segments), got, want)
				from = to
				segments++
			}
			if segments < 5 {
				t.Fatalf("%d segments compared, want the clip's 6", segments)
			}
		})
	}
}

func comparePackets(t *testing.T, what string, got, want []byte) {
	t.Helper()
	if len(got) != len(want) || len(got)%tsPacketSize != 0 {
		t.Fatalf("%s: %d bytes, gomedia made %d", what, len(got), len(want))
	}
	for off := 0; off < len(got); off += tsPacketSize {
		g, w := got[off:off+tsPacketSize], bytes.Clone(want[off:off+tsPacketSize])
		pid := uint16(g[1]&0x1f)<<8 | uint16(g[2])
		if wpid := uint16(w[1]&0x1f)<<8 | uint16(w[2]); pid != wpid {
			t.Fatalf("%s packet %d: PID %#x, gomedia %#x", what, off/tsPacketSize, pid, wpid)
		}
		if pid == 0 || pid == pmtPID {
			checkSection(t, what, g)
			if !bytes.Equal(g[:4], w[:4]) {
				t.Fatalf("%s packet %d: header % x, gomedia % x", what, off/tsPacketSize, g[:4], w[:4])
			}
			continue
		}
		if w[3]&0x20 != 0 && w[4] >= 7 && w[5]&0x10 != 0 {
			w[10] |= 0x7e // PCR reserved bits
		}
		if !bytes.Equal(g, w) {
			t.Fatalf("%s packet %d (PID %#x) differs:\n got % x\nwant % x", what, off/tsPacketSize, pid, g[:48], w[:48])
		}
	}
}

// checkSection checks a PSI packet's section length and CRC (run over the
// section with its CRC, the MPEG-2 CRC leaves 0; checked here with the
// standard library's table for that polynomial, not mpegCRC).
func checkSection(t *testing.T, what string, pkt []byte) {
	t.Helper()
	sec := pkt[5:]
	n := int(binary.BigEndian.Uint16(sec[1:])&0x0fff) + 3
	if n > len(sec) {
		t.Fatalf("%s: section of %d bytes in a packet", what, n)
	}
	if crc := mpegCRCReference(sec[:n]); crc != 0 {
		t.Fatalf("%s: PSI section % x fails its CRC (%#x)", what, sec[:n], crc)
	}
}

// mpegCRCReference computes CRC-32/MPEG-2 from crc32's table for the
// reflected polynomial, bit-reversing in and out.
func mpegCRCReference(b []byte) uint32 {
	tab := crc32.MakeTable(0xedb88320) // 0x04c11db7 reflected
	crc := uint32(0xffffffff)
	for _, c := range b {
		crc = crc ^ uint32(rev8(c))
		crc = crc>>8 ^ tab[byte(crc)]
	}
	return rev32(crc)
}

func rev8(b byte) byte {
	var r byte
	for i := range 8 {
		r |= (b >> i & 1) << (7 - i)
	}
	return r
}

func rev32(v uint32) uint32 {
	var r uint32
	for i := range 32 {
		r |= (v >> i & 1) << (31 - i)
	}
	return r
}

// Building a segment allocates nothing once the writer's buffers have grown.
func TestTSWriterDoesNotAllocate(t *testing.T) {
	frames := loadClip(t, "h264_aac").session(1, 0, 0, false)
	tracks := frames[0].Tracks
	adts, err := newADTSHeader(tracks.Audio)
	if err != nil {
		t.Fatal(err)
	}
	var w tsWriter
	run := func() {
		w.begin(tracks, true, adts, 0, false)
		for _, f := range frames {
			if err := w.write(f); err != nil {
				t.Fatal(err)
			}
		}
		w.buf = w.buf[:0]
		w.open = false
	}
	run()
	if a := testing.AllocsPerRun(3, run); a != 0 {
		t.Fatalf("%v allocations per clip, want 0", a)
	}
}

// AAC frames at 48 kHz are 1920 ticks of the 90 kHz clock apart in the
// PES headers, exactly: whole milliseconds made them 21 or 22 ms apart.
func TestTSAudioTimestampsAreExact(t *testing.T) {
	tracks := &media.Tracks{Audio: &media.AudioTrack{Codec: media.AAC, SampleRate: 48000, Channels: 1, Config: []byte{0x11, 0x88}}}
	adts, err := newADTSHeader(tracks.Audio)
	if err != nil {
		t.Fatal(err)
	}
	var w tsWriter
	w.begin(tracks, true, adts, 0, false)
	const n = 30
	for i := range n {
		d := time.Duration(i) * 1024 * time.Second / 48000
		if err := w.write(&media.Frame{Codec: media.AAC, DTS: d, PTS: d, Key: true, Data: []byte{0x21, 0x10, 0x04}}); err != nil {
			t.Fatal(err)
		}
	}
	var pts []uint64
	seg := w.finish()
	for off := 0; off+tsPacketSize <= len(seg); off += tsPacketSize {
		p := seg[off : off+tsPacketSize]
		if p[1]&0x40 == 0 || uint16(p[1]&0x1f)<<8|uint16(p[2]) != w.audioPID {
			continue // not the start of an audio PES packet
		}
		h := p[4:]
		if p[3]&0x20 != 0 {
			h = p[5+int(p[4]):] // after the adaptation field
		}
		b := h[9:14]
		pts = append(pts, uint64(b[0]>>1&7)<<30|uint64(b[1])<<22|uint64(b[2]>>1)<<15|uint64(b[3])<<7|uint64(b[4]>>1))
	}
	if len(pts) != n {
		t.Fatalf("%d audio PES packets, want %d", len(pts), n)
	}
	for i := 1; i < n; i++ {
		if step := pts[i] - pts[i-1]; step != 1920 {
			t.Fatalf("PES %d is %d ticks after the one before, want 1920", i, step)
		}
	}
}
