package mp4

import (
	"encoding/binary"
	"encoding/json"
	"errors"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"testing"
	"time"
)

// fragmentEnds lists, for a .part, the end offset of its init segment and
// of each fragment (moof+mdat), read from the top-level boxes.
func fragmentEnds(t *testing.T, b []byte) (initEnd int64, ends []int64) {
	t.Helper()
	for off := int64(0); off+8 <= int64(len(b)); {
		size := int64(binary.BigEndian.Uint32(b[off:]))
		switch string(b[off+4 : off+8]) {
		case "moov":
			initEnd = off + size
		case "mdat":
			ends = append(ends, off+size)
		}
		off += size
	}
	if initEnd == 0 || len(ends) == 0 {
		t.Fatalf("no init segment or fragments in the .part")
	}
	return initEnd, ends
}

// packetPositions asks ffprobe where each packet of the .part starts.
func packetPositions(t *testing.T, path string) []int64 {
	t.Helper()
	out := runTool(t, "ffprobe", "-v", "error", "-show_entries", "packet=pos", "-of", "json", path)
	var p struct {
		Packets []struct {
			Pos string `json:"pos"`
		} `json:"packets"`
	}
	if err := json.Unmarshal([]byte(out), &p); err != nil {
		t.Fatal(err)
	}
	var pos []int64
	for _, pk := range p.Packets {
		n, err := strconv.ParseInt(pk.Pos, 10, 64)
		if err != nil {
			t.Fatalf("packet pos %q", pk.Pos)
		}
		pos = append(pos, n)
	}
	return pos
}

// TestFinalizeTruncated cuts a .part at many byte offsets, as a crash
// might, and checks that Finalize keeps exactly the complete fragments:
// ffprobe counts the packets of the .part that lie in them, and judges
// the recovered file.
func TestFinalizeTruncated(t *testing.T) {
	tracks, frames := loadClip(t, "h264_aac.mp4")
	dir := t.TempDir()
	full := filepath.Join(dir, "full.mp4.part")
	writePart(t, full, tracks, frames, Options{FragmentMax: 300 * time.Millisecond, NoSync: true})
	b, err := os.ReadFile(full)
	if err != nil {
		t.Fatal(err)
	}
	initEnd, ends := fragmentEnds(t, b)
	if len(ends) < 15 {
		t.Fatalf("%d fragments; want many short ones", len(ends))
	}
	positions := packetPositions(t, full)
	if len(positions) != len(frames) {
		t.Fatalf("ffprobe finds %d packets in the .part, %d frames went in", len(positions), len(frames))
	}
	// complete is how many packets lie in fragments that end by cut.
	complete := func(cut int64) int {
		limit := int64(0)
		for _, e := range ends {
			if e <= cut {
				limit = e
			}
		}
		n := 0
		for _, p := range positions {
			if p < limit {
				n++
			}
		}
		return n
	}

	cuts := []int64{0, 1, 7, 8, 100, initEnd - 1, initEnd, initEnd + 1, initEnd + 8}
	for _, e := range ends {
		cuts = append(cuts, e-1, e, e+1, e+8, e+9) // mdat end, next moof header, its body
	}
	rng := rand.New(rand.NewPCG(1, 2))
	for range 20 {
		cuts = append(cuts, rng.Int64N(int64(len(b))))
	}
	slices.Sort(cuts)
	cuts = slices.Compact(cuts)

	judged, judgeEvery := 0, len(cuts)/8
	for i, cut := range cuts {
		if cut < 0 || cut > int64(len(b)) {
			continue
		}
		part := filepath.Join(dir, "cut.mp4.part")
		final := filepath.Join(dir, "cut.mp4")
		if err := os.WriteFile(part, b[:cut], 0o644); err != nil {
			t.Fatal(err)
		}
		want := complete(cut)
		info, err := Finalize(part, final)
		if want == 0 {
			if !errors.Is(err, ErrEmpty) {
				t.Errorf("cut at %d of %d: %v, want ErrEmpty", cut, len(b), err)
			}
			continue
		}
		if err != nil {
			t.Errorf("cut at %d of %d: %v", cut, len(b), err)
			continue
		}
		if info.Frames != want {
			t.Errorf("cut at %d: %d frames, the complete fragments hold %d", cut, info.Frames, want)
		}
		if info.Truncated != (cut < int64(len(b))) {
			t.Errorf("cut at %d of %d: Truncated %v", cut, len(b), info.Truncated)
		}
		// ffmpeg and ffprobe judge a spread of the results (all of them
		// would take long on a small machine).
		if i%judgeEvery != 0 && cut != int64(len(b)) {
			continue
		}
		judged++
		p := probe(t, final)
		if got := p.packets["h264"] + p.packets["aac"]; got != want {
			t.Errorf("cut at %d: ffprobe reads %d packets, want %d", cut, got, want)
		}
		if e := decodeErrors(t, final); e != "" {
			t.Errorf("cut at %d: ffmpeg: %s", cut, e)
		}
	}
	if judged < 8 {
		t.Errorf("only %d cuts judged by ffmpeg", judged)
	}
}
