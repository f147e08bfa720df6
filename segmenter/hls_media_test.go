package segmenter

import (
	"bytes"
	"log/slog"
	"math"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/lubo-edge/lubo/media"
)

// TestHLSPlaysInFFmpeg muxes real H.264+AAC and H.265+AAC, in MPEG-TS and
// in fMP4, and lets ffprobe and ffmpeg judge the result over HTTP. The H.264
// frames have their parameter sets stripped, so the muxer must insert them
// from the Tracks (TS) or put them in the init section (fMP4).
func TestHLSPlaysInFFmpeg(t *testing.T) {
	cases := []struct {
		kind    string
		variant Variant
		codec   media.Codec
		name    string // ffprobe's codec name
		strip   bool
	}{
		{"h264_aac", VariantAuto, media.H264, "h264", true},
		{"h265_aac", VariantTS, media.H265, "hevc", false},
		{"h264_aac", VariantFMP4, media.H264, "h264", true},
		{"h265_aac", VariantAuto, media.H265, "hevc", false},
	}
	for _, c := range cases {
		fmp4 := c.variant.resolve(&media.Tracks{Video: &media.VideoTrack{Codec: c.codec}}) == VariantFMP4
		t.Run(c.kind+"_"+map[bool]string{false: "ts", true: "fmp4"}[fmp4], func(t *testing.T) {
			cl := loadClip(t, c.kind)
			h := NewHLS(HLSOptions{Channel: "c101", Variant: c.variant})
			for _, f := range cl.session(1, 0, 0, c.strip) {
				h.WriteFrame(f)
			}
			h.Close()
			url := serve(t, h)

			playlist := getOK(t, url+"/index.m3u8")
			names := listedSegments(playlist)
			// 6 s, cut every 2 s (x265 puts its keyframes a little early:
			// 1.88 s, 3.92 s, which round to 2).
			if len(names) != 3 {
				t.Fatalf("%d segments listed, want 3:\n%s", len(names), playlist)
			}
			tags := []string{"#EXT-X-VERSION:3\n", "#EXT-X-MEDIA-SEQUENCE:0\n", "#EXT-X-TARGETDURATION:2\n", "#EXT-X-ENDLIST\n"}
			if fmp4 {
				tags = []string{"#EXT-X-VERSION:7\n", "#EXT-X-INDEPENDENT-SEGMENTS\n", "#EXT-X-MAP:URI=\"init0.mp4\"\n#EXTINF", "#EXT-X-TARGETDURATION:2\n", "#EXT-X-ENDLIST\n"}
			}
			for _, tag := range tags {
				if !bytes.Contains(playlist, []byte(tag)) {
					t.Errorf("playlist lacks %q:\n%s", tag, playlist)
				}
			}
			checkDurations(t, playlist, cl.duration)
			var segs [][]byte
			for _, n := range names {
				seg := getOK(t, url+"/"+n)
				if !fmp4 {
					checkSegmentStart(t, n, seg, c.codec)
				}
				segs = append(segs, seg)
			}
			if fmp4 {
				init := getOK(t, url+"/init0.mp4")
				checkFMP4(t, init, segs, c.codec)
			} else {
				checkContinuity(t, segs)
			}

			codecs := ffprobeCodecs(t, url+"/index.m3u8")
			if !slices.Contains(codecs, c.name) || !slices.Contains(codecs, "aac") {
				t.Fatalf("ffprobe found %v, want %s and aac", codecs, c.name)
			}
			if d := ffprobeDuration(t, url+"/index.m3u8"); math.Abs(d-cl.duration.Seconds()) > 0.1 {
				t.Errorf("ffprobe says the playlist lasts %.3f s, the source %.3f s", d, cl.duration.Seconds())
			}
			ffmpegDecodes(t, url+"/index.m3u8")

			st := h.Stats()
			// Only the audio ahead of the first keyframe is left out; fMP4
			// keeps the frame playing when it comes.
			lead := leadingNonKey(cl.frames)
			want := HLSDropped{BeforeKeyframe: uint64(lead)}
			if fmp4 && lead > 0 && cl.frames[lead].DTS-cl.frames[lead-1].DTS < 1024*time.Second/44100 {
				want.BeforeKeyframe--
			}
			if st.Segments != 3 || st.Bytes == 0 || st.Dropped != want {
				t.Fatalf("stats %+v, want 3 segments and dropped %+v", st, want)
			}
		})
	}
}

