package segmenter

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/bluenviron/mediacommon/v2/pkg/codecs/mpeg4audio"
	mpeg2 "github.com/yapingcat/gomedia/go-mpeg2"

	"github.com/lubo-edge/lubo/media"
)

// clipDir holds the clips ffmpeg makes, shared by the tests of one run.
var clipDir string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "lubo-segmenter-")
	if err != nil {
		fmt.Fprintln(os.Stderr, "segmenter tests:", err)
		os.Exit(1)
	}
	clipDir = dir
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// clip is a short file made by ffmpeg, demuxed into lubo frames: timestamps
// start at zero, frames are in DTS order and all belong to tracks.
type clip struct {
	frames   []*media.Frame
	tracks   *media.Tracks
	duration time.Duration // end of the last video frame
}

// Clip kinds: what ffmpeg makes. testsrc is RGB, so yuv420p is asked for
// explicitly or x264 would pick a 4:4:4 profile few players decode.
var clipArgs = map[string][]string{
	"h264_aac": {"-c:v", "libx264", "-pix_fmt", "yuv420p", "-g", "25", "-bf", "0", "-c:a", "aac"},
	// H.265 keeps x265's B-frames, so PTS and DTS differ.
	"h265_aac": {"-c:v", "libx265", "-pix_fmt", "yuv420p", "-g", "25", "-x265-params", "log-level=error", "-c:a", "aac"},
}

var (
	clipMu    sync.Mutex
	clipCache = map[string]*clip{}
)

// loadClip makes (once per test run) and demuxes a 6 s 320x240 clip.
func loadClip(tb testing.TB, kind string) *clip {
	tb.Helper()
	clipMu.Lock()
	defer clipMu.Unlock()
	if c := clipCache[kind]; c != nil {
		return c
	}
	args, ok := clipArgs[kind]
	if !ok {
		tb.Fatalf("no clip kind %q", kind)
	}
	path := filepath.Join(clipDir, kind+".ts")
	cmd := append([]string{"-hide_banner", "-nostdin", "-v", "error", "-y",
		"-f", "lavfi", "-i", "testsrc=size=320x240:rate=25",
		"-f", "lavfi", "-i", "sine=frequency=440:sample_rate=44100",
		"-t", "6"}, args...)
	cmd = append(cmd, "-f", "mpegts", path)
	if out, err := exec.Command("ffmpeg", cmd...).CombinedOutput(); err != nil {
		tb.Fatalf("ffmpeg making %s: %v\n%s", kind, err, out)
	}
	c, err := demuxClip(path)
	if err != nil {
		tb.Fatalf("demux %s: %v", kind, err)
	}
	clipCache[kind] = c
	return c
}

// demuxClip reads an MPEG-TS file with gomedia's demuxer into frames.
func demuxClip(path string) (*clip, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()

	tracks := &media.Tracks{Session: 1}
	var frames []*media.Frame
	var demuxErr error
	d := mpeg2.NewTSDemuxer()
	d.OnFrame = func(cid mpeg2.TS_STREAM_TYPE, data []byte, ptsMS, dtsMS uint64) {
		pts, dts := time.Duration(ptsMS)*time.Millisecond, time.Duration(dtsMS)*time.Millisecond
		switch cid {
		case mpeg2.TS_STREAM_H264, mpeg2.TS_STREAM_H265:
			codec := media.H264
			if cid == mpeg2.TS_STREAM_H265 {
				codec = media.H265
			}
			fr := &media.Frame{Codec: codec, PTS: pts, DTS: dts, Data: bytes.Clone(data), Tracks: tracks}
			media.SplitAnnexB(fr.Data, func(n []byte) bool {
				fr.Key = fr.Key || media.IsKeyNALU(codec, n)
				return true
			})
			if fr.Key && tracks.Video == nil {
				tracks.Video = videoTrackFromKeyframe(codec, fr.Data)
			}
			frames = append(frames, fr)
		case mpeg2.TS_STREAM_AAC:
			var pkts mpeg4audio.ADTSPackets
			if err := pkts.Unmarshal(data); err != nil {
				demuxErr = fmt.Errorf("ADTS at %v: %w", pts, err)
				return
			}
			for i, p := range pkts {
				if tracks.Audio == nil {
					asc := mpeg4audio.AudioSpecificConfig{Type: p.Type, SampleRate: p.SampleRate, ChannelCount: p.ChannelCount}
					conf, err := asc.Marshal()
					if err != nil {
						demuxErr = err
						return
					}
					tracks.Audio = &media.AudioTrack{Codec: media.AAC, SampleRate: p.SampleRate, Channels: p.ChannelCount, Config: conf}
				}
				step := time.Duration(i) * 1024 * time.Second / time.Duration(p.SampleRate)
				frames = append(frames, &media.Frame{Codec: media.AAC, PTS: pts + step, DTS: dts + step,
					Key: true, Data: bytes.Clone(p.AU), Tracks: tracks})
			}
		}
	}
	if err := d.Input(f); err != nil {
		return nil, err
	}
	if demuxErr != nil {
		return nil, demuxErr
	}
	if tracks.Video == nil || tracks.Audio == nil || len(frames) == 0 {
		return nil, fmt.Errorf("%s: no video keyframe or no audio (tracks %v, %d frames)", path, tracks, len(frames))
	}

	slices.SortStableFunc(frames, func(a, b *media.Frame) int { return int(a.DTS - b.DTS) })
	base := frames[0].DTS
	c := &clip{frames: frames, tracks: tracks}
	for _, fr := range frames {
		fr.DTS -= base
		fr.PTS -= base
		if fr.IsVideo() {
			c.duration = fr.DTS + 40*time.Millisecond
		}
	}
	return c, nil
}

