package mp4

import (
	"errors"
	"os"
	"slices"
	"testing"
	"time"

	"github.com/lubo-edge/lubo/relay/mp4file"
)

// TestWriteFinalize records real clips and lets ffprobe and ffmpeg judge
// the .part and the final file.
func TestWriteFinalize(t *testing.T) {
	for _, tc := range []struct{ file, video string }{
		{"h264_aac.mp4", "h264"},
		{"h265_aac.mp4", "hevc"},
	} {
		t.Run(tc.file, func(t *testing.T) {
			tracks, frames := loadClip(t, tc.file)
			part, final := partPaths(t, "lesson")
			w := writePart(t, part, tracks, frames, Options{})
			if w.Frames() != int64(len(frames)) {
				t.Errorf("Frames() = %d, want %d", w.Frames(), len(frames))
			}
			clip := mp4file.ClipDuration(frames)
			if d := w.Duration() - clip; d < -time.Millisecond || d > time.Millisecond {
				t.Errorf("Duration() = %v, clip lasts %v", w.Duration(), clip)
			}
			if st, err := os.Stat(part); err != nil || st.Size() != w.Bytes() {
				t.Errorf("Bytes() = %d, file: %v %v", w.Bytes(), st.Size(), err)
			}
			if w.Fragments() < 5 {
				t.Errorf("Fragments() = %d for a 6 s clip", w.Fragments())
			}

			// The .part is a fragmented MP4 players can read as it is.
			if got := topLevelBoxes(t, part); got[0] != "ftyp" || got[1] != "moov" || got[2] != "free" || got[3] != "moof" || got[len(got)-1] != "mfra" {
				t.Errorf(".part boxes %v", got)
			}
			p := probe(t, part)
			if !slices.Equal(p.codecs, []string{tc.video, "aac"}) {
				t.Errorf(".part streams %v", p.codecs)
			}
			if e := decodeErrors(t, part); e != "" {
				t.Errorf("ffmpeg on .part: %s", e)
			}

			info, err := Finalize(part, final)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := os.Stat(part); !errors.Is(err, os.ErrNotExist) {
				t.Errorf(".part still there: %v", err)
			}
			if got := topLevelBoxes(t, final); !slices.Equal(got, []string{"ftyp", "moov", "mdat"}) {
				t.Errorf("final boxes %v, want moov before mdat", got)
			}
			p = probe(t, final)
			if !slices.Equal(p.codecs, []string{tc.video, "aac"}) {
				t.Errorf("final streams %v", p.codecs)
			}
			if e := decodeErrors(t, final); e != "" {
				t.Errorf("ffmpeg on final: %s", e)
			}
			video, audio := countFrames(frames)
			if p.packets[tc.video] != video || p.packets["aac"] != audio {
				t.Errorf("final packets %v, want %d video %d audio", p.packets, video, audio)
			}
			const frame = 40 * time.Millisecond
			if d := p.duration - clip; d < -frame || d > frame {
				t.Errorf("ffprobe duration %v, clip lasts %v", p.duration, clip)
			}
			if d := info.Duration - clip; d < -frame || d > frame {
				t.Errorf("Info.Duration %v, clip lasts %v", info.Duration, clip)
			}
			st, err := os.Stat(final)
			if err != nil {
				t.Fatal(err)
			}
			want := Info{
				Duration: info.Duration, Size: st.Size(), Frames: len(frames),
				VideoFrames: video, AudioFrames: audio, Fragments: int(w.Fragments()),
				FirstKeyframe: 0, LastKeyframe: info.LastKeyframe,
			}
			if info != want {
				t.Errorf("Info %+v, want %+v", info, want)
			}
			if info.LastKeyframe < clip-2*time.Second || info.LastKeyframe >= clip {
				t.Errorf("LastKeyframe %v in a %v clip with a keyframe every second", info.LastKeyframe, clip)
			}
		})
	}
}
