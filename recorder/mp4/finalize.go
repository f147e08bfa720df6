package mp4

import (
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"slices"
	"time"

	"github.com/lubo-edge/lubo/internal/bmff"
	"github.com/lubo-edge/lubo/internal/durable"
)

var (
	// ErrEmpty is returned by Finalize for a .part without one complete
	// fragment (the writer stopped before its first one was on disk): there
	// is no recording to keep.
	ErrEmpty = errors.New("mp4: recording holds no complete fragment")
	// ErrMalformed is returned by Finalize for a .part whose init segment
	// is not one lubo can rebuild a file from.
	ErrMalformed = errors.New("mp4: malformed recording")
)

// Info describes a finalized recording.
type Info struct {
	Duration    time.Duration // of the longest track, from the file's start
	Size        int64         // bytes of the final file
	Frames      int           // samples of all tracks
	VideoFrames int
	AudioFrames int
	Fragments   int // complete fragments recovered from the .part
	// FirstKeyframe and LastKeyframe are the presentation times of the
	// first and last video sync samples (zero without video).
	FirstKeyframe time.Duration
	LastKeyframe  time.Duration
	// Truncated is true when the .part did not end with the writer's clean
	// close: the process died or the disk filled, and the file holds the
	// fragments that were complete on disk.
	Truncated bool
	// InPlace is true when the file was finalized by FinalizeInPlace: it
	// is the fragmented recording itself, not a progressive copy.
	InPlace bool
}

// Limits on the boxes Finalize reads into memory.
const (
	maxMoovSize = 16 << 20 // the init segment: a few hundred bytes from lubo
	maxMoofSize = 16 << 20 // one fragment's tables: ~1 KB a second from lubo
)

// Finalize turns the fragmented .part at partPath (complete, or cut short by
// a crash at any byte) into a progressive MP4 at finalPath with its moov in
// front, keeping every complete fragment and dropping an incomplete one at
// the end. The new file is written beside finalPath as finalPath+".tmp",
// synced, and renamed into place; then the .part is removed. A .part
// without a complete fragment gives ErrEmpty and is left as it is.
func Finalize(partPath, finalPath string) (Info, error) {
	part, err := os.Open(partPath)
	if err != nil {
		return Info{}, fmt.Errorf("mp4 finalize: %w", err)
	}
	defer part.Close()
	st, err := part.Stat()
	if err != nil {
		return Info{}, fmt.Errorf("mp4 finalize: %w", err)
	}
	m, clean, err := readPart(part, st.Size())
	if err != nil {
		return Info{}, fmt.Errorf("mp4 finalize %s: %w", partPath, err)
	}

	tmp := finalPath + ".tmp"
	size, err := writeProgressive(tmp, part, m)
	if err != nil {
		os.Remove(tmp)
		return Info{}, fmt.Errorf("mp4 finalize %s: %w", partPath, err)
	}
	if err := os.Rename(tmp, finalPath); err != nil {
		os.Remove(tmp)
		return Info{}, fmt.Errorf("mp4 finalize: %w", err)
	}
	if err := durable.SyncDir(filepath.Dir(finalPath)); err != nil {
		return Info{}, fmt.Errorf("mp4 finalize %s: %w", finalPath, err)
	}
	// The final file is durable now; a .part left by a crash from here on
	// is a duplicate the recorder may remove.
	if err := os.Remove(partPath); err != nil {
		return Info{}, fmt.Errorf("mp4 finalize: %w", err)
	}
	if err := durable.SyncDir(filepath.Dir(partPath)); err != nil {
		return Info{}, fmt.Errorf("mp4 finalize %s: %w", partPath, err)
	}

	info := m.info()
	info.Size, info.Truncated = size, !clean
	return info, nil
}

// readPart walks the top-level boxes of a .part and collects its complete
// fragments. clean reports whether the writer's end marker came after the
// last of them with nothing dropped.
func readPart(r io.ReaderAt, size int64) (m *movie, clean bool, err error) {
	m = &movie{}
	haveMoov, stopped, endMarked := false, false, false
walk:
	for off := int64(0); off < size; {
		h, err := readBoxHeader(r, off, size)
		if err != nil {
			if !errors.Is(err, errIncomplete) && !haveMoov {
				return nil, false, fmt.Errorf("%w: %v", ErrMalformed, err)
			}
			stopped = true // a box cut short by a crash, or garbage after the fragments
			break
		}
		endMarked = false
		switch h.typ {
		case "moov":
			if haveMoov {
				return nil, false, fmt.Errorf("%w: two moov boxes", ErrMalformed)
			}
			body, err := readPayload(r, h, maxMoovSize)
			if err != nil {
				return nil, false, fmt.Errorf("%w: %v", ErrMalformed, err)
			}
			if m.tracks, err = parseMoov(body); err != nil {
				return nil, false, fmt.Errorf("%w: moov: %v", ErrMalformed, err)
			}
			// A copy: nonEmpty later compacts m.tracks in place.
			m.indexed = slices.Clone(m.tracks[:min(len(m.tracks), indexTracks)])
			if at := mehdOffset(body); at >= 0 {
				m.mehdAt = h.payload + int64(at)
			}
			haveMoov = true
		case "moof":
			if !haveMoov {
				return nil, false, fmt.Errorf("%w: fragment before moov", ErrMalformed)
			}
			end, err := m.readFragment(r, h, size)
			if err != nil {
				stopped = true // the fragment the writer was writing, or a damaged one
				break walk
			}
			off, m.end = end, end
			continue
		case "mfra":
			endMarked = true
		case "free", "sidx":
			// The writer's room for an index, possibly already holding one
			// from an in-place finalize cut short.
			switch {
			case !haveMoov || m.fragments > 0:
			case m.reserved.typ == "":
				m.reserved = h
			case m.reserved.end == h.start:
				m.reserved.end = h.end
			}
		}
		// other boxes (free, sidx, an mdat no moof describes) are skipped
		off = h.end
	}
	if !haveMoov {
		return nil, false, ErrEmpty
	}
	return m, endMarked && !stopped, m.nonEmpty()
}