// TestHLSDiscontinuity feeds two source sessions; the second starts on
// non-key frames, which are dropped, and its first segment is marked.
func TestHLSDiscontinuity(t *testing.T) {
	cl := loadClip(t, "h264_aac")
	h := NewHLS(HLSOptions{Channel: "c101", Window: 10})
	for _, f := range cl.session(1, 0, 0, false) {
		h.WriteFrame(f)
	}
	// The second session begins 10 frames into the clip: no keyframe until
	// the clip's second one.
	from := 0
	for i, videos := 0, 0; i < len(cl.frames); i++ {
		if cl.frames[i].IsVideo() {
			videos++
			if videos == 11 {
				from = i
				break
			}
		}
	}
	second := cl.session(2, cl.duration, from, false)
	beforeKey := uint64(leadingNonKey(cl.frames) + leadingNonKey(second))
	for _, f := range second {
		h.WriteFrame(f)
	}
	h.Close()
	url := serve(t, h)

	playlist := getOK(t, url+"/index.m3u8")
	// Session 1: 0-2, 2-4, 4-6 s. Session 2 starts at its keyframe at 7 s:
	// 7-9, 9-11, 11-12 s.
	want := "seg2.ts\n#EXT-X-DISCONTINUITY\n#EXTINF:2.000,\nseg3.ts\n"
	if !bytes.Contains(playlist, []byte(want)) || bytes.Count(playlist, []byte("#EXT-X-DISCONTINUITY\n")) != 1 {
		t.Fatalf("playlist does not have one discontinuity, before seg3:\n%s", playlist)
	}
	if n := len(listedSegments(playlist)); n != 6 {
		t.Fatalf("%d segments, want 6:\n%s", n, playlist)
	}
	if got := h.Stats().Dropped.BeforeKeyframe; got != beforeKey {
		t.Fatalf("dropped %d frames before the keyframe, want %d", got, beforeKey)
	}
	ffmpegDecodes(t, url+"/index.m3u8")
}

// leadingNonKey counts the frames before the first video keyframe.
func leadingNonKey(frames []*media.Frame) int {
	return slices.IndexFunc(frames, func(f *media.Frame) bool { return f.IsVideo() && f.Key })
}

// logLines is a slog handler's output, safe for concurrent writes.
type logLines struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (l *logLines) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.Write(p)
}

func (l *logLines) count(substr string) int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return strings.Count(l.buf.String(), substr)
}

// g711Session is the clip's video with G.711 audio frames (20 ms each)
// instead of AAC, as a classroom camera sends it.
func g711Session(cl *clip, n int, offset time.Duration) (frames []*media.Frame, audio int) {
	t := &media.Tracks{Video: cl.tracks.Video, Audio: &media.AudioTrack{Codec: media.PCMA, SampleRate: 8000, Channels: 1}, Session: n}
	samples := make([]byte, 160)
	next := time.Duration(0)
	for _, f := range cl.frames {
		if !f.IsVideo() {
			continue
		}
		for ; next <= f.DTS; next += 20 * time.Millisecond {
			frames = append(frames, &media.Frame{Codec: media.PCMA, DTS: offset + next, PTS: offset + next, Key: true, Data: samples, Tracks: t})
			audio++
		}
		g := *f
		g.Tracks, g.DTS, g.PTS = t, f.DTS+offset, f.PTS+offset
		frames = append(frames, &g)
	}
	return frames, audio
}

