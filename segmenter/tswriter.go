package segmenter

import (
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/lubo-edge/lubo/media"
)

// tsOffset is added to every timestamp written to MPEG-TS: a stream whose
// DTS starts at zero may have B-frames with a slightly negative DTS, and TS
// timestamps are unsigned.
const tsOffset = time.Second

// tsWriter builds one MPEG-TS segment at a time (tspacket.go packetizes).
// Each segment opens with PAT and PMT; continuity counters run on across
// segments as one transport stream's would.
type tsWriter struct {
	buf []byte // the open segment's bytes (in a file: those not yet flushed)
	// file, when set, receives the segment as it is made, in spillSize
	// pieces, so a segment never sits whole in memory.
	file     *segmentFile
	open     bool     // a segment is open (begin, not yet finished)
	psiAt    uint64   // when PAT and PMT were last written (90 kHz); 0: not yet in this segment
	scratch  []byte   // a frame being prepared (parameter sets, ADTS)
	cc       [4]uint8 // continuity counters of PAT, PMT and the two stream PIDs (ccSlot)
	videoPID uint16   // 0: no video in this segment
	audioPID uint16   // 0: no audio in this segment

	tracks     *media.Tracks
	adts       adtsHeader
	needParams bool // the next video frame opens the segment

	start         time.Duration
	discontinuity bool
	lastVideo     time.Duration
	videoStep     time.Duration
	lastAudio     time.Duration
	audioStep     time.Duration
	videoSeen     bool
	audioSeen     bool
}

// begin opens a segment for session t. withAudio tells whether the session's
// audio can be carried (AAC with a usable config, its header in adts).
func (w *tsWriter) begin(t *media.Tracks, withAudio bool, adts adtsHeader, start time.Duration, discontinuity bool) {
	w.buf = w.buf[:0]
	w.open, w.psiAt = true, 0
	w.videoPID, w.audioPID = 0, 0
	pid := uint16(firstESPID)
	if v := t.Video; v != nil && (v.Codec == media.H264 || v.Codec == media.H265) {
		w.videoPID = pid
		pid++
	}
	if withAudio {
		w.audioPID = pid
	}
	w.tracks, w.adts = t, adts
	w.needParams = true
	w.start, w.discontinuity = start, discontinuity
	// The frame intervals carry over from the previous segment, so a
	// segment cut short after one picture (a camera dropping out) still
	// lasts one frame instead of zero.
	w.videoSeen, w.audioSeen = false, false
}

// next returns the next packet of the segment to fill, in place at the end
// of the buffer, so a packet is built where it is written from (not built
// and then copied). Going to a file, the buffer is written out before it
// would grow past spillSize, so it is allocated once and never grows.
func (w *tsWriter) next() []byte {
	if w.file != nil {
		if len(w.buf)+tsPacketSize > spillSize {
			w.file.write(w.buf)
			w.buf = w.buf[:0]
		}
		if w.buf == nil {
			w.buf = make([]byte, 0, spillSize)
		}
	}
	n := len(w.buf)
	w.buf = slices.Grow(w.buf, tsPacketSize)[:n+tsPacketSize]
	return w.buf[n : n+tsPacketSize : n+tsPacketSize]
}

// startFrame writes PAT and PMT when a segment opens and every psiInterval
// after, before the frame at dts.
func (w *tsWriter) startFrame(dts uint64) {
	if w.psiAt == 0 || w.psiAt+uint64(psiInterval/time.Millisecond*90) < dts {
		w.psiAt = max(dts, 1)
		w.writePSI()
	}
}

var errNoStream = errors.New("the segment has no stream for this codec")

// write muxes one frame into the open segment. A panic (there should be
// none: the packetizer only copies) is this frame's error, never the
// process's end.
func (w *tsWriter) write(f *media.Frame) (err error) {
	mark := len(w.buf)
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("%v frame: the TS muxer failed on it: %v", f.Codec, r)
			if len(w.buf) >= mark {
				w.buf = w.buf[:mark] // not the half-built packets (unless spilled)
			}
		}
	}()
	if f.IsVideo() {
		return w.writeVideo(f)
	}
	return w.writeAudio(f)
}

func (w *tsWriter) writeVideo(f *media.Frame) error {
	if w.videoPID == 0 || w.tracks.Video.Codec != f.Codec {
		return fmt.Errorf("%v frame: %w", f.Codec, errNoStream)
	}
	data := f.Data
	if w.needParams {
		data = w.withParameterSets(f)
		w.needParams = false
	}
	aud, random := scanAccessUnit(f.Codec, data)
	var prefix []byte
	if !aud {
		prefix = h264AUD
		if f.Codec == media.H265 {
			prefix = h265AUD
		}
	}
	pts, dts := tsTicks(f.PTS), tsTicks(f.DTS)
	w.startFrame(dts)
	w.writePES(w.videoPID, pesVideoID, prefix, data, pts, dts, random)
	if w.videoSeen {
		w.videoStep = f.DTS - w.lastVideo
	}
	w.lastVideo, w.videoSeen = f.DTS, true
	return nil
}

