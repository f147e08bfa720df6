package mp4

import (
	"encoding/binary"
	"fmt"
	"math"
	"os"
	"path/filepath"

	"github.com/lubo-edge/lubo/internal/bmff"
	"github.com/lubo-edge/lubo/internal/durable"
)

// indexReserve is the free box the writer leaves after the init segment for
// the segment index (sidx) of FinalizeInPlace: 1362 references, which
// index a 30-minute slice of 1 s fragments at every keyframe interval and a
// 24-hour recording every minute or so.
const indexReserve = 16 << 10

// Sizes of a version 1 sidx box.
const (
	sidxHeader = 8 + 4 + 4 + 4 + 8 + 8 + 2 + 2
	sidxRef    = 12
)

// FinalizeInPlace turns the .part at partPath into the final MP4 at
// finalPath without copying it, so it needs no free space: the file stays a
// fragmented MP4 (the moov, with mvex, is still in front, so it starts
// playing at once), cut after its last complete fragment. Into the room
// the writer reserved it writes a segment index (sidx) over the fragments
// and the whole duration (mehd), so players seek and show the length
// without reading every fragment. Then the file is synced and renamed.
//
// Every step leaves a .part that Finalize and FinalizeInPlace still read,
// so a crash in between only means doing it again. Like Finalize, it gives
// ErrEmpty for a .part without a complete fragment and leaves it.
func FinalizeInPlace(partPath, finalPath string) (Info, error) {
	part, err := os.OpenFile(partPath, os.O_RDWR, 0)
	if err != nil {
		return Info{}, fmt.Errorf("mp4 finalize in place: %w", err)
	}
	defer part.Close()
	st, err := part.Stat()
	if err != nil {
		return Info{}, fmt.Errorf("mp4 finalize in place: %w", err)
	}
	m, clean, err := readPart(part, st.Size())
	if err != nil {
		return Info{}, fmt.Errorf("mp4 finalize in place %s: %w", partPath, err)
	}
	info := m.info()
	// Both writes overwrite bytes the writer wrote: they need no new
	// blocks on a file system that overwrites in place.
	if idx := m.segmentIndex(); idx != nil {
		if _, err := part.WriteAt(idx, m.reserved.start); err != nil {
			return Info{}, fmt.Errorf("mp4 finalize in place %s: write index: %w", partPath, err)
		}
	}
	if m.mehdAt > 0 {
		var d [8]byte
		binary.BigEndian.PutUint64(d[:], toMovieTime(info.Duration))
		if _, err := part.WriteAt(d[:], m.mehdAt); err != nil {
			return Info{}, fmt.Errorf("mp4 finalize in place %s: write duration: %w", partPath, err)
		}
	}
	if m.end < st.Size() {
		// An unfinished fragment or the end marker: players would trip on
		// the first and have no use for the second.
		if err := part.Truncate(m.end); err != nil {
			return Info{}, fmt.Errorf("mp4 finalize in place %s: %w", partPath, err)
		}
	}
	if err := part.Sync(); err != nil {
		return Info{}, fmt.Errorf("mp4 finalize in place %s: sync: %w", partPath, err)
	}
	if err := part.Close(); err != nil {
		return Info{}, fmt.Errorf("mp4 finalize in place %s: close: %w", partPath, err)
	}
	if err := os.Rename(partPath, finalPath); err != nil {
		return Info{}, fmt.Errorf("mp4 finalize in place: %w", err)
	}
	if err := durable.SyncDir(filepath.Dir(finalPath)); err != nil {
		return Info{}, fmt.Errorf("mp4 finalize in place %s: %w", finalPath, err)
	}
	info.Size, info.Truncated, info.InPlace = m.end, !clean, true
	return info, nil
}

// segmentIndex builds one sidx per indexed track (followed by a free box
// header for the rest of the room) that fits the reserved room, or nil
// when there is no room or nothing to index. The boxes reference the same
// byte ranges, as ffmpeg's global_sidx does: a reference covers one or more
// whole fragments and starts at a keyframe of the first track where it
// can, so a player seeks to the reference and reads forward.
func (m *movie) segmentIndex() []byte {
	var tracks []int // indexes into m.indexed of the tracks that kept samples
	for k, t := range m.indexed {
		if len(t.samples) > 0 {
			tracks = append(tracks, k)
		}
	}
	room := m.reserved.end - m.reserved.start
	if len(tracks) == 0 || len(m.frags) == 0 || m.reserved.typ == "" {
		return nil
	}
	// Where a reference may start: the first fragment, and every one that
	// starts with a keyframe of the first track.
	starts := []int{0}
	for i, f := range m.frags[1:] {
		if f.key {
			starts = append(starts, i+1)
		}
	}
	n := int64(len(tracks))
	capacity := min(int((room/n-sidxHeader)/sidxRef), math.MaxUint16)
	if rest := room - n*(sidxHeader+int64(capacity)*sidxRef); rest > 0 && rest < 8 {
		capacity-- // the rest must hold a free box header
	}
	if capacity < 1 {
		return nil
	}
	step := (len(starts) + capacity - 1) / capacity
	var chosen []int
	for i := 0; i < len(starts); i += step {
		chosen = append(chosen, starts[i])
	}
	size := int64(sidxHeader) + int64(len(chosen))*sidxRef

	var b bmff.Builder
	for j, k := range tracks {
		t := m.indexed[k]
		first := m.frags[0]
		sidx := b.OpenFull("sidx", 1, 0)
		b.U32(t.id)
		b.U32(t.timescale)
		b.U64(uint64(max(int64(first.dts[k])+int64(first.cto[k]), 0)))
		b.U64(uint64(first.start - (m.reserved.start + int64(j+1)*size))) // first_offset
		b.U16(0)
		b.U16(uint16(len(chosen)))
		for c, i := range chosen {
			from, to := m.frags[i].start, m.end
			fromDTS, toDTS := m.frags[i].dts[k], t.nextDTS
			if c+1 < len(chosen) {
				next := m.frags[chosen[c+1]]
				to, toDTS = next.start, next.dts[k]
			}
			if to-from >= 1<<31 || toDTS < fromDTS || toDTS-fromDTS > math.MaxUint32 {
				return nil // beyond what a reference can say; the file plays without
			}
			b.U32(uint32(to - from)) // reference_type 0: media
			b.U32(uint32(toDTS - fromDTS))
			if m.frags[i].key {
				b.U32(1<<31 | 1<<28) // starts with SAP type 1
			} else {
				b.U32(0)
			}
		}
		b.Close(sidx)
	}
	if rest := room - int64(b.Len()); rest >= 8 {
		b.U32(uint32(rest))
		b.FourCC("free")
	}
	return b.Bytes()
}

// mehdOffset is the offset in a moov payload of the 64-bit
// fragment_duration of its mvex/mehd (version 1), or -1.
func mehdOffset(moov []byte) int {
	at := -1
	_ = eachChild(moov, func(typ string, body []byte) error {
		if typ != "mvex" {
			return nil
		}
		return eachChild(body, func(typ string, body []byte) error {
			if typ == "mehd" && len(body) == 12 && body[0] == 1 {
				// body shares moov's array, which starts it: the
				// capacities tell where body begins.
				at = cap(moov) - cap(body) + 4
			}
			return nil
		})
	})
	return at
}
