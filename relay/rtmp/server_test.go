package rtmp

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/lubo-edge/lubo/internal/testkit"
	"github.com/lubo-edge/lubo/media"
)

// checkFrames verifies what a source delivered: frames after tracks, video
// starting at a keyframe, DTS monotonic per track, self-contained keyframes
// and bare audio access units.
func checkFrames(t *testing.T, tracks *media.Tracks, frames []*media.Frame) {
	t.Helper()
	if len(frames) == 0 {
		t.Fatal("no frames")
	}
	last := map[bool]time.Duration{}
	seen := map[bool]bool{}
	keys := 0
	for i, f := range frames {
		v := f.IsVideo()
		if seen[v] && f.DTS < last[v] {
			t.Fatalf("frame %d (%s): DTS %v after %v", i, f.Codec, f.DTS, last[v])
		}
		if f.PTS < f.DTS {
			t.Errorf("frame %d: PTS %v before DTS %v", i, f.PTS, f.DTS)
		}
		last[v], seen[v] = f.DTS, true
		if len(f.Data) == 0 {
			t.Fatalf("frame %d (%s): empty", i, f.Codec)
		}
		switch {
		case v:
			if tracks.Video == nil || f.Codec != tracks.Video.Codec {
				t.Fatalf("frame %d: video %s not in tracks %v", i, f.Codec, tracks)
			}
			if i == 0 && !f.Key {
				t.Errorf("first frame is not a keyframe")
			}
			if f.Key {
				keys++
				checkKeyframe(t, tracks.Video, f)
			}
		default:
			if tracks.Audio == nil || f.Codec != tracks.Audio.Codec {
				t.Fatalf("frame %d: audio %s not in tracks %v", i, f.Codec, tracks)
			}
			if !f.Key {
				t.Errorf("audio frame %d not marked key", i)
			}
			if f.Codec == media.AAC && len(f.Data) >= 2 && f.Data[0] == 0xFF && f.Data[1]&0xF0 == 0xF0 {
				t.Fatalf("audio frame %d still has an ADTS header", i)
			}
		}
	}
	if tracks.Video != nil && keys < 2 {
		t.Errorf("%d keyframes in %d frames; the clip has one a second", keys, len(frames))
	}
}

// checkKeyframe verifies a keyframe carries its parameter sets and a
// random-access slice.
func checkKeyframe(t *testing.T, v *media.VideoTrack, f *media.Frame) {
	t.Helper()
	var sps, pps, vps, irap bool
	media.SplitAnnexB(f.Data, func(n []byte) bool {
		switch {
		case bytes.Equal(n, v.SPS):
			sps = true
		case bytes.Equal(n, v.PPS):
			pps = true
		case v.Codec == media.H265 && bytes.Equal(n, v.VPS):
			vps = true
		case media.IsKeyNALU(v.Codec, n):
			irap = true
		}
		return true
	})
	if !sps || !pps || !irap || v.Codec == media.H265 && !vps {
		t.Fatalf("keyframe at %v lacks parameter sets or IRAP slice (sps %v pps %v vps %v irap %v)", f.DTS, sps, pps, vps, irap)
	}
}

