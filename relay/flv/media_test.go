package flv

import (
	"bytes"
	"context"
	"errors"
	"io"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/bluenviron/mediacommon/v2/pkg/codecs/mpeg4audio"
	"github.com/yapingcat/gomedia/go-mpeg2"

	"github.com/lubo-edge/lubo/internal/testkit"
	"github.com/lubo-edge/lubo/media"
)

// Test clips are made once per test binary (testkit.Clips).
var clips testkit.Clips

func TestMain(m *testing.M) { clips.RunMain(m) }

// clip describes a test input ffmpeg makes.
type clip struct {
	name       string
	args       []string // codec and format arguments
	videoCodec string   // ffprobe codec_name
	audioCodec string
}

var (
	videoInput = []string{"-f", "lavfi", "-i", "testsrc=size=320x240:rate=25"}
	audioInput = []string{"-f", "lavfi", "-i", "sine=frequency=440:sample_rate=44100"}
	x264       = []string{"-c:v", "libx264", "-preset", "veryfast", "-bf", "2", "-g", "50", "-pix_fmt", "yuv420p"}
	x265       = []string{"-c:v", "libx265", "-preset", "ultrafast", "-x265-params", "log-level=error:bframes=2:keyint=50", "-pix_fmt", "yuv420p"}
	aac        = []string{"-c:a", "aac", "-b:a", "64k"}
	pcma       = []string{"-c:a", "pcm_alaw", "-ar", "8000", "-ac", "1"}
)

var (
	clipH264AAC  = clip{"h264_aac.flv", concat(x264, aac, []string{"-f", "flv"}), "h264", "aac"}
	clipH264PCMA = clip{"h264_pcma.flv", concat(x264, pcma, []string{"-f", "flv"}), "h264", "pcm_alaw"}
	clipH265AAC  = clip{"h265_aac.ts", concat(x265, aac, []string{"-f", "mpegts"}), "hevc", "aac"}
	clipSmall    = clip{"h264_small.flv", concat([]string{"-vf", "scale=160:120"}, x264, aac, []string{"-f", "flv"}), "h264", "aac"}
)

func concat(parts ...[]string) []string {
	var out []string
	for _, p := range parts {
		out = append(out, p...)
	}
	return out
}

// makeClip returns the path of a 4 s clip, making it on first use.
func makeClip(t testing.TB, c clip) string {
	t.Helper()
	return clips.Path(t, c.name, func(path string) error {
		args := concat([]string{"-v", "error", "-y"}, videoInput, audioInput, []string{"-t", "4"}, c.args, []string{path})
		if out, err := exec.Command(tool(t, "ffmpeg"), args...).CombinedOutput(); err != nil {
			return errors.New("ffmpeg " + strings.Join(args, " ") + ": " + err.Error() + ": " + string(out))
		}
		return nil
	})
}

// tool finds ffmpeg or ffprobe; the media tests fail without them.
func tool(t testing.TB, name string) string {
	t.Helper()
	p, err := exec.LookPath(name)
	if err != nil {
		t.Fatalf("%s is needed for this test (apt-get install ffmpeg): %v", name, err)
	}
	return p
}

// collector keeps what a source publishes (testkit.Collector).
type collector = testkit.Collector

// newCollector closes Reached after want frames (never when want < 0).
func newCollector(want int) *collector { return testkit.NewCollector(testkit.Frames(want), nil) }

// readFLVFile demuxes an FLV file with ReadStream.
func readFLVFile(t testing.TB, path string) (*media.Tracks, []*media.Frame) {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	c := newCollector(-1)
	if err := ReadStream(context.Background(), f, c, nil); err != io.EOF {
		t.Fatalf("ReadStream %s: %v, want io.EOF", path, err)
	}
	begins, frames := c.Result()
	if len(begins) != 1 {
		t.Fatalf("ReadStream %s: %d Begin calls, want 1", path, len(begins))
	}
	return begins[0], frames
}

