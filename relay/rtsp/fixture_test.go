package rtsp

import (
	"bytes"
	"context"
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
	"github.com/lubo-edge/lubo/relay"
)

// Test clips are made once per test binary by ffmpeg, into fixtureDir.
var fixtureDir string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "lubo-rtsp-test-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	fixtureDir = dir
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// clipKind names a test clip: 320x240 (unless said otherwise) at 25 fps,
// 2 s, one keyframe a second.
type clipKind string

const (
	clipH264AAC   clipKind = "h264_aac"   // no B-frames
	clipH264BAAC  clipKind = "h264b_aac"  // with B-frames
	clipH265PCMA  clipKind = "h265_pcma"  // H.265 and G.711 A-law
	clipH264PCMU  clipKind = "h264_pcmu"  // H.264 and G.711 µ-law
	clipH264Small clipKind = "h264_small" // 160x120, video only
)

// clip is a demuxed test clip: its tracks and frames in DTS order.
type clip struct {
	tracks media.Tracks
	frames []*media.Frame
	dur    time.Duration // loop length
}

var (
	clipsMu sync.Mutex
	clips   = map[clipKind]*clip{}
)

// loadClip makes (once) and demuxes a test clip; it fails the test when
// ffmpeg is missing or fails.
func loadClip(t testing.TB, kind clipKind) *clip {
	t.Helper()
	clipsMu.Lock()
	defer clipsMu.Unlock()
	if c := clips[kind]; c != nil {
		return c
	}
	c, err := makeClip(kind)
	if err != nil {
		t.Fatalf("test clip %s: %v", kind, err)
	}
	clips[kind] = c
	return c
}

func ffmpeg(args ...string) error {
	cmd := exec.Command("ffmpeg", append([]string{"-hide_banner", "-v", "error", "-y"}, args...)...)
	out, err := cmd.CombinedOutput()
	if err != nil {
		return fmt.Errorf("ffmpeg %v: %v\n%s", args, err, out)
	}
	return nil
}

func makeClip(kind clipKind) (*clip, error) {
	src := []string{"-f", "lavfi", "-i", "testsrc2=size=320x240:rate=25", "-t", "2"}
	x264 := []string{"-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p", "-g", "25", "-bf", "0"}
	aac := []string{"-f", "lavfi", "-i", "sine=frequency=440:sample_rate=48000", "-t", "2"}
	tsPath := filepath.Join(fixtureDir, string(kind)+".ts")
	g711Path := filepath.Join(fixtureDir, string(kind)+".g711")
	var err error
	switch kind {
	case clipH264AAC:
		err = ffmpeg(slices.Concat(src, aac, x264, []string{"-c:a", "aac", "-b:a", "64k", "-f", "mpegts", tsPath})...)
	case clipH264BAAC:
		x := slices.Clone(x264)
		x[1], x[3], x[len(x)-1] = "libx264", "medium", "2"
		err = ffmpeg(slices.Concat(src, aac, x, []string{"-c:a", "aac", "-b:a", "64k", "-f", "mpegts", tsPath})...)
	case clipH264Small:
		err = ffmpeg(slices.Concat([]string{"-f", "lavfi", "-i", "testsrc2=size=160x120:rate=25", "-t", "1"}, x264,
			[]string{"-f", "mpegts", tsPath})...)
	case clipH265PCMA:
		err = ffmpeg(slices.Concat(src, []string{"-c:v", "libx265", "-preset", "ultrafast", "-pix_fmt", "yuv420p",
			"-x265-params", "keyint=25:min-keyint=25:bframes=0:log-level=error", "-f", "mpegts", tsPath})...)
		if err == nil {
			err = ffmpeg("-f", "lavfi", "-i", "sine=frequency=440:sample_rate=8000", "-t", "2",
				"-c:a", "pcm_alaw", "-ar", "8000", "-ac", "1", "-f", "alaw", g711Path)
		}
	case clipH264PCMU:
		err = ffmpeg(slices.Concat(src, x264, []string{"-f", "mpegts", tsPath})...)
		if err == nil {
			err = ffmpeg("-f", "lavfi", "-i", "sine=frequency=440:sample_rate=8000", "-t", "2",
				"-c:a", "pcm_mulaw", "-ar", "8000", "-ac", "1", "-f", "mulaw", g711Path)
		}
	default:
		return nil, fmt.Errorf("unknown clip")
	}
	if err != nil {
		return nil, err
	}
	c, err := demuxTS(tsPath)
	if err != nil {
		return nil, err
	}
	switch kind {
	case clipH265PCMA:
		err = c.addG711(g711Path, media.PCMA)
	case clipH264PCMU:
		err = c.addG711(g711Path, media.PCMU)
	}
	if err != nil {
		return nil, err
	}
	c.finish()
	return c, nil
}