// isParameterSet reports whether n is a VPS, SPS or PPS.
func isParameterSet(codec media.Codec, n []byte) bool {
	if codec == media.H265 {
		t := media.H265Type(n)
		return t == media.H265VPS || t == media.H265SPS || t == media.H265PPS
	}
	t := media.H264Type(n)
	return t == media.H264SPS || t == media.H264PPS
}

// session returns the clip's frames as a new source session: a new Tracks
// (same parameters), timestamps shifted by offset, starting at frame from,
// and without in-band parameter sets when strip is set. Payloads are new
// slices only when stripped; the clip itself is never modified.
func (c *clip) session(n int, offset time.Duration, from int, strip bool) []*media.Frame {
	t := *c.tracks
	t.Session = n
	out := make([]*media.Frame, 0, len(c.frames)-from)
	for _, f := range c.frames[from:] {
		g := *f
		g.Tracks = &t
		g.DTS += offset
		g.PTS += offset
		if strip && g.IsVideo() {
			var data []byte
			media.SplitAnnexB(f.Data, func(nalu []byte) bool {
				if !isParameterSet(f.Codec, nalu) {
					data = media.AppendAnnexB(data, nalu)
				}
				return true
			})
			g.Data = data
		}
		out = append(out, &g)
	}
	return out
}

func TestClipDemux(t *testing.T) {
	for kind := range clipArgs {
		t.Run(kind, func(t *testing.T) {
			c := loadClip(t, kind)
			var video, audio, keys int
			for _, f := range c.frames {
				if f.IsVideo() {
					video++
					if f.Key {
						keys++
					}
				} else {
					audio++
				}
			}
			// 6 s at 25 fps, a keyframe a second; AAC at 44.1 kHz is 43 frames a second.
			if video != 150 || keys != 6 || audio < 250 || audio > 262 {
				t.Fatalf("demuxed %d video frames (%d key), %d audio; want 150 (6), about 258", video, keys, audio)
			}
			first := c.frames[slices.IndexFunc(c.frames, (*media.Frame).IsVideo)]
			if !first.Key || first.DTS > 100*time.Millisecond {
				t.Fatalf("first video frame key=%v dts=%v, want a keyframe near 0", first.Key, first.DTS)
			}
			if len(c.tracks.Video.SPS) == 0 || len(c.tracks.Video.PPS) == 0 {
				t.Fatalf("no parameter sets: %+v", c.tracks.Video)
			}
		})
	}
}

// videoTrackFromKeyframe takes the parameter sets of a keyframe.
func videoTrackFromKeyframe(codec media.Codec, data []byte) *media.VideoTrack {
	v := &media.VideoTrack{Codec: codec}
	media.FillParamSets(v, data)
	return v
}
