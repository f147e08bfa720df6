package mp4

import (
	"errors"
	"os"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/lubo-edge/lubo/relay/mp4file"
)

// TestFinalizeInPlace finalizes without a copy: the .part becomes the MP4
// (same inode, no more bytes), a fragmented file with a segment index
// that ffmpeg decodes without a word, knows the length of, and seeks in.
func TestFinalizeInPlace(t *testing.T) {
	for _, tc := range []struct{ file, video string }{
		{"h264_aac.mp4", "h264"},
		{"h265_aac.mp4", "hevc"},
	} {
		t.Run(tc.file, func(t *testing.T) {
			tracks, frames := loadClip(t, tc.file)
			part, final := partPaths(t, "lesson")
			w := writePart(t, part, tracks, frames, Options{NoSync: true})
			before, err := os.Stat(part)
			if err != nil {
				t.Fatal(err)
			}
			info, err := FinalizeInPlace(part, final)
			if err != nil {
				t.Fatal(err)
			}
			after, err := os.Stat(final)
			if err != nil {
				t.Fatal(err)
			}
			if !os.SameFile(before, after) || after.Size() > before.Size() {
				t.Errorf("not finalized in place: %d bytes -> %d, same file %v", before.Size(), after.Size(), os.SameFile(before, after))
			}
			if _, err := os.Stat(part); !errors.Is(err, os.ErrNotExist) {
				t.Errorf(".part still there: %v", err)
			}
			boxes := topLevelBoxes(t, final)
			if !slices.Equal(boxes[:6], []string{"ftyp", "moov", "sidx", "sidx", "free", "moof"}) || boxes[len(boxes)-1] != "mdat" {
				t.Errorf("boxes %v, want ftyp moov, a sidx per track, free, the fragments, no end marker", boxes)
			}
			if e := decodeErrors(t, final); e != "" {
				t.Errorf("ffmpeg: %s", e)
			}
			p := probe(t, final)
			video, audio := countFrames(frames)
			if p.packets[tc.video] != video || p.packets["aac"] != audio {
				t.Errorf("packets %v, want %d video %d audio", p.packets, video, audio)
			}
			clip := mp4file.ClipDuration(frames)
			const frame = 40 * time.Millisecond
			if d := p.duration - clip; d < -frame || d > frame {
				t.Errorf("ffprobe duration %v, clip lasts %v", p.duration, clip)
			}
			if !info.InPlace || info.Size != after.Size() || info.Fragments != int(w.Fragments()) || info.Frames != len(frames) || info.Truncated {
				t.Errorf("Info %+v", info)
			}
			if d := info.Duration - clip; d < -frame || d > frame {
				t.Errorf("Info.Duration %v, clip lasts %v", info.Duration, clip)
			}
			// Seeking: the first picture after -ss 4 is the keyframe at 4 s.
			out := runTool(t, "ffprobe", "-v", "error", "-read_intervals", "4%+#1", "-select_streams", "v",
				"-show_entries", "packet=pts_time,flags", "-of", "csv=p=0", final)
			fields := strings.Split(strings.TrimSpace(out), ",")
			if sec, err := strconv.ParseFloat(fields[0], 64); err != nil || sec < 3 || sec > 4.1 || !strings.HasPrefix(fields[len(fields)-1], "K") {
				t.Errorf("seeking to 4 s reads %q", out)
			}
		})
	}
}

