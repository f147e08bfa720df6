package mp4file

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/bluenviron/mediacommon/v2/pkg/codecs/mpeg4audio"

	"github.com/lubo-edge/lubo/media"
	"github.com/lubo-edge/lubo/testdata/testmedia"
)

// clipCases are the testdata clips and what make.sh put in them.
var clipCases = []struct {
	file          string
	video         media.Codec
	width, height int
	keyframes     int
	rate, chans   int
}{
	{"h264_aac.mp4", media.H264, 320, 240, 6, 44100, 2},
	{"h265_aac.mp4", media.H265, 320, 240, 6, 44100, 2},
	{"sample.mp4", media.H264, 640, 360, 5, 44100, 2},
	{"tiny_h265_aac.mp4", media.H265, 64, 64, 2, 8000, 1},
	{"tiny_h264_aac_frag.mp4", media.H264, 64, 64, 2, 8000, 1},
}

func TestReadFrames(t *testing.T) {
	for _, c := range clipCases {
		t.Run(c.file, func(t *testing.T) {
			path := testmedia.Require(t, c.file)
			tracks, frames := readPath(t, path)

			v, a := tracks.Video, tracks.Audio
			if v == nil || v.Codec != c.video || v.Width != c.width || v.Height != c.height {
				t.Fatalf("video track %+v, want %s %dx%d", v, c.video, c.width, c.height)
			}
			if a == nil || a.Codec != media.AAC || a.SampleRate != c.rate || a.Channels != c.chans {
				t.Fatalf("audio track %+v, want AAC %d Hz %d ch", a, c.rate, c.chans)
			}
			var conf mpeg4audio.AudioSpecificConfig
			if err := conf.Unmarshal(a.Config); err != nil || conf.Type != mpeg4audio.ObjectTypeAACLC ||
				conf.SampleRate != c.rate || conf.ChannelCount != c.chans {
				t.Fatalf("AudioSpecificConfig %x decodes to %+v, %v", a.Config, conf, err)
			}
			if (c.video == media.H265 && v.VPS == nil) || v.SPS == nil || v.PPS == nil {
				t.Fatalf("parameter sets missing: VPS %x SPS %x PPS %x", v.VPS, v.SPS, v.PPS)
			}

			var video, audio []*media.Frame
			for _, f := range frames {
				if f.Tracks != tracks {
					t.Fatal("frame does not point at the returned tracks")
				}
				if f.IsVideo() {
					video = append(video, f)
				} else {
					audio = append(audio, f)
				}
			}
			// ffprobe is the independent count.
			if v, a := ffprobePackets(t, path); len(video) != v || len(audio) != a {
				t.Errorf("%d video and %d audio frames, ffprobe counts %d and %d", len(video), len(audio), v, a)
			}
			checkStrictlyIncreasing(t, frames)
			checkKeyframes(t, v.Codec, video, c.keyframes)
			// gomedia gives whole milliseconds; frame n must come out
			// exactly at n*1024/rate.
			for i, f := range audio {
				if !f.Key || len(f.Data) == 0 || f.Data[0] == 0xff && len(f.Data) > 1 && f.Data[1]&0xf0 == 0xf0 {
					t.Fatalf("audio frame %d: key %v, data % x: want a raw AU", i, f.Key, f.Data[:min(4, len(f.Data))])
				}
				want := time.Duration(i) * 1024 * time.Second / time.Duration(c.rate)
				if f.DTS != want {
					t.Fatalf("audio frame %d at %v, want exactly %v", i, f.DTS, want)
				}
			}
		})
	}
}

// checkKeyframes checks the first frame is a keyframe, every keyframe
// carries its parameter sets and no other frame claims to be one.
func checkKeyframes(t *testing.T, codec media.Codec, video []*media.Frame, want int) {
	t.Helper()
	if len(video) == 0 || !video[0].Key {
		t.Fatal("video does not start with a keyframe")
	}
	sets := []byte{media.H264SPS, media.H264PPS}
	irap := func(d []byte) bool { return hasNALU(codec, d, media.H264IDR) }
	if codec == media.H265 {
		sets = []byte{media.H265VPS, media.H265SPS, media.H265PPS}
		irap = func(d []byte) bool {
			found := false
			media.SplitAnnexB(d, func(n []byte) bool { found = found || media.IsKeyNALU(codec, n); return true })
			return found
		}
	}
	keys := 0
	for i, f := range video {
		if f.Key != irap(f.Data) {
			t.Fatalf("video frame %d: Key %v but random access NALU %v", i, f.Key, !f.Key)
		}
		if !f.Key {
			continue
		}
		keys++
		for _, s := range sets {
			if !hasNALU(codec, f.Data, s) {
				t.Fatalf("keyframe %d lacks NAL unit type %d", i, s)
			}
		}
	}
	if keys != want {
		t.Errorf("%d keyframes, want %d", keys, want)
	}
}

