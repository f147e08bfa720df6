package mp4

import (
	"encoding/json"
	"errors"
	"math"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/lubo-edge/lubo/internal/testclip"
	"github.com/lubo-edge/lubo/media"
)

// packetTimes asks ffprobe for the presentation times of one stream's
// packets in decode order, relative to the first packet's.
func packetTimes(t *testing.T, path, stream string) []time.Duration {
	t.Helper()
	out := runTool(t, "ffprobe", "-v", "error", "-select_streams", stream,
		"-show_entries", "packet=pts_time", "-of", "json", path)
	var p struct {
		Packets []struct {
			PTS string `json:"pts_time"`
		} `json:"packets"`
	}
	if err := json.Unmarshal([]byte(out), &p); err != nil {
		t.Fatal(err)
	}
	var times []time.Duration
	for _, pk := range p.Packets {
		s, err := strconv.ParseFloat(pk.PTS, 64)
		if err != nil {
			t.Fatalf("pts_time %q", pk.PTS)
		}
		times = append(times, time.Duration(math.Round(s*1e6))*time.Microsecond)
	}
	for i := len(times) - 1; i >= 0; i-- {
		times[i] -= times[0]
	}
	return times
}

// streamStart is ffprobe's start_time of one stream.
func streamStart(t *testing.T, path, stream string) time.Duration {
	t.Helper()
	out := runTool(t, "ffprobe", "-v", "error", "-select_streams", stream,
		"-show_entries", "stream=start_time", "-of", "csv=p=0", path)
	s, err := strconv.ParseFloat(string(trimSpace(out)), 64)
	if err != nil {
		t.Fatalf("start_time %q", out)
	}
	return time.Duration(math.Round(s*1e6)) * time.Microsecond
}

func trimSpace(s string) string {
	for len(s) > 0 && (s[len(s)-1] == '\n' || s[len(s)-1] == ' ') {
		s = s[:len(s)-1]
	}
	return s
}

// TestBFrames records H.264 with B-frames (made here by ffmpeg): the
// composition offsets must reproduce the source's presentation times.
func TestBFrames(t *testing.T) {
	src := filepath.Join(t.TempDir(), "bframes.mp4")
	runTool(t, "ffmpeg", "-nostdin", "-v", "error", "-f", "lavfi", "-i", "testsrc2=size=320x240:rate=25",
		"-f", "lavfi", "-i", "sine=frequency=440:sample_rate=48000", "-t", "3",
		"-c:v", "libx264", "-preset", "ultrafast", "-bf", "2", "-g", "25", "-pix_fmt", "yuv420p",
		"-c:a", "aac", "-shortest", src)
	tracks, frames := testclip.ReadMP4(t, src)
	reordered := false
	for _, fr := range frames {
		reordered = reordered || fr.PTS != fr.DTS
	}
	if !reordered {
		t.Fatal("the clip has no B-frames")
	}

	part, final := partPaths(t, "bframes")
	writePart(t, part, tracks, frames, Options{NoSync: true})
	if _, err := Finalize(part, final); err != nil {
		t.Fatal(err)
	}
	if e := decodeErrors(t, final); e != "" {
		t.Errorf("ffmpeg: %s", e)
	}
	want, got := packetTimes(t, src, "v"), packetTimes(t, final, "v")
	if len(got) != len(want) {
		t.Fatalf("%d video packets, source has %d", len(got), len(want))
	}
	for i := range want {
		if d := got[i] - want[i]; d < -time.Millisecond || d > time.Millisecond {
			t.Fatalf("packet %d presented at %v, in the source at %v", i, got[i], want[i])
		}
	}
}

