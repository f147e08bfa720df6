package mp4file

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/bluenviron/mediacommon/v2/pkg/codecs/mpeg4audio"

	"github.com/lubo-edge/lubo/media"
	"github.com/lubo-edge/lubo/testdata/testmedia"
)

// fakeClock moves only when slept on, so loops take no real time.
type fakeClock struct {
	now time.Time
}

func (c *fakeClock) Now() time.Time { return c.now }

func (c *fakeClock) Sleep(ctx context.Context, d time.Duration) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	c.now = c.now.Add(d)
	return nil
}

// recorder is a relay.Publisher that keeps what it is given, with the clock
// time of each frame, and cancels the run after stopAfter frames.
type recorder struct {
	clock     Clock
	stopAfter int
	cancel    context.CancelFunc

	begins      []*media.Tracks
	frames      []*media.Frame
	at          []time.Time
	beforeBegin int // frames written before Begin
}

func (r *recorder) Begin(t *media.Tracks) { r.begins = append(r.begins, t) }

func (r *recorder) WriteFrame(f *media.Frame) {
	if len(r.begins) == 0 {
		r.beforeBegin++
	}
	r.frames = append(r.frames, f)
	if r.clock != nil {
		r.at = append(r.at, r.clock.Now())
	}
	if r.stopAfter > 0 && len(r.frames) == r.stopAfter {
		r.cancel()
	}
}

// readFile demuxes a testdata file, failing the test on error.
func readFile(t testing.TB, name string) (*media.Tracks, []*media.Frame) {
	t.Helper()
	return readPath(t, testmedia.Require(t, name))
}

func readPath(t testing.TB, path string) (*media.Tracks, []*media.Frame) {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	tracks, frames, err := ReadFrames(f)
	if err != nil {
		t.Fatalf("ReadFrames(%s): %v", filepath.Base(path), err)
	}
	return tracks, frames
}

// requireTool fails (never skips) when an independent judge is missing.
func requireTool(t testing.TB, name string) {
	t.Helper()
	if _, err := exec.LookPath(name); err != nil {
		t.Fatalf("%s is needed to judge this test: %v (Debian: apt-get install ffmpeg)", name, err)
	}
}

// ffmpeg runs ffmpeg with args and returns what it printed.
func ffmpeg(t testing.TB, args ...string) string {
	t.Helper()
	requireTool(t, "ffmpeg")
	out, err := exec.Command("ffmpeg", append([]string{"-hide_banner", "-nostdin", "-v", "error", "-y"}, args...)...).CombinedOutput()
	if err != nil {
		t.Fatalf("ffmpeg %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return string(out)
}

// ffprobePackets counts the video and audio packets of a file.
func ffprobePackets(t testing.TB, path string) (video, audio int) {
	t.Helper()
	for _, line := range strings.Split(ffprobe(t, path, "-count_packets", "-show_entries", "stream=codec_type,nb_read_packets", "-of", "csv=p=0"), "\n") {
		kind, count, ok := strings.Cut(strings.TrimSpace(line), ",")
		n, err := strconv.Atoi(count)
		if !ok || err != nil {
			t.Fatalf("ffprobe %s printed %q", path, line)
		}
		switch kind {
		case "video":
			video += n
		case "audio":
			audio += n
		}
	}
	return video, audio
}

func ffprobe(t testing.TB, path string, args ...string) string {
	t.Helper()
	requireTool(t, "ffprobe")
	out, err := exec.Command("ffprobe", append(append([]string{"-v", "error"}, args...), path)...).Output()
	if err != nil {
		t.Fatalf("ffprobe %s: %v", path, err)
	}
	return strings.TrimSpace(string(out))
}

// judgeVideo writes the video frames as one Annex-B stream and has ffmpeg
// decode it: any complaint fails the test. It returns how many pictures
// ffmpeg decoded.
func judgeVideo(t testing.TB, codec media.Codec, frames []*media.Frame) int {
	t.Helper()
	var b bytes.Buffer
	for _, f := range frames {
		if f.IsVideo() {
			b.Write(f.Data)
		}
	}
	format, name := "h264", "video.h264"
	if codec == media.H265 {
		format, name = "hevc", "video.h265"
	}
	path := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(path, b.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	requireTool(t, "ffmpeg")
	// Complaints go to stderr; the progress report with the picture count
	// to stdout.
	cmd := exec.Command("ffmpeg", "-hide_banner", "-nostdin", "-v", "error", "-f", format, "-i", path,
		"-f", "null", "-progress", "pipe:1", "-nostats", "-")
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("ffmpeg: %v\n%s", err, stderr.String())
	}
	if stderr.Len() > 0 {
		t.Errorf("ffmpeg complains about the %s stream:\n%s", codec, stderr.String())
	}
	pictures := -1
	for _, line := range strings.Split(stdout.String(), "\n") {
		if v, ok := strings.CutPrefix(line, "frame="); ok {
			pictures, _ = strconv.Atoi(strings.TrimSpace(v))
		}
	}
	return pictures
}

// judgeAudio wraps the AAC frames in ADTS built from the track's config and
// has ffmpeg decode them: any complaint fails the test.
func judgeAudio(t testing.TB, a *media.AudioTrack, frames []*media.Frame) {
	t.Helper()
	var conf mpeg4audio.AudioSpecificConfig
	if err := conf.Unmarshal(a.Config); err != nil {
		t.Fatalf("AudioSpecificConfig %x: %v", a.Config, err)
	}
	var pkts mpeg4audio.ADTSPackets
	for _, f := range frames {
		if f.Codec == media.AAC {
			pkts = append(pkts, &mpeg4audio.ADTSPacket{Type: conf.Type, SampleRate: conf.SampleRate, ChannelCount: conf.ChannelCount, AU: f.Data})
		}
	}
	b, err := pkts.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "audio.aac")
	if err := os.WriteFile(path, b, 0o644); err != nil {
		t.Fatal(err)
	}
	if out := ffmpeg(t, "-f", "aac", "-i", path, "-f", "null", "-"); out != "" {
		t.Errorf("ffmpeg complains about the AAC stream:\n%s", out)
	}
}

// hasNALU reports whether Annex-B data holds a NAL unit of type typ.
func hasNALU(codec media.Codec, data []byte, typ byte) bool {
	found := false
	media.SplitAnnexB(data, func(n []byte) bool {
		t := media.H264Type(n)
		if codec == media.H265 {
			t = media.H265Type(n)
		}
		found = found || t == typ
		return !found
	})
	return found
}

// checkStrictlyIncreasing fails when a track's DTS does not grow from one
// frame to the next, or a PTS comes before its DTS.
func checkStrictlyIncreasing(t testing.TB, frames []*media.Frame) {
	t.Helper()
	last := map[bool]time.Duration{}
	for i, f := range frames {
		if prev, ok := last[f.IsVideo()]; ok && f.DTS <= prev {
			t.Fatalf("frame %d (%s): DTS %v after %v", i, f.Codec, f.DTS, prev)
		}
		if f.PTS < f.DTS {
			t.Fatalf("frame %d (%s): PTS %v before DTS %v", i, f.Codec, f.PTS, f.DTS)
		}
		last[f.IsVideo()] = f.DTS
	}
}
