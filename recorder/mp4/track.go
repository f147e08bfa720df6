package mp4

import (
	"math"
	"time"

	"github.com/lubo-edge/lubo/internal/bmff"
	"github.com/lubo-edge/lubo/media"
)

// trackWriter collects the samples of one track for the open fragment.
// Its slices keep their capacity from fragment to fragment, so a steady
// stream allocates nothing.
//
// The payload is not copied: parts point into the frames' own data, which
// the relay shares read-only with every reader and which its GOP cache
// holds anyway (a fragment never outlives the GOP it belongs to by more
// than FragmentMax). Copying it here, and then again into the fragment's
// write buffer, held about two fragments of video per recorded channel
// (1-2 MB at 1080p 4 Mbps, plus the garbage collector's headroom on it).
type trackWriter struct {
	id  uint32
	cfg *trackConfig // nil until the parameter sets are known
	// codec is the track's codec even while cfg is still unknown.
	codec media.Codec

	samples []sample    // the open fragment's samples
	parts   []bmff.Part // their payload, in order
	size    int         // bytes of payload in parts

	last      int64  // decode time of the newest sample, in ticks; -1 before the first
	lastDelta uint32 // the decode time step before it: the guess for its duration
}

// sample is one access unit of the open fragment; times are in track ticks
// from the start of the file.
type sample struct {
	dts  int64
	size uint32
	cto  int32 // composition offset: PTS - DTS
	sync bool
}

func newTrackWriter(id uint32, codec media.Codec, cfg *trackConfig) *trackWriter {
	return &trackWriter{id: id, codec: codec, cfg: cfg, last: -1}
}

// timescale is the track's ticks per second.
func (t *trackWriter) timescale() uint32 { return t.cfg.timescale }

// defaultDuration is the guess for a sample's duration when no neighbour
// tells it: one AAC frame, or one picture at 25 fps.
func (t *trackWriter) defaultDuration() uint32 {
	if t.cfg.audio() {
		return 1024
	}
	return videoTimescale / 25
}

// add appends one frame as a sample; dts and pts are in ticks. It reports
// false when the frame holds nothing to store (only delimiters and
// parameter sets), which then is not a sample. The sample keeps f.Data
// (not f) until the fragment is written.
func (t *trackWriter) add(f *media.Frame, dts, pts int64) bool {
	startParts, startSize := len(t.parts), t.size
	if t.cfg.audio() {
		if len(f.Data) > 0 {
			t.parts = append(t.parts, bmff.Part{Data: f.Data})
			t.size += len(f.Data)
		}
	} else {
		t.appendVideo(f.Data)
	}
	size := t.size - startSize
	if size == 0 || int64(size) > math.MaxUint32 {
		clear(t.parts[startParts:])
		t.parts, t.size = t.parts[:startParts], startSize
		return false
	}
	if t.last >= 0 {
		t.lastDelta = clampU32(dts - t.last)
	}
	t.last = dts
	t.samples = append(t.samples, sample{
		dts:  dts,
		size: uint32(size),
		cto:  int32(max(math.MinInt32, min(math.MaxInt32, pts-dts))),
		sync: f.Key || t.cfg.audio(),
	})
	return true
}

// appendVideo turns an Annex-B access unit into 4-byte length-prefixed NAL
// units (the prefixes are written with the fragment), dropping access unit
// delimiters and the parameter sets the sample description already holds
// (a changed one stays in-band).
func (t *trackWriter) appendVideo(annexB []byte) {
	var size int
	t.parts, size = t.cfg.nalus.AppendParts(t.parts, annexB)
	t.size += size
}

// end is the decode time just past the newest sample, in ticks.
func (t *trackWriter) end() int64 {
	if t.last < 0 {
		return 0
	}
	d := t.lastDelta
	if d == 0 {
		d = t.defaultDuration()
	}
	return t.last + int64(d)
}

// sampleDuration is the duration of the open fragment's sample i; next is
// the decode time of the sample after the fragment, or -1 if unknown.
func (t *trackWriter) sampleDuration(i int, next int64) uint32 {
	if i+1 < len(t.samples) {
		return clampU32(t.samples[i+1].dts - t.samples[i].dts)
	}
	if next > t.samples[i].dts {
		return clampU32(next - t.samples[i].dts)
	}
	if t.lastDelta > 0 {
		return t.lastDelta
	}
	return t.defaultDuration()
}

// clearFragment forgets the written fragment, and with it the references
// to its frames' data.
func (t *trackWriter) clearFragment() {
	t.samples = t.samples[:0]
	clear(t.parts)
	t.parts, t.size = t.parts[:0], 0
}

func clampU32(v int64) uint32 {
	return uint32(max(0, min(math.MaxUint32, v)))
}

// duration converts track ticks back to time.
func duration(ticks int64, timescale uint32) time.Duration {
	ts := int64(timescale)
	return time.Duration(ticks/ts)*time.Second + time.Duration(ticks%ts)*time.Second/time.Duration(ts)
}
