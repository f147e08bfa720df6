package mp4

import (
	"cmp"
	"errors"
	"fmt"
	"math"
	"math/bits"
	"slices"

	"github.com/lubo-edge/lubo/internal/bmff"
)

// maxSamples bounds the samples of a recording (about 64 hours of 25 fps
// video with 48 kHz AAC); the tables cost 16 bytes per sample in memory.
const maxSamples = 1 << 24

// movie collects the complete fragments of a .part file.
type movie struct {
	tracks    []*partTrack
	payload   int64       // bytes of sample data, i.e. of the progressive mdat payload
	copies    []copyRange // where that data is in the .part, in order
	samples   int
	fragments int

	// For FinalizeInPlace: where the complete fragments are, where they
	// end, the init segment's mehd and the room reserved for an index.
	frags    []fragRef
	indexed  []*partTrack // the tracks fragRef describes
	end      int64
	mehdAt   int64 // file offset of mehd's 64-bit fragment_duration; 0 when none
	reserved boxHeader

	// staging, reused from fragment to fragment: a fragment counts only
	// when all of it is valid
	runs   []stagedRun
	order  []int
	staged []partSample
}

// fragRef is one complete fragment as the segment index sees it: its
// offset in the file and, for each of the first two tracks (lubo writes
// video then audio), the decode time of the first sample, or of the end of
// the track so far when it has none in the fragment.
type fragRef struct {
	start int64 // offset of the moof
	dts   [indexTracks]uint64
	cto   [indexTracks]int32
	key   bool // the first track's first sample here is a sync sample
}

// indexTracks is how many tracks the segment index describes.
const indexTracks = 2

// copyRange is a stretch of the .part copied into the progressive mdat.
type copyRange struct{ off, n int64 }

// stagedRun is one trun of the fragment being read.
type stagedRun struct {
	t       *partTrack
	hasTFDT bool // the first run of a traf with a tfdt
	tfdt    uint64
	desc    uint32
	off     int64 // file offset of the run's data
	size    int64
	first   int // its samples: staged[first : first+n]
	n       int
	out     int64 // offset in the progressive mdat payload
}

func (m *movie) track(id uint32) *partTrack {
	for _, t := range m.tracks {
		if t.id == id {
			return t
		}
	}
	return nil
}

// addFragment reads a moof whose mdat payload spans [dataStart, dataEnd) of
// the file and adds its samples. On error nothing is added.
func (m *movie) addFragment(moof []byte, moofStart, dataStart, dataEnd int64) error {
	m.runs, m.staged = m.runs[:0], m.staged[:0]
	prevEnd := moofStart // base of a traf without one: end of the previous traf's data
	err := eachChild(moof, func(typ string, body []byte) error {
		if typ != "traf" {
			return nil
		}
		end, err := m.stageTraf(body, moofStart, prevEnd, dataStart, dataEnd)
		prevEnd = end
		return err
	})
	if err != nil {
		return err
	}
	if m.samples+len(m.staged) > maxSamples {
		return fmt.Errorf("more than %d samples", maxSamples)
	}

	// The data of the runs must not overlap: the progressive file then
	// holds each byte of the .part at most once.
	m.order = m.order[:0]
	for i := range m.runs {
		m.order = append(m.order, i)
	}
	slices.SortFunc(m.order, func(a, b int) int { return cmp.Compare(m.runs[a].off, m.runs[b].off) })
	for i := 1; i < len(m.order); i++ {
		p, r := &m.runs[m.order[i-1]], &m.runs[m.order[i]]
		if r.off < p.off+p.size {
			return errors.New("track runs share sample data")
		}
	}

	for _, i := range m.order {
		r := &m.runs[i]
		r.out = m.payload
		m.payload += r.size
		if n := len(m.copies); n > 0 && m.copies[n-1].off+m.copies[n-1].n == r.off {
			m.copies[n-1].n += r.size
		} else if r.size > 0 {
			m.copies = append(m.copies, copyRange{off: r.off, n: r.size})
		}
	}
	m.frags = append(m.frags, m.fragmentRef(moofStart))
	for i := range m.runs {
		m.commit(&m.runs[i])
	}
	m.fragments++
	return nil
}

// fragmentRef describes the staged fragment at moofStart; called before
// its runs are committed.
func (m *movie) fragmentRef(moofStart int64) fragRef {
	f := fragRef{start: moofStart}
	for k, t := range m.indexed {
		f.dts[k] = t.nextDTS
		for _, r := range m.runs {
			if r.t != t || r.n == 0 {
				continue
			}
			if r.hasTFDT {
				f.dts[k] = r.tfdt
			}
			s := m.staged[r.first]
			f.cto[k] = s.cto
			if k == 0 {
				f.key = s.sync
			}
			break
		}
	}
	return f
}

// commit adds a validated run to its track. A tfdt later than the track's
// newest sample gives that sample its real duration, so the progressive
// timeline keeps gaps and the writer's guessed last durations are exact.
func (m *movie) commit(r *stagedRun) {
	t := r.t
	if r.hasTFDT {
		switch {
		case !t.started:
			t.started, t.firstDTS, t.nextDTS = true, r.tfdt, r.tfdt
		case len(t.samples) > 0 && r.tfdt > t.lastDTS:
			t.samples[len(t.samples)-1].dur = uint32(min(r.tfdt-t.lastDTS, math.MaxUint32))
			t.nextDTS = r.tfdt
		}
	}
	t.started = true
	for _, s := range m.staged[r.first : r.first+r.n] {
		t.lastDTS = t.nextDTS
		t.nextDTS += uint64(s.dur)
		t.samples = append(t.samples, s)
	}
	t.chunks = append(t.chunks, partChunk{out: r.out, samples: uint32(r.n), desc: r.desc})
	m.samples += r.n
}

