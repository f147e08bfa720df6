package segmenter

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"math"
	"time"

	"github.com/lubo-edge/lubo/media"
)

// fmp4Writer builds one fMP4 media segment (seg{N}.m4s) at a time: a single
// moof with a traf per track, then one mdat, video samples first. A trun
// needs every sample's size and duration before the data, so the segment's
// frames are held by reference (frames are shared and never modified) until
// it ends, then written out once, NAL units rewritten from Annex-B to
// 4-byte lengths on the way; going to a file, through a buffer of at most
// spillSize, large pictures straight from the shared payload.
type fmp4Writer struct {
	init  *fmp4Init
	video []fmp4Sample
	audio []fmp4Sample
	buf   []byte
	file  *segmentFile
	seqNo uint32 // mfhd sequence number

	start     time.Duration
	videoStep time.Duration // last interval between video frames, carried across segments
	audioStep time.Duration
}

type fmp4Sample struct {
	f    *media.Frame
	size uint32 // bytes in the mdat
}

// begin opens a segment of the session described by in.
func (w *fmp4Writer) begin(in *fmp4Init, start time.Duration, seqNo uint32, file *segmentFile) {
	if w.init != in {
		w.videoStep, w.audioStep = 0, 0
	}
	w.init, w.start, w.seqNo, w.file = in, start, seqNo, file
	clear(w.video)
	clear(w.audio)
	w.video, w.audio = w.video[:0], w.audio[:0]
}

func (w *fmp4Writer) write(f *media.Frame) error {
	in := w.init
	if f.IsVideo() {
		if in.video == nil || f.Codec != in.video.Codec {
			return fmt.Errorf("%v frame: %w", f.Codec, errNoStream)
		}
		size := 0
		w.eachNALU(f, func(n []byte) { size += 4 + len(n) })
		if size == 0 || size > math.MaxUint32/4 {
			return fmt.Errorf("%v frame: %d bytes of picture", f.Codec, size)
		}
		if n := len(w.video); n > 0 {
			w.videoStep = f.DTS - w.video[n-1].f.DTS
		}
		w.video = append(w.video, fmp4Sample{f: f, size: uint32(size)})
		return nil
	}
	if in.audioID == 0 || f.Codec != media.AAC {
		return fmt.Errorf("%v frame: %w", f.Codec, errNoStream)
	}
	if len(f.Data) == 0 || len(f.Data) > adtsMaxFrame {
		return fmt.Errorf("AAC frame of %d bytes", len(f.Data))
	}
	if n := len(w.audio); n > 0 {
		w.audioStep = f.DTS - w.audio[n-1].f.DTS
	}
	w.audio = append(w.audio, fmp4Sample{f: f, size: uint32(len(f.Data))})
	return nil
}

// eachNALU calls fn for each NAL unit of a picture that goes into the
// sample: access unit delimiters and parameter sets equal to the init
// section's are left out (hvc1 wants them only there); parameter sets that
// differ stay in band, where a decoder still finds them.
func (w *fmp4Writer) eachNALU(f *media.Frame, fn func([]byte)) {
	v := w.init.video
	media.SplitAnnexB(f.Data, func(n []byte) bool {
		var same []byte
		if f.Codec == media.H265 {
			switch media.H265Type(n) {
			case media.H265AUD:
				return true
			case media.H265VPS:
				same = v.VPS
			case media.H265SPS:
				same = v.SPS
			case media.H265PPS:
				same = v.PPS
			}
		} else {
			switch media.H264Type(n) {
			case media.H264AUD:
				return true
			case media.H264SPS:
				same = v.SPS
			case media.H264PPS:
				same = v.PPS
			}
		}
		if same == nil || !bytes.Equal(n, same) {
			fn(n)
		}
		return true
	})
}

// end estimates where the open segment ends, as tsWriter.end does.
func (w *fmp4Writer) end() time.Duration {
	switch {
	case len(w.video) > 0:
		return max(w.start, w.video[len(w.video)-1].f.DTS+w.videoStep)
	case len(w.audio) > 0:
		return max(w.start, w.audio[len(w.audio)-1].f.DTS+w.audioStep)
	}
	return w.start
}