// TestLateAudio starts the audio half a second after the first picture:
// the progressive file must keep that gap (an empty edit), not pull the
// audio to zero.
func TestLateAudio(t *testing.T) {
	tracks, frames := loadClip(t, "h264_aac.mp4")
	const late = 500 * time.Millisecond
	var kept []*media.Frame
	for _, f := range frames {
		if f.IsVideo() || f.DTS >= frames[0].DTS+late {
			kept = append(kept, f)
		}
	}
	var firstAudio time.Duration
	for _, f := range kept {
		if !f.IsVideo() {
			firstAudio = f.DTS - frames[0].DTS
			break
		}
	}
	part, final := partPaths(t, "late")
	writePart(t, part, tracks, kept, Options{NoSync: true})
	if _, err := Finalize(part, final); err != nil {
		t.Fatal(err)
	}
	if got := streamStart(t, final, "a"); got-firstAudio < -time.Millisecond || got-firstAudio > time.Millisecond {
		t.Errorf("audio starts at %v, want %v", got, firstAudio)
	}
	if got := streamStart(t, final, "v"); got != 0 {
		t.Errorf("video starts at %v", got)
	}
	if e := decodeErrors(t, final); e != "" {
		t.Errorf("ffmpeg: %s", e)
	}
}

// TestStartsAtKeyframe feeds a stream joined in the middle of a GOP: what
// comes before the first keyframe is dropped and the file starts at zero.
func TestStartsAtKeyframe(t *testing.T) {
	tracks, frames := loadClip(t, "h264_aac.mp4")
	joined := frames[30:] // mid-GOP (a keyframe every second, 25 fps + audio)
	if joined[0].IsVideo() && joined[0].Key {
		t.Fatal("the cut should not start with a keyframe")
	}
	var key time.Duration
	var expect int
	for _, f := range joined {
		if f.IsVideo() && f.Key {
			key = f.DTS
			break
		}
	}
	for _, f := range joined {
		if f.DTS >= key {
			expect++
		}
	}
	part, final := partPaths(t, "joined")
	w := writePart(t, part, tracks, joined, Options{NoSync: true})
	if w.Frames() != int64(expect) {
		t.Errorf("Frames() = %d, want the %d from the first keyframe on", w.Frames(), expect)
	}
	info, err := Finalize(part, final)
	if err != nil {
		t.Fatal(err)
	}
	if info.FirstKeyframe != 0 || info.Frames != expect {
		t.Errorf("Info %+v, want %d frames from a keyframe at 0", info, expect)
	}
	if got := streamStart(t, final, "v"); got != 0 {
		t.Errorf("video starts at %v", got)
	}
	if e := decodeErrors(t, final); e != "" {
		t.Errorf("ffmpeg: %s", e)
	}
}

// TestParameterSetsInBand records a source that announced no SPS/PPS: the
// writer takes them from the first keyframe.
func TestParameterSetsInBand(t *testing.T) {
	for _, file := range []string{"h264_aac.mp4", "h265_aac.mp4"} {
		tracks, frames := loadClip(t, file)
		video := *tracks.Video
		video.VPS, video.SPS, video.PPS = nil, nil, nil
		bare := &media.Tracks{Video: &video, Audio: tracks.Audio, Session: tracks.Session}
		var own []*media.Frame
		for _, f := range frames {
			g := *f
			g.Tracks = bare
			own = append(own, &g)
		}
		part, final := partPaths(t, "inband")
		w, err := Create(part, bare, Options{NoSync: true})
		if err != nil {
			t.Fatal(err)
		}
		if w.Bytes() != 0 {
			t.Errorf("%s: %d bytes written before the parameter sets are known", file, w.Bytes())
		}
		for _, f := range own {
			if err := w.WriteFrame(f); err != nil {
				t.Fatal(err)
			}
		}
		if err := w.Close(); err != nil {
			t.Fatal(err)
		}
		info, err := Finalize(part, final)
		if err != nil {
			t.Fatal(err)
		}
		if info.Frames != len(frames) {
			t.Errorf("%s: %d frames of %d", file, info.Frames, len(frames))
		}
		if e := decodeErrors(t, final); e != "" {
			t.Errorf("%s: ffmpeg: %s", file, e)
		}
	}
}

