package bmff

// Track is one track of an init segment.
type Track struct {
	ID        uint32
	Kind      Kind
	Timescale uint32
	// Width and Height are the picture size in pixels (video only).
	Width, Height uint16
	// SampleEntry is one complete sample entry box (avc1, hvc1, mp4a), as
	// VideoSampleEntry and AACSampleEntry build it.
	SampleEntry []byte
}

// InitSegment writes the init segment of a fragmented file: ftyp, and a
// moov whose tracks have empty sample tables, with an mvex (trex per
// track) that says the samples come in fragments. With fragmentDuration,
// mvex starts with a version 1 mehd of duration 0 (unknown) that a writer
// may fill in once the file is complete.
func (w *Builder) InitSegment(tracks []Track, fragmentDuration bool) {
	w.FileType("iso5", 512, "iso5", "iso6", "mp41")
	moov := w.Open("moov")
	next := uint32(1)
	for _, t := range tracks {
		next = max(next, t.ID+1)
	}
	w.MovieHeader(1000, 0, next)
	for _, t := range tracks {
		w.emptyTrack(t)
	}
	mvex := w.Open("mvex")
	if fragmentDuration {
		mehd := w.OpenFull("mehd", 1, 0)
		w.U64(0)
		w.Close(mehd)
	}
	for _, t := range tracks {
		trex := w.OpenFull("trex", 0, 0)
		w.U32(t.ID)
		w.U32(1) // default_sample_description_index
		w.U32(0) // default_sample_duration
		w.U32(0) // default_sample_size
		w.U32(0) // default_sample_flags
		w.Close(trex)
	}
	w.Close(mvex)
	w.Close(moov)
}

// emptyTrack writes a trak with one sample description and no samples.
func (w *Builder) emptyTrack(t Track) {
	trak := w.Open("trak")
	w.TrackHeader(t.ID, 0, t.Kind, uint32(t.Width)<<16, uint32(t.Height)<<16)
	mdia := w.Open("mdia")
	w.MediaHeader(t.Timescale, 0)
	w.Handler(t.Kind)
	minf := w.Open("minf")
	w.MediaInfoHeader(t.Kind)
	stbl := w.Open("stbl")
	stsd := w.OpenFull("stsd", 0, 0)
	w.U32(1) // entry_count
	w.Append(t.SampleEntry)
	w.Close(stsd)
	for _, typ := range [...]string{"stts", "stsc", "stco"} {
		b := w.OpenFull(typ, 0, 0)
		w.U32(0) // entry_count
		w.Close(b)
	}
	stsz := w.OpenFull("stsz", 0, 0)
	w.U32(0) // sample_size
	w.U32(0) // sample_count
	w.Close(stsz)
	w.Close(stbl)
	w.Close(minf)
	w.Close(mdia)
	w.Close(trak)
}