// TestPublishPlayProbe publishes a clip with ffmpeg and plays it back with
// the play Source and with ffprobe at the same time.
func TestPublishPlayProbe(t *testing.T) {
	cases := []struct {
		audio      string
		codec      media.Codec
		probeAudio string
		rate       int
	}{
		{"aac", media.AAC, "aac", 44100},
		{"pcma", media.PCMA, "pcm_alaw", 8000},
	}
	for _, tc := range cases {
		t.Run(tc.audio, func(t *testing.T) {
			clip := makeClip(t, tc.audio)
			srv, addr := startServer(t)
			url := "rtmp://" + addr + "/live/cam"
			startPublisher(t, clip, url)

			// Beside the play source: ffprobe, an ffmpeg decoder reading the
			// whole stream, and a Server.Source reading it in process.
			var wg sync.WaitGroup
			var streams []probeStream
			var decodeLog []byte
			var decodeErr error
			wg.Go(func() { streams = probeQuiet(t, url) })
			wg.Go(func() {
				decodeLog, decodeErr = runToolStderr("ffmpeg", "-v", "error", "-rw_timeout", "15000000", "-i", url, "-f", "null", "-")
			})
			inproc := testkit.NewCollector(nil, nil)
			var inprocErr error
			wg.Go(func() {
				ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
				defer cancel()
				inprocErr = srv.Source("live/cam").Run(ctx, inproc)
			})

			ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
			defer cancel()
			col := testkit.NewCollector(testkit.VideoFrames(50), cancel)
			err := NewSource(url).Run(ctx, col)
			if errors.Is(ctx.Err(), context.DeadlineExceeded) {
				t.Fatalf("source got %d frames before the deadline (err %v)", len(gotFrames(col)), err)
			}
			if err != nil {
				t.Fatalf("Run after cancel: %v, want nil", err)
			}
			wg.Wait()

			if len(gotTracks(col)) != 1 || col.Early() > 0 {
				t.Fatalf("Begin called %d times, %d frames before it", len(gotTracks(col)), col.Early())
			}
			tr := gotTracks(col)[0]
			if tr.Video == nil || tr.Video.Codec != media.H264 || tr.Video.Width != 320 || tr.Video.Height != 240 {
				t.Errorf("video track %+v, want H264 320x240", tr.Video)
			}
			if tr.Audio == nil || tr.Audio.Codec != tc.codec || tr.Audio.SampleRate != tc.rate || tr.Audio.Channels != 1 {
				t.Fatalf("audio track %+v, want %s %d Hz mono", tr.Audio, tc.codec, tc.rate)
			}
			if tc.codec == media.AAC && len(tr.Audio.Config) < 2 {
				t.Errorf("AAC track without AudioSpecificConfig")
			}
			if col.Count(false) == 0 {
				t.Errorf("no audio frames")
			}
			checkFrames(t, tr, gotFrames(col))

			if s := findStream(streams, "video"); s == nil || s.CodecName != "h264" || s.Width != 320 || s.Height != 240 {
				t.Errorf("ffprobe video: %+v", s)
			}
			if s := findStream(streams, "audio"); s == nil || s.CodecName != tc.probeAudio {
				t.Errorf("ffprobe audio: %+v", s)
			}
			if decodeErr != nil || len(decodeLog) > 0 {
				t.Errorf("ffmpeg decode of the served stream: %v\n%s", decodeErr, decodeLog)
			}

			// The in-process reader saw the whole publish and failed when
			// the publisher left.
			if inprocErr == nil || !strings.Contains(inprocErr.Error(), "publisher session ended") {
				t.Errorf("Server.Source after the publisher left: %v", inprocErr)
			}
			if len(gotTracks(inproc)) != 1 || !sameTracks(gotTracks(inproc)[0], tr) {
				t.Fatalf("Server.Source tracks %v, want %v", gotTracks(inproc), tr)
			}
			// 4 s at 25 fps; a reader waiting before the publisher sees all.
			if n := inproc.Count(true); n < 95 {
				t.Errorf("Server.Source got %d video frames of 100", n)
			}
			checkFrames(t, gotTracks(inproc)[0], gotFrames(inproc))
		})
	}
}

// probeQuiet is probe for a goroutine: it reports failures with t.Error.
func probeQuiet(t *testing.T, url string) []probeStream {
	out, err := runToolErr("ffprobe", "-v", "error", "-rw_timeout", "15000000", "-show_streams", "-of", "json", url)
	if err != nil {
		t.Errorf("ffprobe %s: %v", url, err)
		return nil
	}
	streams, err := parseProbe(out)
	if err != nil {
		t.Errorf("ffprobe output: %v", err)
	}
	return streams
}