// readTSFile demuxes an MPEG-TS file with gomedia into frames, for inputs
// ffmpeg's FLV muxer cannot write (H.265).
func readTSFile(t testing.TB, path string) (*media.Tracks, []*media.Frame) {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	tracks := &media.Tracks{}
	var frames []*media.Frame
	var parseErr error
	d := mpeg2.NewTSDemuxer()
	d.OnFrame = func(cid mpeg2.TS_STREAM_TYPE, frame []byte, pts, dts uint64) {
		switch cid {
		case mpeg2.TS_STREAM_H265:
			f := &media.Frame{Codec: media.H265, DTS: ms(dts), PTS: ms(pts), Data: bytes.Clone(frame)}
			media.SplitAnnexB(f.Data, func(n []byte) bool {
				f.Key = f.Key || media.IsKeyNALU(media.H265, n)
				return true
			})
			if tracks.Video == nil && f.Key {
				v := &media.VideoTrack{Codec: media.H265}
				media.FillParamSets(v, f.Data)
				v.Width, v.Height = media.PictureSize(media.H265, v.SPS)
				tracks.Video = v
			}
			if tracks.Video != nil {
				frames = append(frames, f)
			}
		case mpeg2.TS_STREAM_AAC:
			var pkts mpeg4audio.ADTSPackets
			if err := pkts.Unmarshal(frame); err != nil {
				parseErr = err
				return
			}
			for i, p := range pkts {
				if tracks.Audio == nil {
					tracks.Audio = &media.AudioTrack{Codec: media.AAC, SampleRate: p.SampleRate, Channels: p.ChannelCount}
				}
				ts := ms(dts) + time.Duration(i)*1024*time.Second/time.Duration(p.SampleRate)
				frames = append(frames, &media.Frame{Codec: media.AAC, DTS: ts, PTS: ts, Key: true, Data: bytes.Clone(p.AU)})
			}
		}
	}
	if err := d.Input(bytes.NewReader(data)); err != nil && err != io.EOF {
		t.Fatalf("demux %s: %v", path, err)
	}
	if parseErr != nil {
		t.Fatalf("demux %s: ADTS: %v", path, parseErr)
	}
	if tracks.Video == nil || tracks.Audio == nil {
		t.Fatalf("demux %s: tracks %v, want video and audio", path, tracks)
	}
	return tracks, frames
}

func ms(v uint64) time.Duration { return time.Duration(v) * time.Millisecond }

// writeFLVFile muxes frames with a Writer into a file.
func writeFLVFile(t *testing.T, path string, tracks *media.Tracks, frames []*media.Frame) {
	t.Helper()
	var buf bytes.Buffer
	w := NewWriter(&buf, tracks)
	for _, f := range frames {
		if err := w.WriteFrame(f); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
}

// probeCodecs returns the codec_name of each stream ffprobe finds.
func probeCodecs(t *testing.T, path string) []string {
	t.Helper()
	out, err := exec.Command(tool(t, "ffprobe"), "-v", "error", "-show_entries", "stream=codec_name", "-of", "csv=p=0", path).CombinedOutput()
	if err != nil {
		t.Fatalf("ffprobe %s: %v: %s", path, err, out)
	}
	return strings.Fields(string(out))
}

// decodeClean runs ffmpeg over a file and fails on any message.
func decodeClean(t *testing.T, path string, inputArgs ...string) {
	t.Helper()
	args := concat([]string{"-v", "error"}, inputArgs, []string{"-i", path, "-f", "null", "-"})
	out, err := exec.Command(tool(t, "ffmpeg"), args...).CombinedOutput()
	if err != nil || len(bytes.TrimSpace(out)) > 0 {
		t.Fatalf("ffmpeg decode %s: err %v, output:\n%s", path, err, out)
	}
}

// countFrames counts video and audio frames.
func countFrames(frames []*media.Frame) (video, audio, keys int) {
	for _, f := range frames {
		if f.IsVideo() {
			video++
			if f.Key {
				keys++
			}
		} else {
			audio++
		}
	}
	return
}