// readFragment reads the moof at h and the mdat after it; it returns the
// end of the mdat. An error means the fragment is not complete or not
// valid, and nothing of it was added.
func (m *movie) readFragment(r io.ReaderAt, h boxHeader, size int64) (int64, error) {
	moof, err := readPayload(r, h, maxMoofSize)
	if err != nil {
		return 0, err
	}
	mdat, err := readBoxHeader(r, h.end, size)
	if err != nil {
		return 0, err
	}
	if mdat.typ != "mdat" {
		return 0, fmt.Errorf("moof followed by %q, not mdat", mdat.typ)
	}
	if err := m.addFragment(moof, h.start, mdat.payload, mdat.end); err != nil {
		return 0, err
	}
	return mdat.end, nil
}

// nonEmpty keeps only the tracks with samples and is ErrEmpty without any.
func (m *movie) nonEmpty() error {
	kept := m.tracks[:0]
	for _, t := range m.tracks {
		if len(t.samples) > 0 {
			kept = append(kept, t)
		}
	}
	m.tracks = kept
	if len(kept) == 0 {
		return ErrEmpty
	}
	return nil
}

// progressiveHead lays out the progressive file: ftyp, moov and the mdat
// header, after which the sample data follows as m.copies lists it. Chunk
// offsets are 64-bit (co64) only when the file passes 4 GiB.
func progressiveHead(m *movie) []byte {
	tt := timings(m.tracks)
	var head bmff.Builder
	compatible := []string{"isom", "iso2", "mp41"}
	for _, t := range m.tracks {
		if t.firstEntryType() == "avc1" {
			compatible = append(compatible, "avc1")
			break
		}
	}
	head.FileType("isom", 512, compatible...)
	ftypLen := head.Len()

	// Lay out once to learn the moov size, then again with the real offsets.
	mdatHeader := int64(8)
	if m.payload+8 > math.MaxUint32 {
		mdatHeader = 16
	}
	encodeProgressiveMoov(&head, m.tracks, tt, 0, false)
	co64 := int64(head.Len())+mdatHeader+m.payload > math.MaxUint32
	head.Truncate(ftypLen)
	encodeProgressiveMoov(&head, m.tracks, tt, 0, co64)
	dataBase := int64(head.Len()) + mdatHeader
	head.Truncate(ftypLen)
	encodeProgressiveMoov(&head, m.tracks, tt, dataBase, co64)
	if mdatHeader == 16 {
		head.U32(1)
		head.FourCC("mdat")
		head.U64(uint64(16 + m.payload))
	} else {
		head.U32(uint32(8 + m.payload))
		head.FourCC("mdat")
	}
	return head.Bytes()
}

// writeProgressive writes the progressive file to path and syncs it; it
// returns the file size. Sample data is copied range by range from part
// (with copy_file_range where the kernel has it), never held in memory.
func writeProgressive(path string, part *os.File, m *movie) (int64, error) {
	head := progressiveHead(m)
	out, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o644)
	if err != nil {
		return 0, err
	}
	defer out.Close()
	if _, err := out.Write(head); err != nil {
		return 0, fmt.Errorf("write %s: %w", path, err)
	}
	for _, c := range m.copies {
		if _, err := part.Seek(c.off, io.SeekStart); err != nil {
			return 0, err
		}
		n, err := io.Copy(out, io.LimitReader(part, c.n))
		if err == nil && n < c.n {
			err = io.ErrUnexpectedEOF
		}
		if err != nil {
			return 0, fmt.Errorf("copy samples into %s: %w", path, err)
		}
	}
	if err := out.Sync(); err != nil {
		return 0, fmt.Errorf("sync %s: %w", path, err)
	}
	if err := out.Close(); err != nil {
		return 0, fmt.Errorf("close %s: %w", path, err)
	}
	return int64(len(head)) + m.payload, nil
}

// info summarizes the movie.
func (m *movie) info() Info {
	tt := timings(m.tracks)
	info := Info{Frames: m.samples, Fragments: m.fragments}
	for i, t := range m.tracks {
		info.Duration = max(info.Duration, tt[i].end(t.timescale))
		if t.audio {
			info.AudioFrames += len(t.samples)
			continue
		}
		info.VideoFrames += len(t.samples)
		dts, first := uint64(0), true
		for _, s := range t.samples {
			if s.sync {
				pts := tt[i].start + ticksToDuration(uint64(max(0, int64(dts)+int64(s.cto))), t.timescale)
				if first {
					info.FirstKeyframe, first = pts, false
				}
				info.LastKeyframe = pts
			}
			dts += uint64(s.dur)
		}
	}
	return info
}
