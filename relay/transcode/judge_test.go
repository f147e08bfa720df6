package transcode

import (
	"context"
	"encoding/binary"
	"encoding/json"
	"math"
	"net/http/httptest"
	"os/exec"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/lubo-edge/lubo/internal/judge"
	"github.com/lubo-edge/lubo/media"
	"github.com/lubo-edge/lubo/recorder/mp4"
	"github.com/lubo-edge/lubo/segmenter"
)

// TestJudgeMP4AndHLS records 10 s of a G.711 camera through the derived
// stream with lubo's own MP4 writer and HLS muxer, and lets ffmpeg judge:
// an AAC stream that decodes without errors, as long as the video within
// 0.1 s, starting with it within 40 ms, and each tone burst of the source
// heard where its second is on the video's timeline.
func TestJudgeMP4AndHLS(t *testing.T) {
	c := loadClip(t, 10, "pcm_alaw", 1)
	r := startRig(t, twoSessions(c, c), testOptions())
	frames := r.readSessions(t, 2)[0]
	r.stop()

	// Where the source's second k is, relative to its first picture.
	var v0, a0 time.Duration = -1, -1
	for _, f := range c.frames {
		if f.IsVideo() && v0 < 0 {
			v0 = f.DTS
		}
		if !f.IsVideo() && a0 < 0 {
			a0 = f.DTS
		}
	}
	burstAt := func(k int) float64 { return (a0 - v0).Seconds() + float64(k) }

	dir := t.TempDir()
	part, final := filepath.Join(dir, "rec.mp4.part"), filepath.Join(dir, "rec.mp4")
	w, err := mp4.Create(part, frames[0].Tracks, mp4.Options{NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range frames {
		if err := w.WriteFrame(f); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := mp4.Finalize(part, final); err != nil {
		t.Fatal(err)
	}

	h := segmenter.NewHLS(segmenter.HLSOptions{Channel: "c1", Window: 10})
	for _, f := range frames {
		h.WriteFrame(f)
	}
	h.Close()
	srv := httptest.NewServer(h)
	defer srv.Close()

	for _, out := range []struct{ name, url string }{{"mp4", final}, {"hls", srv.URL + "/index.m3u8"}} {
		t.Run(out.name, func(t *testing.T) {
			if e := judge.DecodeErrors(t, out.url, 0); e != "" {
				t.Fatalf("ffmpeg decoding: %s", e)
			}
			p := probe(t, out.url)
			v, a := p["video"], p["audio"]
			if v.codec != "h264" || a.codec != "aac" {
				t.Fatalf("streams %+v, want h264 and aac", p)
			}
			t.Logf("video %.3f-%.3f s, audio %.3f-%.3f s", v.start, v.end, a.start, a.end)
			if d := math.Abs(a.start - v.start); d > 0.040 {
				t.Errorf("audio starts %.1f ms from the video", d*1000)
			}
			if d := math.Abs((a.end - a.start) - (v.end - v.start)); d > 0.1 {
				t.Errorf("audio lasts %.3f s, video %.3f s", a.end-a.start, v.end-v.start)
			}
			onsets := burstOnsets(t, out.url, a.start)
			if len(onsets) < 8 {
				t.Fatalf("%d tone bursts heard, want 9: %v", len(onsets), onsets)
			}
			var worst float64
			for _, on := range onsets {
				k := int(math.Round(on - v.start - burstAt(0)))
				off := on - v.start - burstAt(k)
				if math.Abs(off) > math.Abs(worst) {
					worst = off
				}
			}
			t.Logf("lip sync: worst burst %.1f ms from its place", worst*1000)
			if math.Abs(worst) > 0.010 {
				t.Errorf("a tone burst is %.1f ms from its place on the video timeline: %v", worst*1000, onsets)
			}
		})
	}
}

// streamSpan is what ffprobe says of one stream.
type streamSpan struct {
	codec      string
	start, end float64 // seconds: first packet's PTS, last packet's PTS plus duration
}

// probe reads every packet's time from ffprobe, by stream kind.
func probe(t *testing.T, url string) map[string]streamSpan {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	out, err := exec.CommandContext(ctx, "ffprobe", "-v", "error", "-show_entries",
		"stream=index,codec_type,codec_name:packet=stream_index,pts_time,duration_time", "-of", "json", url).Output()
	if err != nil {
		t.Fatalf("ffprobe %s: %v", url, err)
	}
	var res struct {
		Streams []struct {
			Index int    `json:"index"`
			Type  string `json:"codec_type"`
			Codec string `json:"codec_name"`
		} `json:"streams"`
		Packets []struct {
			Stream   int    `json:"stream_index"`
			PTS      string `json:"pts_time"`
			Duration string `json:"duration_time"`
		} `json:"packets"`
	}
	if err := json.Unmarshal(out, &res); err != nil {
		t.Fatalf("ffprobe output: %v", err)
	}
	spans := map[string]streamSpan{}
	kind := map[int]string{}
	for _, s := range res.Streams {
		kind[s.Index] = s.Type
		spans[s.Type] = streamSpan{codec: s.Codec, start: math.Inf(1), end: math.Inf(-1)}
	}
	for _, p := range res.Packets {
		pts, err1 := strconv.ParseFloat(p.PTS, 64)
		dur, err2 := strconv.ParseFloat(p.Duration, 64)
		if err1 != nil || err2 != nil {
			t.Fatalf("packet %+v: times do not parse", p)
		}
		s := spans[kind[p.Stream]]
		s.start, s.end = math.Min(s.start, pts), math.Max(s.end, pts+dur)
		spans[kind[p.Stream]] = s
	}
	return spans
}

// burstOnsets decodes the audio of url and returns when each tone burst
// begins, in seconds on the file's timeline (the audio starts at start).
func burstOnsets(t *testing.T, url string, start float64) []float64 {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	pcm, err := exec.CommandContext(ctx, "ffmpeg", "-nostdin", "-v", "error", "-i", url, "-map", "0:a",
		"-f", "s16le", "-ac", "1", "-ar", "48000", "-").Output()
	if err != nil {
		t.Fatalf("decode the audio of %s: %v", url, err)
	}
	const rate = 48000
	var onsets []float64
	quietSince := 0 // samples of quiet before i
	for i := 0; i+1 < len(pcm); i += 2 {
		s := int16(binary.LittleEndian.Uint16(pcm[i:]))
		if math.Abs(float64(s)) > 0.4*math.MaxInt16 {
			if quietSince > rate/2 {
				onsets = append(onsets, start+float64(i/2)/rate)
			}
			quietSince = 0
		} else {
			quietSince++
		}
	}
	return onsets
}

var _ = media.AAC