// tfhd flags (ISO 14496-12 8.8.7)
const (
	tfhdBaseDataOffset   = 0x000001
	tfhdDescIndex        = 0x000002
	tfhdDefaultDuration  = 0x000008
	tfhdDefaultSize      = 0x000010
	tfhdDefaultFlags     = 0x000020
	trunFirstSampleFlags = 0x000004
	sampleIsNonSync      = 0x00010000
)

// stageTraf reads one traf; it returns the end of its data, the base of a
// following traf that names none.
func (m *movie) stageTraf(traf []byte, moofStart, prevEnd, dataStart, dataEnd int64) (int64, error) {
	var (
		t                          *partTrack
		seenTFHD, skip             bool
		base                       int64
		desc, defDur, defSize, dfl uint32
		tfdt                       uint64
		hasTFDT, firstRun          = false, true
		next                       int64 // where a trun without data_offset starts
	)
	err := eachChild(traf, func(typ string, body []byte) error {
		c := cursor{b: body}
		switch typ {
		case "tfhd":
			_, flags := c.fullBox()
			id := c.u32()
			seenTFHD = true
			if t = m.track(id); t == nil {
				skip = true
				t = &partTrack{defDesc: 1} // a track left out: its runs are checked, not kept
			}
			desc, defDur, defSize, dfl = t.defDesc, t.defDur, t.defSize, t.defFlags
			switch {
			case flags&tfhdBaseDataOffset != 0:
				v := c.u64()
				if v > math.MaxInt64 {
					return errors.New("tfhd base data offset out of range")
				}
				base = int64(v)
			case flags&bmff.TfhdDefaultBaseIsMoof != 0:
				base = moofStart
			default:
				base = prevEnd
			}
			if flags&tfhdDescIndex != 0 {
				desc = c.u32()
			}
			if flags&tfhdDefaultDuration != 0 {
				defDur = c.u32()
			}
			if flags&tfhdDefaultSize != 0 {
				defSize = c.u32()
			}
			if flags&tfhdDefaultFlags != 0 {
				dfl = c.u32()
			}
			next = base
		case "tfdt":
			v, _ := c.fullBox()
			if v == 1 {
				tfdt = c.u64()
			} else {
				tfdt = uint64(c.u32())
			}
			hasTFDT = c.err(typ) == nil
		case "trun":
			if !seenTFHD {
				return errors.New("trun before tfhd")
			}
			if desc == 0 {
				desc = 1 // some writers leave trex's index at 0
			}
			if !skip && desc > t.entries {
				return fmt.Errorf("track %d: sample description %d does not exist", t.id, desc)
			}
			r := stagedRun{t: t, desc: desc, first: len(m.staged), hasTFDT: hasTFDT && firstRun, tfdt: tfdt}
			end, err := m.stageTrun(&c, &r, base, next, defDur, defSize, dfl, dataStart, dataEnd)
			if err != nil {
				return err
			}
			next, firstRun = end, false
			if skip {
				m.staged = m.staged[:r.first]
			} else {
				m.runs = append(m.runs, r)
			}
		}
		return c.err(typ)
	})
	return next, err
}

// stageTrun reads the samples of one trun into m.staged and checks that
// their data lies in the fragment's mdat. It returns the end of the data.
func (m *movie) stageTrun(c *cursor, r *stagedRun, base, next int64, defDur, defSize, defFlags uint32, dataStart, dataEnd int64) (int64, error) {
	version, flags := c.fullBox()
	count := c.u32()
	r.off = next
	if flags&bmff.TrunDataOffset != 0 {
		r.off = base + int64(int32(c.u32()))
	}
	firstFlags, hasFirst := defFlags, false
	if flags&trunFirstSampleFlags != 0 {
		firstFlags, hasFirst = c.u32(), true
	}
	if c.short {
		return 0, c.err("trun")
	}
	// Every sample has at least one byte in the mdat, and every field is
	// in the box: counts beyond either are lies, refused before allocating.
	fieldBytes := 4 * bits.OnesCount32(flags&(bmff.TrunSampleDuration|bmff.TrunSampleSize|bmff.TrunSampleFlags|bmff.TrunSampleCTO))
	if int64(len(m.staged))+int64(count) > maxSamples || int64(count) > dataEnd-dataStart ||
		(fieldBytes > 0 && int64(count) > int64(len(c.b)/fieldBytes)) {
		return 0, fmt.Errorf("trun claims %d samples", count)
	}
	audio := r.t.audio
	for i := range int(count) {
		s := partSample{dur: defDur, size: defSize}
		if flags&bmff.TrunSampleDuration != 0 {
			s.dur = c.u32()
		}
		if flags&bmff.TrunSampleSize != 0 {
			s.size = c.u32()
		}
		sf := defFlags
		if i == 0 && hasFirst {
			sf = firstFlags
		}
		if flags&bmff.TrunSampleFlags != 0 {
			sf = c.u32()
		}
		if flags&bmff.TrunSampleCTO != 0 {
			v := c.u32()
			if version == 0 {
				s.cto = int32(min(v, math.MaxInt32))
			} else {
				s.cto = int32(v)
			}
		}
		s.sync = audio || sf&sampleIsNonSync == 0
		if s.size == 0 {
			return 0, errors.New("trun has an empty sample")
		}
		r.size += int64(s.size)
		if r.size > dataEnd-dataStart {
			return 0, errors.New("trun data is larger than its mdat")
		}
		m.staged = append(m.staged, s)
	}
	r.n = int(count)
	if r.off < dataStart || r.off > dataEnd || r.size > dataEnd-r.off {
		return 0, errors.New("trun data lies outside its mdat")
	}
	return r.off + r.size, nil
}