// TestReadFramesFragmented compares a fragmented copy of a clip with the
// plain one: the same payloads must come out.
func TestReadFramesFragmented(t *testing.T) {
	src := testmedia.Require(t, "h264_aac.mp4")
	frag := filepath.Join(t.TempDir(), "frag.mp4")
	ffmpeg(t, "-i", src, "-c", "copy", "-movflags", "+frag_keyframe+empty_moov+default_base_moof", frag)

	_, plain := readPath(t, src)
	tracks, fragmented := readPath(t, frag)
	if tracks.Video == nil || tracks.Audio == nil {
		t.Fatalf("fragmented tracks: %s", tracks)
	}
	for _, video := range []bool{true, false} {
		a, b := only(plain, video), only(fragmented, video)
		if len(a) != len(b) {
			t.Fatalf("video=%v: %d frames plain, %d fragmented", video, len(a), len(b))
		}
		for i := range a {
			if !bytes.Equal(a[i].Data, b[i].Data) || a[i].Key != b[i].Key {
				t.Fatalf("video=%v frame %d differs", video, i)
			}
		}
	}
	checkStrictlyIncreasing(t, fragmented)
}

func only(frames []*media.Frame, video bool) []*media.Frame {
	var out []*media.Frame
	for _, f := range frames {
		if f.IsVideo() == video {
			out = append(out, f)
		}
	}
	return out
}

// TestReadFramesOneTrack plays files with only video or only audio.
func TestReadFramesOneTrack(t *testing.T) {
	src := testmedia.Require(t, "h264_aac.mp4")
	dir := t.TempDir()
	videoOnly, audioOnly := filepath.Join(dir, "v.mp4"), filepath.Join(dir, "a.mp4")
	ffmpeg(t, "-i", src, "-c", "copy", "-an", videoOnly)
	ffmpeg(t, "-i", src, "-c", "copy", "-vn", audioOnly)

	tracks, frames := readPath(t, videoOnly)
	if tracks.Video == nil || tracks.Audio != nil || len(only(frames, false)) != 0 || len(frames) != 150 {
		t.Errorf("video-only file: tracks %s, %d frames", tracks, len(frames))
	}
	tracks, frames = readPath(t, audioOnly)
	if tracks.Video != nil || tracks.Audio == nil || len(only(frames, true)) != 0 || len(frames) != 260 {
		t.Errorf("audio-only file: tracks %s, %d frames", tracks, len(frames))
	}
}

// TestReadFramesTruncated plays what is left of a file cut short after its
// moov (faststart), and finds nothing in one cut before its moov.
func TestReadFramesTruncated(t *testing.T) {
	dir := t.TempDir()
	cut := func(name string, keep float64) string {
		b, err := os.ReadFile(testmedia.Require(t, name))
		if err != nil {
			t.Fatal(err)
		}
		p := filepath.Join(dir, "cut_"+name)
		if err := os.WriteFile(p, b[:int(float64(len(b))*keep)], 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}

	_, full := readFile(t, "sample.mp4")
	_, part := readPath(t, cut("sample.mp4", 0.6))
	if len(part) == 0 || len(part) >= len(full) {
		t.Fatalf("%d frames from 60%% of a %d-frame file", len(part), len(full))
	}
	for i := range part {
		if !bytes.Equal(part[i].Data, full[i].Data) {
			t.Fatalf("frame %d differs from the whole file's", i)
		}
	}

	f, err := os.Open(cut("h264_aac.mp4", 0.6)) // moov is at the end
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, _, err := ReadFrames(f); !errors.Is(err, ErrNoTrack) {
		t.Fatalf("ReadFrames without moov: %v, want ErrNoTrack", err)
	}
}

// TestReadFramesUnsupportedCodec: an MPEG-4 Part 2 file has nothing to play.
func TestReadFramesUnsupportedCodec(t *testing.T) {
	p := filepath.Join(t.TempDir(), "mpeg4.mp4")
	ffmpeg(t, "-f", "lavfi", "-i", "testsrc2=s=64x64:r=25:d=0.2", "-c:v", "mpeg4", p)
	f, err := os.Open(p)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, _, err := ReadFrames(f); !errors.Is(err, ErrNoTrack) {
		t.Fatalf("ReadFrames: %v, want ErrNoTrack", err)
	}
}

func TestSnapAAC(t *testing.T) {
	for _, c := range []struct {
		ms   time.Duration
		rate int
		want time.Duration
	}{
		{0, 44100, 0},
		{23 * time.Millisecond, 44100, 1024 * time.Second / 44100},
		{46 * time.Millisecond, 44100, 2048 * time.Second / 44100},
		{128 * time.Millisecond, 8000, 128 * time.Millisecond},
		{30 * time.Millisecond, 44100, 30 * time.Millisecond}, // not near a frame start: kept
		{5 * time.Millisecond, 0, 5 * time.Millisecond},
	} {
		if got := snapAAC(c.ms, c.rate); got != c.want {
			t.Errorf("snapAAC(%v, %d) = %v, want %v", c.ms, c.rate, got, c.want)
		}
	}
}