// TestHLSDropsG711 checks that G.711 audio is left out, counted, and logged
// once per session, and that the video still plays.
func TestHLSDropsG711(t *testing.T) {
	cl := loadClip(t, "h264_aac")
	var logs logLines
	h := NewHLS(HLSOptions{Channel: "c102", Logger: slog.New(slog.NewTextHandler(&logs, nil))})
	s1, a1 := g711Session(cl, 1, 0)
	s2, a2 := g711Session(cl, 2, cl.duration)
	for _, f := range append(s1, s2...) {
		h.WriteFrame(f)
	}
	h.Close()

	if got := h.Stats().Dropped.Unsupported; got != uint64(a1+a2) {
		t.Fatalf("dropped %d unsupported frames, want %d", got, a1+a2)
	}
	if n := logs.count("dropping audio"); n != 2 {
		t.Fatalf("%d log lines about dropped audio for 2 sessions, want 2:\n%s", n, logs.buf.String())
	}
	if n := logs.count("channel=c102"); n < 2 || n != strings.Count(logs.buf.String(), "\n") {
		t.Fatalf("log lines without the channel attribute:\n%s", logs.buf.String())
	}
	url := serve(t, h)
	if codecs := ffprobeCodecs(t, url+"/index.m3u8"); !slices.Equal(codecs, []string{"h264"}) {
		t.Fatalf("ffprobe found %v, want only h264", codecs)
	}
	ffmpegDecodes(t, url+"/index.m3u8")
}

// TestHLSAudioOnlyG711 feeds a stream HLS can carry nothing of: no segment,
// no crash, and the playlist says so once the muxer is closed.
func TestHLSAudioOnlyG711(t *testing.T) {
	h := NewHLS(HLSOptions{Channel: "c103", Logger: slog.New(slog.DiscardHandler)})
	tr := &media.Tracks{Audio: &media.AudioTrack{Codec: media.PCMU, SampleRate: 8000, Channels: 1}, Session: 1}
	for i := range 500 {
		d := time.Duration(i) * 20 * time.Millisecond
		h.WriteFrame(&media.Frame{Codec: media.PCMU, DTS: d, PTS: d, Key: true, Data: make([]byte, 160), Tracks: tr})
	}
	h.Close()
	if st := h.Stats(); st.Segments != 0 || st.Dropped.Unsupported != 500 {
		t.Fatalf("stats %+v, want no segment and 500 unsupported", st)
	}
	resp, body := get(t, serve(t, h)+"/index.m3u8")
	if resp.StatusCode != 404 {
		t.Fatalf("playlist of a closed muxer without segments: %s %s", resp.Status, body)
	}
}

// TestHLSLongGOPSplits: a camera with a 4 s GOP under a 2 s target. The
// target duration stays 2 and the first GOP is split before 2.5 s, on a
// picture that is not a keyframe; ffmpeg still decodes the whole playlist
// without an error, for its full length, in both variants, and the fMP4
// playlist does not claim independent segments.
func TestHLSLongGOPSplits(t *testing.T) {
	for _, variant := range []Variant{VariantTS, VariantFMP4} {
		t.Run(string(variant), func(t *testing.T) {
			cl := loadClip(t, "h264_gop4")
			h := NewHLS(HLSOptions{Channel: "c101", Variant: variant, Logger: quiet()})
			for _, f := range cl.session(1, 0, 0, false) {
				h.WriteFrame(f)
			}
			h.Close()
			url := serve(t, h)
			playlist := getOK(t, url+"/index.m3u8")
			// 0-2.48 (split), 2.48-4 (to the keyframe), 4-6.
			if n := len(listedSegments(playlist)); n != 3 {
				t.Fatalf("%d segments, want 3:\n%s", n, playlist)
			}
			checkDurations(t, playlist, cl.duration)
			if bytes.Contains(playlist, []byte("INDEPENDENT-SEGMENTS")) {
				t.Fatalf("a playlist with a split segment claims independent segments:\n%s", playlist)
			}
			if d := ffprobeDuration(t, url+"/index.m3u8"); math.Abs(d-cl.duration.Seconds()) > 0.1 {
				t.Errorf("ffprobe says the playlist lasts %.3f s, the source %.3f s", d, cl.duration.Seconds())
			}
			ffmpegDecodes(t, url+"/index.m3u8")
			if st := h.Stats(); st.Dropped.Invalid != 0 || st.Segments != 3 {
				t.Fatalf("stats %+v", st)
			}
		})
	}
}
