package mp4

import (
	"math"
	"time"

	"github.com/lubo-edge/lubo/internal/bmff"
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
func encodeProgressiveMoov(out *bmff.Builder, tracks []*partTrack, tt []trackTiming, dataBase int64, co64 bool) {
	var movieDur time.Duration
	for i, t := range tracks {
		movieDur = max(movieDur, tt[i].end(t.timescale))
	}
	moov := out.Open("moov")
	out.MovieHeader(movieTimescale, toMovieTime(movieDur), uint32(len(tracks))+1)
	for i, t := range tracks {
		// Track IDs are renumbered 1..n, as the new moov is self-contained.
		trak := out.Open("trak")
		out.TrackHeader(uint32(i+1), toMovieTime(tt[i].end(t.timescale)), t.kind(), t.width, t.height)
		if empty := toMovieTime(tt[i].start); empty > 0 {
			edts := out.Open("edts")
			elst := out.OpenFull("elst", 1, 0)
			out.U32(2)
			out.U64(empty)
			out.U64(math.MaxUint64) // media_time -1: nothing plays
			out.U32(0x00010000)
			out.U64(toMovieTime(ticksToDuration(tt[i].media, t.timescale)))
			out.U64(0)
			out.U32(0x00010000)
			out.Close(elst)
			out.Close(edts)
		}
		mdia := out.Open("mdia")
		out.MediaHeader(t.timescale, tt[i].media)
		out.Handler(t.kind())
		minf := out.Open("minf")
		out.MediaInfoHeader(t.kind())
		stbl := out.Open("stbl")
		stsd := out.Open("stsd")
		out.Append(t.stsd)
		out.Close(stsd)
		sampleTables(out, t, dataBase, co64)
		out.Close(stbl)
		out.Close(minf)
		out.Close(mdia)
		out.Close(trak)
	}
	out.Close(moov)
}

// sampleTables writes stts, ctts, stss, stsz, stsc and stco/co64.
func sampleTables(w *bmff.Builder, t *partTrack, dataBase int64, co64 bool) {
	s := t.samples

	box := w.OpenFull("stts", 0, 0)
	n := w.EntryCount()
	for i := 0; i < len(s); {
		j := i + 1
		for j < len(s) && s[j].dur == s[i].dur {
			j++
		}
		w.U32(uint32(j - i))
		w.U32(s[i].dur)
		n.Add(w)
		i = j
	}
	w.Close(box)

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
		box = w.OpenFull("ctts", version, 0)
		n = w.EntryCount()
		for i := 0; i < len(s); {
			j := i + 1
			for j < len(s) && s[j].cto == s[i].cto {
				j++
			}
			w.U32(uint32(j - i))
			w.U32(uint32(s[i].cto))
			n.Add(w)
			i = j
		}
		w.Close(box)
	}
	if !allSync {
		box = w.OpenFull("stss", 0, 0)
		n = w.EntryCount()
		for i, x := range s {
			if x.sync {
				w.U32(uint32(i + 1))
				n.Add(w)
			}
		}
		w.Close(box)
	}

	box = w.OpenFull("stsz", 0, 0)
	if sameSize {
		w.U32(s[0].size)
		w.U32(uint32(len(s)))
	} else {
		w.U32(0)
		w.U32(uint32(len(s)))
		for _, x := range s {
			w.U32(x.size)
		}
	}
	w.Close(box)

	box = w.OpenFull("stsc", 0, 0)
	n = w.EntryCount()
	for i, c := range t.chunks {
		if i > 0 && c.samples == t.chunks[i-1].samples && c.desc == t.chunks[i-1].desc {
			continue
		}
		w.U32(uint32(i + 1))
		w.U32(c.samples)
		w.U32(c.desc)
		n.Add(w)
	}
	w.Close(box)

	if co64 {
		box = w.OpenFull("co64", 0, 0)
		w.U32(uint32(len(t.chunks)))
		for _, c := range t.chunks {
			w.U64(uint64(dataBase + c.out))
		}
	} else {
		box = w.OpenFull("stco", 0, 0)
		w.U32(uint32(len(t.chunks)))
		for _, c := range t.chunks {
			w.U32(uint32(dataBase + c.out))
		}
	}
	w.Close(box)
}