// demuxTS reads video and AAC frames from an MPEG-TS file.
func demuxTS(path string) (*clip, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	c := &clip{}
	var params [][]byte // latest VPS/SPS/PPS seen, for keyframes without them
	var ferr error
	d := mpeg2.NewTSDemuxer()
	d.OnFrame = func(cid mpeg2.TS_STREAM_TYPE, data []byte, pts, dts uint64) {
		ptsD, dtsD := time.Duration(pts)*time.Millisecond, time.Duration(dts)*time.Millisecond
		switch cid {
		case mpeg2.TS_STREAM_H264, mpeg2.TS_STREAM_H265:
			codec := media.H264
			if cid == mpeg2.TS_STREAM_H265 {
				codec = media.H265
			}
			fr, err := c.videoFrame(codec, data, &params)
			if err != nil {
				ferr = err
				return
			}
			fr.DTS, fr.PTS = dtsD, ptsD
			c.frames = append(c.frames, fr)
		case mpeg2.TS_STREAM_AAC:
			var pkts mpeg4audio.ADTSPackets
			if err := pkts.Unmarshal(data); err != nil {
				ferr = fmt.Errorf("ADTS: %w", err)
				return
			}
			for i, p := range pkts {
				if c.tracks.Audio == nil {
					cfg, err := (&mpeg4audio.AudioSpecificConfig{Type: p.Type, SampleRate: p.SampleRate, ChannelCount: p.ChannelCount}).Marshal()
					if err != nil {
						ferr = err
						return
					}
					c.tracks.Audio = &media.AudioTrack{Codec: media.AAC, SampleRate: p.SampleRate, Channels: p.ChannelCount, Config: cfg}
				}
				at := ptsD + time.Duration(i)*1024*time.Second/time.Duration(p.SampleRate)
				c.frames = append(c.frames, &media.Frame{Codec: media.AAC, DTS: at, PTS: at, Key: true, Data: bytes.Clone(p.AU)})
			}
		}
	}
	if err := d.Input(f); err != nil {
		return nil, fmt.Errorf("demux %s: %w", path, err)
	}
	if ferr != nil {
		return nil, ferr
	}
	if len(c.frames) == 0 || c.tracks.Video == nil {
		return nil, fmt.Errorf("demux %s: no video", path)
	}
	// MPEG-TS starts near 1.4 s; the clip starts at 0 like the G.711 track.
	first := c.frames[0].DTS
	for _, f := range c.frames {
		first = min(first, f.DTS)
	}
	for _, f := range c.frames {
		f.DTS -= first
		f.PTS -= first
	}
	return c, nil
}

// videoFrame copies an Annex-B access unit, notes its parameter sets and
// makes keyframes self-contained.
func (c *clip) videoFrame(codec media.Codec, data []byte, params *[][]byte) (*media.Frame, error) {
	var nalus [][]byte
	key, hasParams := false, false
	media.SplitAnnexB(data, func(n []byte) bool {
		nalus = append(nalus, bytes.Clone(n))
		return true
	})
	var vps, sps, pps []byte
	for _, n := range nalus {
		switch {
		case codec == media.H264 && media.H264Type(n) == media.H264SPS, codec == media.H265 && media.H265Type(n) == media.H265SPS:
			sps = n
		case codec == media.H264 && media.H264Type(n) == media.H264PPS, codec == media.H265 && media.H265Type(n) == media.H265PPS:
			pps = n
		case codec == media.H265 && media.H265Type(n) == media.H265VPS:
			vps = n
		}
		key = key || media.IsKeyNALU(codec, n)
	}
	if sps != nil && pps != nil {
		hasParams = true
		*params = [][]byte{sps, pps}
		if codec == media.H265 {
			*params = [][]byte{vps, sps, pps}
		}
		if c.tracks.Video == nil {
			w, h := media.PictureSize(codec, sps)
			c.tracks.Video = &media.VideoTrack{Codec: codec, VPS: vps, SPS: sps, PPS: pps, Width: w, Height: h}
		}
	}
	if key && !hasParams {
		if *params == nil {
			return nil, fmt.Errorf("keyframe before any parameter sets")
		}
		nalus = append(slices.Clone(*params), nalus...)
	}
	return &media.Frame{Codec: codec, Key: key, Data: media.AppendAnnexB(nil, nalus...)}, nil
}

// addG711 adds 20 ms frames of raw G.711 samples at 8 kHz.
func (c *clip) addG711(path string, codec media.Codec) error {
	b, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	c.tracks.Audio = &media.AudioTrack{Codec: codec, SampleRate: 8000, Channels: 1}
	for i := 0; i+160 <= len(b); i += 160 {
		at := time.Duration(i) * time.Second / 8000
		c.frames = append(c.frames, &media.Frame{Codec: codec, DTS: at, PTS: at, Key: true, Data: b[i : i+160]})
	}
	return nil
}

// finish orders the frames and works out the loop length.
func (c *clip) finish() {
	slices.SortStableFunc(c.frames, func(a, b *media.Frame) int {
		return int(a.DTS - b.DTS)
	})
	var end time.Duration
	for _, f := range c.frames {
		if f.DTS > end {
			end = f.DTS
		}
	}
	c.dur = end + 40*time.Millisecond
}

// source plays the clip in a loop at real speed, as a camera would.
func (c *clip) source() relay.Source {
	return relay.SourceFunc(func(ctx context.Context, out relay.Publisher) error {
		tracks := c.tracks
		out.Begin(&tracks)
		start := time.Now()
		timer := time.NewTimer(0)
		defer timer.Stop()
		for loop := time.Duration(0); ; loop++ {
			base := loop * c.dur
			for _, f := range c.frames {
				at := base + f.DTS
				if wait := time.Until(start.Add(at)); wait > 0 {
					timer.Reset(wait)
					select {
					case <-ctx.Done():
						return nil
					case <-timer.C:
					}
				} else if ctx.Err() != nil {
					return nil
				}
				out.WriteFrame(&media.Frame{Codec: f.Codec, DTS: at, PTS: base + f.PTS, Key: f.Key, Data: f.Data})
			}
		}
	})
}

// startStream runs a relay.Stream fed by src until the test ends.
func startStream(t *testing.T, id string, src relay.Source, opts relay.StreamOptions) *relay.Stream {
	t.Helper()
	st := relay.NewStream(id, src, opts)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		st.Run(ctx)
	}()
	t.Cleanup(func() {
		cancel()
		<-done
	})
	return st
}