func (w *tsWriter) writeAudio(f *media.Frame) error {
	if w.audioPID == 0 || f.Codec != media.AAC {
		return fmt.Errorf("%v frame: %w", f.Codec, errNoStream)
	}
	var err error
	w.scratch, err = w.adts.appendFrame(w.scratch[:0], f.Data)
	if err != nil {
		return err
	}
	pts, dts := tsTicks(f.PTS), tsTicks(f.DTS)
	w.startFrame(dts)
	w.writePES(w.audioPID, pesAudioID, nil, w.scratch, pts, dts, false)
	if w.audioSeen {
		w.audioStep = f.DTS - w.lastAudio
	}
	w.lastAudio, w.audioSeen = f.DTS, true
	return nil
}

// withParameterSets returns f.Data, or when it lacks any of the parameter
// sets its codec needs, a copy with the session's VPS/SPS/PPS inserted after
// a leading access unit delimiter, so a segment decodes on its own.
func (w *tsWriter) withParameterSets(f *media.Frame) []byte {
	v := w.tracks.Video
	var params [][]byte
	var have, need uint8 // bits: 1 VPS, 2 SPS, 4 PPS
	if f.Codec == media.H265 {
		params, need = [][]byte{v.VPS, v.SPS, v.PPS}, 7
	} else {
		params, need = [][]byte{nil, v.SPS, v.PPS}, 6
	}
	media.SplitAnnexB(f.Data, func(n []byte) bool {
		var bit uint8
		var vcl bool
		if f.Codec == media.H265 {
			switch t := media.H265Type(n); {
			case t == media.H265VPS:
				bit = 1
			case t == media.H265SPS:
				bit = 2
			case t == media.H265PPS:
				bit = 4
			case t < 32:
				vcl = true
			}
		} else {
			switch t := media.H264Type(n); {
			case t == media.H264SPS:
				bit = 2
			case t == media.H264PPS:
				bit = 4
			case t >= 1 && t <= 5:
				vcl = true
			}
		}
		have |= bit
		return !vcl
	})
	if have&need == need {
		return f.Data
	}
	var sets [][]byte
	for _, p := range params {
		if len(p) > 0 {
			sets = append(sets, p)
		}
	}
	if len(sets) == 0 {
		return f.Data // nothing to insert: the source never told us
	}
	buf := w.scratch[:0]
	inserted := false
	media.SplitAnnexB(f.Data, func(n []byte) bool {
		aud := (f.Codec == media.H265 && media.H265Type(n) == media.H265AUD) ||
			(f.Codec == media.H264 && media.H264Type(n) == media.H264AUD)
		if !inserted && !aud {
			buf = media.AppendAnnexB(buf, sets...)
			inserted = true
		}
		buf = media.AppendAnnexB(buf, n)
		return true
	})
	if !inserted {
		buf = media.AppendAnnexB(buf, sets...)
	}
	w.scratch = buf
	return buf
}

// end estimates where the open segment ends: after its last frame, by the
// step between its last two frames. Video frames are what segments are cut
// on, so they define the end when there are any; audio interleaved around
// the cut would otherwise stretch the segment by a frame.
func (w *tsWriter) end() time.Duration {
	switch {
	case w.videoSeen:
		return max(w.start, w.lastVideo+w.videoStep)
	case w.audioSeen:
		return max(w.start, w.lastAudio+w.audioStep)
	}
	return w.start
}

// finish closes the open segment and returns its bytes, a new slice owned by
// the caller; the writer keeps its buffer for the next segment.
func (w *tsWriter) finish() []byte {
	seg := make([]byte, len(w.buf))
	copy(seg, w.buf)
	w.buf = w.buf[:0]
	w.open = false
	return seg
}

// finishFile ends a segment being written to w.file and returns the file,
// complete but not yet renamed into place.
func (w *tsWriter) finishFile() *segmentFile {
	f := w.file
	f.write(w.buf)
	w.buf = w.buf[:0]
	w.file, w.open = nil, false
	return f
}

// scanAccessUnit tells whether a picture has an access unit delimiter
// before its first slice (else one is put in front, as players want) and
// whether that slice is an IDR (or, in H.265, IRAP) picture, flagged for
// random access.
func scanAccessUnit(codec media.Codec, data []byte) (aud, random bool) {
	media.SplitAnnexB(data, func(n []byte) bool {
		if codec == media.H265 {
			switch t := media.H265Type(n); {
			case t == media.H265AUD:
				aud = true
			case t < 32: // the first slice
				random = t >= 16 && t <= 21
				return false
			}
			return true
		}
		switch t := media.H264Type(n); {
		case t == media.H264AUD:
			aud = true
		case t >= 1 && t <= 5: // the first slice
			random = t == 5
			return false
		}
		return true
	})
	return aud, random
}

// tsTicks converts a stream timestamp to the 90 kHz clock of MPEG-TS,
// exactly: an AAC frame at 48 kHz is 1920 ticks, where whole milliseconds
// (what gomedia's muxer took) made its times jitter by up to half of one.
func tsTicks(d time.Duration) uint64 { return uint64(ticks(d, 90000)) }
