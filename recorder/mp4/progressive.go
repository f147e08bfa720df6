package mp4

import (
	"encoding/binary"
	"math"
	"time"
)

// movieTimescale is the clock of mvhd, tkhd and edit lists: milliseconds.
const movieTimescale = 1000

// trackTiming places a track on the movie's timeline.
type trackTiming struct {
	start time.Duration // first decode time after the movie's, an empty edit
	media uint64        // sum of the sample durations, in track ticks
}

func (tt trackTiming) end(timescale uint32) time.Duration {
	return tt.start + ticksToDuration(tt.media, timescale)
}

// timings gives each track its place: the track that starts first starts
// the movie at zero; a later one starts after an empty edit, as it did in
// the .part, so audio stays in sync with video.
func timings(tracks []*partTrack) []trackTiming {
	out := make([]trackTiming, len(tracks))
	first := time.Duration(math.MaxInt64)
	for _, t := range tracks {
		first = min(first, ticksToDuration(t.firstDTS, t.timescale))
	}
	for i, t := range tracks {
		out[i].start = ticksToDuration(t.firstDTS, t.timescale) - first
		for _, s := range t.samples {
			out[i].media += uint64(s.dur)
		}
	}
	return out
}

// ticksToDuration converts ticks to time, saturating far beyond any
// recording instead of overflowing.
func ticksToDuration(ticks uint64, timescale uint32) time.Duration {
	sec := ticks / uint64(timescale)
	if sec >= 1<<32 {
		return time.Duration(1<<32) * time.Second
	}
	frac := ticks % uint64(timescale)
	return time.Duration(sec)*time.Second + time.Duration(frac*uint64(time.Second)/uint64(timescale))
}

func toMovieTime(d time.Duration) uint64 {
	return uint64(d / (time.Second / movieTimescale))
}

// encodeProgressiveMoov writes the moov of the progressive file; dataBase is
// the file offset of the mdat payload, and co64 selects 64-bit chunk offsets.
func encodeProgressiveMoov(out *boxBuilder, tracks []*partTrack, tt []trackTiming, dataBase int64, co64 bool) {
	var movieDur time.Duration
	for i, t := range tracks {
		movieDur = max(movieDur, tt[i].end(t.timescale))
	}
	moov := out.open("moov")
	out.mvhd(movieTimescale, toMovieTime(movieDur), uint32(len(tracks))+1)
	for i, t := range tracks {
		// Track IDs are renumbered 1..n, as the new moov is self-contained.
		trak := out.open("trak")
		out.tkhd(uint32(i+1), toMovieTime(tt[i].end(t.timescale)), t.audio, t.width, t.height)
		if empty := toMovieTime(tt[i].start); empty > 0 {
			edts := out.open("edts")
			elst := out.openFull("elst", 1, 0)
			out.u32(2)
			out.u64(empty)
			out.u64(math.MaxUint64) // media_time -1: nothing plays
			out.u32(0x00010000)
			out.u64(toMovieTime(ticksToDuration(tt[i].media, t.timescale)))
			out.u64(0)
			out.u32(0x00010000)
			out.close(elst)
			out.close(edts)
		}
		mdia := out.open("mdia")
		out.mdhd(t.timescale, tt[i].media)
		out.hdlr(t.audio)
		minf := out.open("minf")
		out.mediaHeaderAndDinf(t.audio)
		stbl := out.open("stbl")
		stsd := out.open("stsd")
		out.bytes(t.stsd)
		out.close(stsd)
		out.sampleTables(t, dataBase, co64)
		out.close(stbl)
		out.close(minf)
		out.close(mdia)
		out.close(trak)
	}
	out.close(moov)
}

// sampleTables writes stts, ctts, stss, stsz, stsc and stco/co64.
func (w *boxBuilder) sampleTables(t *partTrack, dataBase int64, co64 bool) {
	s := t.samples

	box := w.openFull("stts", 0, 0)
	n := w.counter()
	for i := 0; i < len(s); {
		j := i + 1
		for j < len(s) && s[j].dur == s[i].dur {
			j++
		}
		w.u32(uint32(j - i))
		w.u32(s[i].dur)
		n.inc(w)
		i = j
	}
	w.close(box)

	anyCTO, negCTO, allSync, sameSize := false, false, true, true
	for _, x := range s {
		anyCTO = anyCTO || x.cto != 0
		negCTO = negCTO || x.cto < 0
		allSync = allSync && x.sync
		sameSize = sameSize && x.size == s[0].size
	}
	if anyCTO {
		version := byte(0)
		if negCTO {
			version = 1
		}
		box = w.openFull("ctts", version, 0)
		n = w.counter()
		for i := 0; i < len(s); {
			j := i + 1
			for j < len(s) && s[j].cto == s[i].cto {
				j++
			}
			w.u32(uint32(j - i))
			w.u32(uint32(s[i].cto))
			n.inc(w)
			i = j
		}
		w.close(box)
	}
	if !allSync {
		box = w.openFull("stss", 0, 0)
		n = w.counter()
		for i, x := range s {
			if x.sync {
				w.u32(uint32(i + 1))
				n.inc(w)
			}
		}
		w.close(box)
	}

	box = w.openFull("stsz", 0, 0)
	if sameSize {
		w.u32(s[0].size)
		w.u32(uint32(len(s)))
	} else {
		w.u32(0)
		w.u32(uint32(len(s)))
		for _, x := range s {
			w.u32(x.size)
		}
	}
	w.close(box)

	box = w.openFull("stsc", 0, 0)
	n = w.counter()
	for i, c := range t.chunks {
		if i > 0 && c.samples == t.chunks[i-1].samples && c.desc == t.chunks[i-1].desc {
			continue
		}
		w.u32(uint32(i + 1))
		w.u32(c.samples)
		w.u32(c.desc)
		n.inc(w)
	}
	w.close(box)

	if co64 {
		box = w.openFull("co64", 0, 0)
		w.u32(uint32(len(t.chunks)))
		for _, c := range t.chunks {
			w.u64(uint64(dataBase + c.out))
		}
	} else {
		box = w.openFull("stco", 0, 0)
		w.u32(uint32(len(t.chunks)))
		for _, c := range t.chunks {
			w.u32(uint32(dataBase + c.out))
		}
	}
	w.close(box)
}

// entryCounter patches an entry_count written before the entries.
type entryCounter struct{ at int }

func (w *boxBuilder) counter() entryCounter {
	at := len(w.b)
	w.u32(0)
	return entryCounter{at}
}

func (c entryCounter) inc(w *boxBuilder) {
	binary.BigEndian.PutUint32(w.b[c.at:], binary.BigEndian.Uint32(w.b[c.at:])+1)
}
