package bmff

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/lubo-edge/lubo/internal/judge"
	"github.com/lubo-edge/lubo/media"
)

// muxFMP4 is the smallest fMP4 muxer the package allows: an init segment
// for the clip's video and AAC tracks, then one fragment per GOP, each
// sample lasting until the next one of its track. It is the test's way of
// putting every part of the package in front of ffmpeg at once.
func muxFMP4(t *testing.T, c clip) []byte {
	t.Helper()
	v, a := c.tracks.Video, c.tracks.Audio
	width, height := v.Width, v.Height
	if width <= 0 || height <= 0 {
		width, height = media.PictureSize(v.Codec, v.SPS)
	}
	var ventry, aentry Builder
	if err := ventry.VideoSampleEntry(v.Codec, uint16(width), uint16(height), c.paramSets()); err != nil {
		t.Fatal(err)
	}
	if err := aentry.AACSampleEntry(a.Channels, a.SampleRate, a.Config); err != nil {
		t.Fatal(err)
	}
	rate := uint32(a.SampleRate)
	var out Builder
	out.InitSegment([]Track{
		{ID: 1, Kind: Video, Timescale: 90000, Width: uint16(width), Height: uint16(height), SampleEntry: ventry.Bytes()},
		{ID: 2, Kind: Sound, Timescale: rate, SampleEntry: aentry.Bytes()},
	}, true)
	file := slices.Clone(out.Bytes())

	var gops [][]*media.Frame
	for _, f := range c.frames {
		if f.IsVideo() && f.Key || len(gops) == 0 {
			gops = append(gops, nil)
		}
		gops[len(gops)-1] = append(gops[len(gops)-1], f)
	}
	filter := AnnexBFilter{Codec: v.Codec, ParamSets: c.paramSets()}
	ticks := func(d time.Duration, ts uint32) int64 { return int64(d) * int64(ts) / int64(time.Second) }
	var head FragmentHead
	for g, gop := range gops {
		out.Reset()
		head.Begin(&out, uint32(g+1))
		var payload []byte
		for _, track := range []struct {
			id    uint32
			video bool
			ts    uint32
		}{{1, true, 90000}, {2, false, rate}} {
			var fs []*media.Frame
			for _, f := range gop {
				if f.IsVideo() == track.video {
					fs = append(fs, f)
				}
			}
			if len(fs) == 0 {
				continue
			}
			head.BeginTrack(track.id, uint64(max(0, ticks(fs[0].DTS, track.ts))))
			for i, f := range fs {
				dur := int64(track.ts / 25)
				if !track.video {
					dur = 1024
				}
				if i+1 < len(fs) {
					dur = ticks(fs[i+1].DTS, track.ts) - ticks(f.DTS, track.ts)
				}
				var size int
				if track.video {
					var parts []Part
					parts, size = filter.AppendParts(nil, f.Data)
					payload = AppendPayload(payload, parts)
				} else {
					size = len(f.Data)
					payload = append(payload, f.Data...)
				}
				head.Sample(uint32(dur), uint32(size), f.Key, int32(ticks(f.PTS, track.ts)-ticks(f.DTS, track.ts)))
			}
			head.EndTrack()
		}
		if err := head.End(); err != nil {
			t.Fatal(err)
		}
		file = append(file, out.Bytes()...)
		file = append(file, payload...)
	}
	return file
}

// TestFMP4JudgedByFFmpeg: what the package builds from real H.264 (Main;
// High with B-frames) and H.265 clips with AAC, ffmpeg reads without an
// error, with every frame.
func TestFMP4JudgedByFFmpeg(t *testing.T) {
	for _, c := range []struct {
		name  string
		clip  clip
		codec string
	}{
		{"h264_main", loadClip(t, "h264_aac.mp4"), "h264"},
		{"h264_high_bframes", highProfileClip(t), "h264"},
		{"h265_main", loadClip(t, "h265_aac.mp4"), "hevc"},
	} {
		t.Run(c.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), c.name+".mp4")
			if err := os.WriteFile(path, muxFMP4(t, c.clip), 0o644); err != nil {
				t.Fatal(err)
			}
			if got := judge.Streams(t, path); !slices.Equal(got, []string{c.codec, "aac"}) {
				t.Fatalf("streams %v", got)
			}
			if e := judge.DecodeErrors(t, path, 0); e != "" {
				t.Fatalf("ffmpeg: %s", e)
			}
			var video, audio int
			for _, f := range c.clip.frames {
				if f.IsVideo() {
					video++
				} else {
					audio++
				}
			}
			if got := countPackets(t, path, "v:0"); got != video {
				t.Errorf("%d video packets, want %d", got, video)
			}
			if got := countPackets(t, path, "a:0"); got != audio {
				t.Errorf("%d audio packets, want %d", got, audio)
			}
		})
	}
}

// countPackets is how many packets ffprobe reads from a stream of path.
func countPackets(t *testing.T, path, stream string) int {
	t.Helper()
	if _, err := exec.LookPath("ffprobe"); err != nil {
		t.Fatalf("ffprobe is not installed (Debian package ffmpeg): %v", err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	out, err := exec.CommandContext(ctx, "ffprobe", "-v", "error", "-select_streams", stream,
		"-show_entries", "packet=pts", "-of", "csv=p=0", path).Output()
	if err != nil {
		t.Fatalf("ffprobe %s: %v", path, err)
	}
	return len(strings.Fields(string(out)))
}