// TestTracksChanged: a frame of another session with other codec
// parameters is refused; one with the same parameters is taken.
func TestTracksChanged(t *testing.T) {
	tracks, frames := loadClip(t, "h264_aac.mp4")
	part, _ := partPaths(t, "changed")
	w, err := Create(part, tracks, Options{NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	for _, f := range frames[:10] {
		if err := w.WriteFrame(f); err != nil {
			t.Fatal(err)
		}
	}
	same := *tracks
	same.Session++
	g := *frames[10]
	g.Tracks = &same
	if err := w.WriteFrame(&g); err != nil {
		t.Errorf("same parameters, new session: %v", err)
	}
	video := *tracks.Video
	video.SPS = append([]byte(nil), video.SPS...)
	video.SPS[len(video.SPS)-1] ^= 1
	other := &media.Tracks{Video: &video, Audio: tracks.Audio, Session: same.Session + 1}
	g = *frames[11]
	g.Tracks = other
	if err := w.WriteFrame(&g); !errors.Is(err, ErrTracksChanged) {
		t.Errorf("other SPS: %v, want ErrTracksChanged", err)
	}
	g = *frames[11]
	g.Codec = media.H265
	if err := w.WriteFrame(&g); !errors.Is(err, ErrTracksChanged) {
		t.Errorf("H265 frame in an H264 file: %v, want ErrTracksChanged", err)
	}
	if err := w.WriteFrame(frames[12]); err != nil {
		t.Errorf("the file's own frames after a refused one: %v", err)
	}
}

// TestAudioGap loses half a second of audio across a fragment boundary (a
// camera hiccup): the samples after the gap must keep their times, which
// only the next fragment's decode time tells.
func TestAudioGap(t *testing.T) {
	tracks, frames := loadClip(t, "h264_aac.mp4")
	start := frames[0].DTS
	var kept []*media.Frame
	var want []time.Duration
	for _, f := range frames {
		at := f.DTS - start
		if !f.IsVideo() && at > 1800*time.Millisecond && at < 2500*time.Millisecond {
			continue
		}
		kept = append(kept, f)
		if !f.IsVideo() {
			want = append(want, at)
		}
	}
	part, final := partPaths(t, "gap")
	writePart(t, part, tracks, kept, Options{NoSync: true})
	if _, err := Finalize(part, final); err != nil {
		t.Fatal(err)
	}
	got := packetTimes(t, final, "a")
	if len(got) != len(want) {
		t.Fatalf("%d audio packets, want %d", len(got), len(want))
	}
	for i := range want {
		if d := got[i] - (want[i] - want[0]); d < -time.Millisecond || d > time.Millisecond {
			t.Fatalf("audio packet %d at %v, want %v", i, got[i], want[i]-want[0])
		}
	}
}

// TestRepeatedTimestamps gives some pictures the timestamps of the one
// before (a camera bug): decode times must still grow, so the writer moves
// the DTS one tick on, and the presentation time stays as it came, through
// a negative composition offset stored signed.
func TestRepeatedTimestamps(t *testing.T) {
	tracks, frames := loadClip(t, "h264_aac.mp4")
	var own []*media.Frame
	var want []time.Duration
	var prev time.Duration
	repeated := 0
	for i, f := range frames {
		g := *f
		if g.IsVideo() {
			if i%7 == 3 && !g.Key && prev > 0 {
				g.DTS, g.PTS = prev, prev
				repeated++
			}
			prev = f.DTS
			want = append(want, g.PTS-frames[0].PTS)
		}
		own = append(own, &g)
	}
	if repeated < 5 {
		t.Fatalf("only %d repeated timestamps", repeated)
	}
	part, final := partPaths(t, "repeated")
	writePart(t, part, tracks, own, Options{NoSync: true})
	for _, path := range []string{part, final} {
		if path == final {
			if _, err := Finalize(part, final); err != nil {
				t.Fatal(err)
			}
		}
		got := packetTimes(t, path, "v")
		if len(got) != len(want) {
			t.Fatalf("%s: %d pictures, want %d", filepath.Base(path), len(got), len(want))
		}
		for i := range want {
			// exact to the microsecond: one tick is 11 µs
			if d := got[i] - want[i]; d < -2*time.Microsecond || d > 2*time.Microsecond {
				t.Fatalf("%s: picture %d at %v, want %v", filepath.Base(path), i, got[i], want[i])
			}
		}
	}
}
