package segmenter

import (
	"fmt"
	"math"
	"time"

	"github.com/lubo-edge/lubo/internal/bmff"
	"github.com/lubo-edge/lubo/media"
)

// fmp4Writer builds one fMP4 media segment (seg{N}.m4s) at a time: a single
// moof with a traf per track, then one mdat, video samples first. A trun
// needs every sample's size and duration before the data, so each frame's
// NAL units are found once, when it comes, and kept as parts that point
// into the frame's payload (shared, never modified) until the segment
// ends; then the segment is written out once: to a file through a lent
// buffer (bmff.LendChunk), large pictures straight from the payload, or into one
// slice of the segment's exact size, which the caller keeps.
type fmp4Writer struct {
	init  *fmp4Init
	video fmp4Track
	audio fmp4Track
	head  bmff.Builder // the moof and mdat header of the segment
	frag  bmff.FragmentHead
	file  *segmentFile
	seqNo uint32 // mfhd sequence number

	start     time.Duration
	videoStep time.Duration // last interval between video frames, carried across segments
	audioStep time.Duration
}

// fmp4Track is one track's part of the open segment.
type fmp4Track struct {
	samples []fmp4Sample
	parts   []bmff.Part // the samples' payload, in order
}

// fmp4Sample is one frame of the open segment.
type fmp4Sample struct {
	dts, pts time.Duration
	size     uint32 // bytes in the mdat
	key      bool
}

// clear forgets the track's samples and the payload they point to.
func (t *fmp4Track) clear() {
	t.samples = t.samples[:0]
	clear(t.parts)
	t.parts = t.parts[:0]
}

// begin opens a segment of the session described by in.
func (w *fmp4Writer) begin(in *fmp4Init, start time.Duration, seqNo uint32, file *segmentFile) {
	if w.init != in {
		w.videoStep, w.audioStep = 0, 0
	}
	w.init, w.start, w.seqNo, w.file = in, start, seqNo, file
	w.video.clear()
	w.audio.clear()
}

func (w *fmp4Writer) write(f *media.Frame) error {
	in := w.init
	if f.IsVideo() {
		if in.video == nil || f.Codec != in.video.Codec {
			return fmt.Errorf("%v frame: %w", f.Codec, errNoStream)
		}
		t := &w.video
		n := len(t.parts)
		var size int
		t.parts, size = in.nalus.AppendParts(t.parts, f.Data)
		if size == 0 || size > math.MaxUint32/4 {
			clear(t.parts[n:])
			t.parts = t.parts[:n]
			return fmt.Errorf("%v frame: %d bytes of picture", f.Codec, size)
		}
		if k := len(t.samples); k > 0 {
			w.videoStep = f.DTS - t.samples[k-1].dts
		}
		t.samples = append(t.samples, fmp4Sample{dts: f.DTS, pts: f.PTS, size: uint32(size), key: f.Key})
		return nil
	}
	if in.audioID == 0 || f.Codec != media.AAC {
		return fmt.Errorf("%v frame: %w", f.Codec, errNoStream)
	}
	if len(f.Data) == 0 || len(f.Data) > adtsMaxFrame {
		return fmt.Errorf("AAC frame of %d bytes", len(f.Data))
	}
	t := &w.audio
	if k := len(t.samples); k > 0 {
		w.audioStep = f.DTS - t.samples[k-1].dts
	}
	t.parts = append(t.parts, bmff.Part{Data: f.Data})
	t.samples = append(t.samples, fmp4Sample{dts: f.DTS, pts: f.PTS, size: uint32(len(f.Data)), key: true})
	return nil
}

// end estimates where the open segment ends, as tsWriter.end does.
func (w *fmp4Writer) end() time.Duration {
	switch v, a := w.video.samples, w.audio.samples; {
	case len(v) > 0:
		return max(w.start, v[len(v)-1].dts+w.videoStep)
	case len(a) > 0:
		return max(w.start, a[len(a)-1].dts+w.audioStep)
	}
	return w.start
}

// finish writes the open segment, whose next segment begins at end (the
// last video sample lasts until then), and returns its bytes (a new slice
// the caller owns) or, when it went to a file, the file, complete but not
// yet in place.
func (w *fmp4Writer) finish(end time.Duration) ([]byte, *segmentFile) {
	file := w.file
	defer func() {
		w.video.clear()
		w.audio.clear()
		w.file = nil
	}()
	if len(w.video.samples) == 0 && len(w.audio.samples) == 0 {
		return nil, file
	}
	in := w.init
	w.head.Reset()
	w.frag.Begin(&w.head, w.seqNo)
	if len(w.video.samples) > 0 {
		w.traf(in.videoID, videoTimescale, w.video.samples, end, w.videoStep)
	}
	if len(w.audio.samples) > 0 {
		// Without a step yet, an AAC frame is 1024 samples.
		step := w.audioStep
		if step <= 0 {
			step = time.Duration(1024 * float64(time.Second) / float64(in.audioRate))
		}
		w.traf(in.audioID, in.audioRate, w.audio.samples, 0, step)
	}
	if w.frag.End() != nil {
		return nil, file // beyond 2 GiB: nothing a player could fetch anyway
	}
	if file != nil {
		bmff.LendChunk(func(buf []byte) {
			c := bmff.NewChunkWriter(file, buf)
			c.Put(w.head.Bytes())
			c.PutParts(w.video.parts)
			c.PutParts(w.audio.parts)
			c.Flush() // an error sticks in file, and commit reports it
		})
		return nil, file
	}
	out := make([]byte, 0, w.head.Len()+int(w.frag.Payload()))
	out = append(out, w.head.Bytes()...)
	out = bmff.AppendPayload(out, w.video.parts)
	out = bmff.AppendPayload(out, w.audio.parts)
	return out, nil
}

// traf adds one track's fragment to the head. The last sample lasts until
// end when that is after it, else one step.
func (w *fmp4Writer) traf(id, timescale uint32, samples []fmp4Sample, end, step time.Duration) {
	w.frag.BeginTrack(id, uint64(ticks(samples[0].dts, timescale)))
	for i, s := range samples {
		dts := ticks(s.dts, timescale)
		var next int64
		switch {
		case i+1 < len(samples):
			next = ticks(samples[i+1].dts, timescale)
		case end > s.dts:
			next = ticks(end, timescale)
		default:
			next = ticks(s.dts+step, timescale)
		}
		cto := ticks(s.pts, timescale) - dts
		w.frag.Sample(uint32(min(max(next-dts, 0), math.MaxUint32)), s.size, s.key,
			int32(min(max(cto, math.MinInt32), math.MaxInt32)))
	}
	w.frag.EndTrack()
}

// ticks converts a stream timestamp to a track's timescale (bmff.Ticks),
// offset like the MPEG-TS timestamps (tsOffset) so that B-frames before
// zero stay positive.
func ticks(d time.Duration, timescale uint32) int64 {
	d += tsOffset
	if d < 0 {
		return 0
	}
	return bmff.Ticks(d, timescale)
}