// A .part cut short by a crash is finalized in place up to its last
// complete fragment, and a finalize interrupted after it wrote the index
// (the file still named .part) is simply done again.
func TestFinalizeInPlaceTruncatedAndRepeated(t *testing.T) {
	tracks, frames := loadClip(t, "h264_aac.mp4")
	part, final := partPaths(t, "lesson")
	writePart(t, part, tracks, frames, Options{NoSync: true, FragmentMax: 500 * time.Millisecond})
	b, err := os.ReadFile(part)
	if err != nil {
		t.Fatal(err)
	}
	_, ends := fragmentEnds(t, b)
	cut := ends[len(ends)/2] + 100 // in the middle of a fragment
	if err := os.WriteFile(part, b[:cut], 0o644); err != nil {
		t.Fatal(err)
	}
	first, err := FinalizeInPlace(part, final)
	if err != nil {
		t.Fatal(err)
	}
	if !first.Truncated || first.Size != ends[len(ends)/2] || first.Fragments != len(ends)/2+1 {
		t.Errorf("Info %+v, want truncated at %d with %d fragments", first, ends[len(ends)/2], len(ends)/2+1)
	}
	// As if the rename had not happened.
	if err := os.Rename(final, part); err != nil {
		t.Fatal(err)
	}
	again, err := FinalizeInPlace(part, final)
	if err != nil {
		t.Fatal(err)
	}
	if again.Size != first.Size || again.Frames != first.Frames || again.Duration != first.Duration {
		t.Errorf("second finalize %+v, first %+v", again, first)
	}
	if e := decodeErrors(t, final); e != "" {
		t.Errorf("ffmpeg: %s", e)
	}
	// And the progressive finalize still reads such a file.
	if err := os.Rename(final, part); err != nil {
		t.Fatal(err)
	}
	prog, err := Finalize(part, final)
	if err != nil {
		t.Fatal(err)
	}
	if prog.Frames != first.Frames || prog.Duration != first.Duration {
		t.Errorf("progressive %+v, in place %+v", prog, first)
	}
	if got := topLevelBoxes(t, final); !slices.Equal(got, []string{"ftyp", "moov", "mdat"}) {
		t.Errorf("progressive boxes %v", got)
	}
}

// A .part without a complete fragment is ErrEmpty and stays.
func TestFinalizeInPlaceEmpty(t *testing.T) {
	tracks, frames := loadClip(t, "h264_aac.mp4")
	part, final := partPaths(t, "lesson")
	w, err := Create(part, tracks, Options{NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	_ = w.WriteFrame(frames[0])
	if _, err := FinalizeInPlace(part, final); !errors.Is(err, ErrEmpty) {
		t.Errorf("err %v, want ErrEmpty", err)
	}
	if _, err := os.Stat(part); err != nil {
		t.Errorf(".part gone: %v", err)
	}
	_ = w.Close()
}

// More fragments than the reserved index can reference one by one: each
// reference then covers several fragments, starting at a keyframe, and the
// file still plays, with the right length, and seeks.
func TestFinalizeInPlaceGroupsFragments(t *testing.T) {
	tracks, frames := loadClip(t, "h264_aac.mp4")
	clip := mp4file.ClipDuration(frames)
	part, final := partPaths(t, "long")
	w, err := Create(part, tracks, Options{NoSync: true, FragmentMax: time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	const loops = 5
	for i := range loops {
		for _, f := range frames {
			c := *f
			c.DTS += time.Duration(i) * clip
			c.PTS += time.Duration(i) * clip
			if err := w.WriteFrame(&c); err != nil {
				t.Fatal(err)
			}
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	capacity := (indexReserve/2 - sidxHeader) / sidxRef
	if w.Fragments() <= int64(capacity) {
		t.Fatalf("%d fragments; the test needs more than the %d references of the index", w.Fragments(), capacity)
	}
	info, err := FinalizeInPlace(part, final)
	if err != nil {
		t.Fatal(err)
	}
	if e := decodeErrors(t, final); e != "" {
		t.Errorf("ffmpeg: %s", e)
	}
	p := probe(t, final)
	if d := p.duration - loops*clip; d < -40*time.Millisecond || d > 40*time.Millisecond {
		t.Errorf("ffprobe duration %v, want %v", p.duration, loops*clip)
	}
	if info.Frames != loops*len(frames) {
		t.Errorf("Info.Frames %d, want %d", info.Frames, loops*len(frames))
	}
	out := runTool(t, "ffprobe", "-v", "error", "-read_intervals", "20%+#1", "-select_streams", "v",
		"-show_entries", "packet=pts_time,flags", "-of", "csv=p=0", final)
	fields := strings.Split(strings.TrimSpace(out), ",")
	if sec, err := strconv.ParseFloat(fields[0], 64); err != nil || sec < 15 || sec > 20.1 || !strings.HasPrefix(fields[len(fields)-1], "K") {
		t.Errorf("seeking to 20 s reads %q", out)
	}
}