// finish writes the open segment, whose next segment begins at end (the
// last video sample lasts until then), and returns its bytes (a new slice)
// or, when it went to a file, the file, complete but not yet in place.
func (w *fmp4Writer) finish(end time.Duration) ([]byte, *segmentFile) {
	defer func() {
		clear(w.video)
		clear(w.audio)
		w.video, w.audio = w.video[:0], w.audio[:0]
		w.file = nil
	}()
	file := w.file
	if len(w.video) == 0 && len(w.audio) == 0 {
		return nil, file
	}
	in := w.init
	var b boxes
	b.b = w.buf[:0]
	moof := b.start("moof")
	mfhd := b.fullStart("mfhd", 0, 0)
	b.u32(w.seqNo)
	b.end(mfhd)
	var offsets []int // positions of the truns' data_offset fields
	var dataSize uint64
	if len(w.video) > 0 {
		offsets = append(offsets, w.traf(&b, in.videoID, videoTimescale, w.video, end, w.videoStep))
		for _, s := range w.video {
			dataSize += uint64(s.size)
		}
	}
	videoSize := dataSize
	if len(w.audio) > 0 {
		// Without a step yet, an AAC frame is 1024 samples.
		step := w.audioStep
		if step <= 0 {
			step = time.Duration(1024 * float64(time.Second) / float64(in.audioRate))
		}
		offsets = append(offsets, w.traf(&b, in.audioID, in.audioRate, w.audio, 0, step))
		for _, s := range w.audio {
			dataSize += uint64(s.size)
		}
	}
	b.end(moof)
	moofSize := len(b.b) - moof
	if dataSize+8 > math.MaxUint32 {
		return nil, file
	}
	data := uint64(moofSize) + 8
	for i, off := range offsets {
		if i == 1 {
			data += videoSize
		}
		binary.BigEndian.PutUint32(b.b[off:], uint32(data))
	}
	b.u32(uint32(dataSize + 8))
	b.bytes([]byte("mdat"))
	for _, s := range w.video {
		w.eachNALU(s.f, func(n []byte) {
			b.u32(uint32(len(n)))
			b.b = w.put(b.b, n)
		})
	}
	for _, s := range w.audio {
		b.b = w.put(b.b, s.f.Data)
	}
	w.buf = b.b[:0]
	if file != nil {
		file.write(b.b)
		return nil, file
	}
	return bytes.Clone(b.b), nil
}

// put adds payload p (shared, never modified) to the segment after buf and
// returns what is left to fill. Going to a file, a payload that does not
// fit in what remains of spillSize goes to the file straight from where it
// is, after buf: the buffer never grows past spillSize.
func (w *fmp4Writer) put(buf, p []byte) []byte {
	if w.file == nil {
		return append(buf, p...)
	}
	if len(buf)+len(p) <= spillSize {
		return append(buf, p...)
	}
	w.file.write(buf)
	if len(p) >= spillSize/2 {
		w.file.write(p)
		return buf[:0]
	}
	return append(buf[:0], p...)
}

// traf writes one track's fragment: tfhd, tfdt and a trun with every
// sample's duration, size, flags and composition offset. The last sample
// lasts until end when that is after it, else one step. It returns the
// position of the trun's data_offset, filled in by the caller.
func (w *fmp4Writer) traf(b *boxes, id, timescale uint32, samples []fmp4Sample, end, step time.Duration) int {
	traf := b.start("traf")
	tfhd := b.fullStart("tfhd", 0, 0x020000) // default-base-is-moof
	b.u32(id)
	b.end(tfhd)
	tfdt := b.fullStart("tfdt", 1, 0)
	b.u64(uint64(ticks(samples[0].f.DTS, timescale)))
	b.end(tfdt)
	// data offset, duration, size, flags, composition time offset (signed, v1)
	trun := b.fullStart("trun", 1, 0x000f01)
	b.u32(uint32(len(samples)))
	dataOffset := len(b.b)
	b.u32(0)
	for i, s := range samples {
		dts := ticks(s.f.DTS, timescale)
		var next int64
		switch {
		case i+1 < len(samples):
			next = ticks(samples[i+1].f.DTS, timescale)
		case end > s.f.DTS:
			next = ticks(end, timescale)
		default:
			next = ticks(s.f.DTS+step, timescale)
		}
		b.u32(uint32(min(max(next-dts, 0), math.MaxUint32)))
		b.u32(s.size)
		flags := uint32(0x02000000) // depends on no other sample
		if s.f.IsVideo() && !s.f.Key {
			flags = 0x01010000 // depends on others, not a sync sample
		}
		b.u32(flags)
		cto := ticks(s.f.PTS, timescale) - dts
		b.u32(uint32(int32(min(max(cto, math.MinInt32), math.MaxInt32))))
	}
	b.end(trun)
	b.end(traf)
	return dataOffset
}

// ticks converts a stream timestamp to a track's timescale, offset like the
// MPEG-TS timestamps (tsOffset) so that B-frames before zero stay positive.
// Whole seconds and the rest are scaled apart, so a stream running for years
// does not overflow.
func ticks(d time.Duration, timescale uint32) int64 {
	d += tsOffset
	if d < 0 {
		return 0
	}
	ts := int64(timescale)
	return int64(d/time.Second)*ts + int64(d%time.Second)*ts/int64(time.Second)
}
