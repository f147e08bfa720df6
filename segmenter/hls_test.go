package segmenter

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/lubo-edge/lubo/media"
)

// Synthetic H.264+AAC: the muxer does not decode, so made-up payloads test
// the cutting, the playlist and HTTP quickly and exactly. Real media is in
// hls_media_test.go.
var (
	synthSPS = []byte{0x67, 0x42, 0xc0, 0x1e, 0xd9}
	synthPPS = []byte{0x68, 0xce, 0x3c, 0x80}
)

func synthTracks(session int) *media.Tracks {
	return &media.Tracks{
		Video:   &media.VideoTrack{Codec: media.H264, SPS: synthSPS, PPS: synthPPS},
		Audio:   &media.AudioTrack{Codec: media.AAC, SampleRate: 44100, Channels: 2, Config: []byte{0x12, 0x10}},
		Session: session,
	}
}

// synthFrames makes dur of 25 fps video with a keyframe every second, and
// AAC frames interleaved, starting at start.
func synthFrames(t *media.Tracks, start, dur time.Duration) []*media.Frame {
	const frame = 40 * time.Millisecond
	aac := 1024 * time.Second / 44100
	key := media.AppendAnnexB(nil, synthSPS, synthPPS, append([]byte{0x65, 0x88}, bytes.Repeat([]byte{0xab}, 3000)...))
	delta := media.AppendAnnexB(nil, append([]byte{0x41, 0x9a}, bytes.Repeat([]byte{0xcd}, 700)...))
	au := bytes.Repeat([]byte{0x21}, 300)
	var out []*media.Frame
	var audio time.Duration
	for i := 0; time.Duration(i)*frame < dur; i++ {
		d := time.Duration(i) * frame
		f := &media.Frame{Codec: media.H264, DTS: start + d, PTS: start + d, Key: i%25 == 0, Data: delta, Tracks: t}
		if f.Key {
			f.Data = key
		}
		out = append(out, f)
		for ; audio < d+frame; audio += aac {
			out = append(out, &media.Frame{Codec: media.AAC, DTS: start + audio, PTS: start + audio, Key: true, Data: au, Tracks: t})
		}
	}
	return out
}

func writeAll(h *HLS, frames ...[]*media.Frame) {
	for _, fs := range frames {
		for _, f := range fs {
			h.WriteFrame(f)
		}
	}
}

func quiet() *slog.Logger { return slog.New(slog.DiscardHandler) }

func TestHLSSlidingWindow(t *testing.T) {
	h := NewHLS(HLSOptions{Target: time.Second, Window: 3, Logger: quiet()})
	// 12 s, a segment a second; the last one stays open (no Close).
	writeAll(h, synthFrames(synthTracks(1), 0, 12*time.Second))
	url := serve(t, h)

	playlist := getOK(t, url+"/index.m3u8")
	p := decodePlaylist(t, playlist)
	if p.SeqNo != 8 || p.Count() != 3 || bytes.Contains(playlist, []byte("#EXT-X-ENDLIST")) {
		t.Fatalf("want a live playlist of seg8-seg10 with media sequence 8:\n%s", playlist)
	}
	if got := listedSegments(playlist); strings.Join(got, " ") != "seg8.ts seg9.ts seg10.ts" {
		t.Fatalf("listed %v", got)
	}
	var segs [][]byte
	for _, name := range listedSegments(playlist) {
		segs = append(segs, getOK(t, url+"/"+name))
	}
	checkContinuity(t, segs)

	// Held beyond the window: Window+extraSegments segments, seg4-seg10.
	cases := map[string]int{
		"seg3.ts":  404, // expired
		"seg4.ts":  200, // no longer listed, still held for slow clients
		"seg10.ts": 200,
		"seg11.ts": 404, // still being written
		"seg99.ts": 404,
	}
	for name, want := range cases {
		if resp, body := get(t, url+"/"+name); resp.StatusCode != want {
			t.Errorf("GET %s: %s %q, want %d", name, resp.Status, body, want)
		}
	}
	if st := h.Stats(); st.Segments != 11 {
		t.Errorf("stats say %d segments, want 11", st.Segments)
	}
}

func TestHLSDiscontinuitySequence(t *testing.T) {
	cases := []struct {
		window   int
		sessions int
		seq      uint64
		dsn      uint64
		tagged   []string // listed segments preceded by EXT-X-DISCONTINUITY
	}{
		// Sessions of 3 s make seg0-2, seg3-5, seg6-8; the last stays open.
		{window: 3, sessions: 2, seq: 2, dsn: 0, tagged: []string{"seg3.ts"}},
		{window: 2, sessions: 2, seq: 3, dsn: 1},
		{window: 4, sessions: 3, seq: 4, dsn: 1, tagged: []string{"seg6.ts"}},
		{window: 2, sessions: 3, seq: 6, dsn: 2},
		{window: 10, sessions: 3, seq: 0, dsn: 0, tagged: []string{"seg3.ts", "seg6.ts"}},
	}
	for _, c := range cases {
		t.Run(fmt.Sprintf("window %d, %d sessions", c.window, c.sessions), func(t *testing.T) {
			h := NewHLS(HLSOptions{Target: time.Second, Window: c.window, Logger: quiet()})
			for s := range c.sessions {
				writeAll(h, synthFrames(synthTracks(s+1), time.Duration(s)*3*time.Second, 3*time.Second))
			}
			playlist := getOK(t, serve(t, h)+"/index.m3u8")
			p := decodePlaylist(t, playlist)
			if p.SeqNo != c.seq || p.DiscontinuitySeq != c.dsn {
				t.Fatalf("media sequence %d, discontinuity sequence %d; want %d, %d:\n%s", p.SeqNo, p.DiscontinuitySeq, c.seq, c.dsn, playlist)
			}
			var tagged []string
			for _, s := range p.GetAllSegments() {
				if s.Discontinuity {
					tagged = append(tagged, s.URI)
				}
			}
			if strings.Join(tagged, " ") != strings.Join(c.tagged, " ") {
				t.Fatalf("discontinuity before %v, want %v:\n%s", tagged, c.tagged, playlist)
			}
		})
	}
}

// TestHLSPlaylistWaitsForFirstSegment: a player asking before the first
// segment is complete gets the playlist once it is, not an empty one.
func TestHLSPlaylistWaitsForFirstSegment(t *testing.T) {
	h := NewHLS(HLSOptions{Target: time.Second, Logger: quiet()})
	entered := make(chan struct{}, 1)
	url := serve(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		entered <- struct{}{}
		h.ServeHTTP(w, r)
	}))
	type answer struct {
		status int
		body   []byte
		err    error
	}
	answers := make(chan answer, 1)
	go func() {
		resp, err := http.Get(url + "/index.m3u8")
		if err != nil {
			answers <- answer{err: err}
			return
		}
		defer resp.Body.Close()
		var buf bytes.Buffer
		_, err = buf.ReadFrom(resp.Body)
		answers <- answer{resp.StatusCode, buf.Bytes(), err}
	}()
	<-entered
	writeAll(h, synthFrames(synthTracks(1), 0, 1500*time.Millisecond))
	a := <-answers
	if a.err != nil || a.status != 200 || !bytes.Contains(a.body, []byte("seg0.ts")) {
		t.Fatalf("waiting playlist request: %d %v:\n%s", a.status, a.err, a.body)
	}
}

// TestHLSPlaylistGivesUp: a client that goes away while waiting ends the
// wait; it is told to retry.
func TestHLSPlaylistGivesUp(t *testing.T) {
	h := NewHLS(HLSOptions{Logger: quiet()})
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequestWithContext(ctx, "GET", "/index.m3u8", nil))
	if rec.Code != http.StatusServiceUnavailable || rec.Header().Get("Retry-After") == "" {
		t.Fatalf("got %d %v, want 503 with Retry-After", rec.Code, rec.Header())
	}
}

func TestHLSHTTP(t *testing.T) {
	h := NewHLS(HLSOptions{Target: time.Second, Logger: quiet()})
	writeAll(h, synthFrames(synthTracks(1), 0, 3*time.Second))
	url := serve(t, h)
	if !h.LastRequest().IsZero() {
		t.Fatal("LastRequest set before any request")
	}

	cases := []struct {
		method, path string
		header       http.Header
		status       int
		want         map[string]string
	}{
		{"GET", "/index.m3u8", nil, 200, map[string]string{
			"Content-Type": "application/vnd.apple.mpegurl", "Cache-Control": "no-cache", "Access-Control-Allow-Origin": "*"}},
		{"HEAD", "/index.m3u8", nil, 200, map[string]string{"Content-Type": "application/vnd.apple.mpegurl"}},
		{"GET", "/seg1.ts", nil, 200, map[string]string{
			"Content-Type": "video/mp2t", "Cache-Control": "public, max-age=10", "Access-Control-Allow-Origin": "*"}},
		{"HEAD", "/seg1.ts", nil, 200, map[string]string{"Content-Type": "video/mp2t"}},
		{"GET", "/seg1.ts", http.Header{"Range": {"bytes=0-187"}}, 206, map[string]string{"Content-Length": "188", "Content-Type": "video/mp2t"}},
		{"OPTIONS", "/index.m3u8", nil, 204, map[string]string{"Access-Control-Allow-Origin": "*"}},
		{"POST", "/index.m3u8", nil, 405, map[string]string{"Access-Control-Allow-Origin": "*"}},
		{"GET", "/seg01.ts", nil, 404, nil},
		{"GET", "/seg-1.ts", nil, 404, nil},
		{"GET", "/other.m3u8", nil, 404, nil},
		{"GET", "/seg1.mp4", nil, 404, nil},
	}
	for _, c := range cases {
		req, err := http.NewRequest(c.method, url+c.path, nil)
		if err != nil {
			t.Fatal(err)
		}
		for k, v := range c.header {
			req.Header[k] = v
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatalf("%s %s: %v", c.method, c.path, err)
		}
		resp.Body.Close()
		if resp.StatusCode != c.status {
			t.Errorf("%s %s: %s, want %d", c.method, c.path, resp.Status, c.status)
		}
		for k, v := range c.want {
			if got := resp.Header.Get(k); got != v {
				t.Errorf("%s %s: %s %q, want %q", c.method, c.path, k, got, v)
			}
		}
	}
	if h.LastRequest().IsZero() {
		t.Fatal("LastRequest not set after requests")
	}
}

// TestHLSSegmentsShared: every client gets the very bytes the muxer made.
func TestHLSSegmentsShared(t *testing.T) {
	h := NewHLS(HLSOptions{Target: time.Second, Logger: quiet()})
	writeAll(h, synthFrames(synthTracks(1), 0, 2500*time.Millisecond))
	a, _ := h.segmentData(0, ".ts")
	b, _ := h.segmentData(0, ".ts")
	if a == nil || &a[0] != &b[0] {
		t.Fatal("segment bytes are copied per request")
	}
}

func TestHLSInvalidFrames(t *testing.T) {
	var logs logLines
	h := NewHLS(HLSOptions{Channel: "c9", Target: time.Second, Logger: slog.New(slog.NewTextHandler(&logs, nil))})
	bad := synthTracks(1)
	bad.Audio = &media.AudioTrack{Codec: media.AAC, Config: []byte{0xff}}
	frames := synthFrames(bad, 0, 2500*time.Millisecond)
	var audio uint64
	for _, f := range frames {
		if !f.IsVideo() {
			audio++
		}
	}
	writeAll(h, frames)
	h.WriteFrame(&media.Frame{Codec: media.H264, Key: true, DTS: 3 * time.Second}) // no Tracks
	h.Close()
	h.Close()
	h.WriteFrame(frames[0]) // after Close: ignored

	st := h.Stats()
	if st.Dropped.Invalid != audio+1 || st.Segments != 3 {
		t.Fatalf("stats %+v, want %d invalid and 3 segments", st, audio+1)
	}
	if n := logs.count("dropping AAC"); n != 1 {
		t.Fatalf("%d log lines about the AAC config, want 1:\n%s", n, logs.buf.String())
	}
	playlist := getOK(t, serve(t, h)+"/index.m3u8")
	if !bytes.HasSuffix(playlist, []byte("seg2.ts\n#EXT-X-ENDLIST\n")) {
		t.Fatalf("closed playlist:\n%s", playlist)
	}
}

func TestWithParameterSets(t *testing.T) {
	var (
		aud   = []byte{0x09, 0xf0}
		sei   = []byte{0x06, 0x05, 0x01}
		idr   = []byte{0x65, 0x88, 0x80}
		sps   = []byte{0x67, 0x42}
		pps   = []byte{0x68, 0xce}
		aud5  = []byte{0x46, 0x01, 0x50}
		vps5  = []byte{0x40, 0x01, 0x0c}
		sps5  = []byte{0x42, 0x01, 0x01}
		pps5  = []byte{0x44, 0x01, 0xc1}
		idr5  = []byte{0x26, 0x01, 0xaf}
		tr264 = &media.Tracks{Video: &media.VideoTrack{Codec: media.H264, SPS: sps, PPS: pps}}
		tr265 = &media.Tracks{Video: &media.VideoTrack{Codec: media.H265, VPS: vps5, SPS: sps5, PPS: pps5}}
		bare  = &media.Tracks{Video: &media.VideoTrack{Codec: media.H264}}
	)
	cases := []struct {
		name   string
		codec  media.Codec
		tracks *media.Tracks
		in     [][]byte
		want   [][]byte
	}{
		{"h264 picture only", media.H264, tr264, [][]byte{idr}, [][]byte{sps, pps, idr}},
		{"h264 after the delimiter", media.H264, tr264, [][]byte{aud, idr}, [][]byte{aud, sps, pps, idr}},
		{"h264 before SEI", media.H264, tr264, [][]byte{sei, idr}, [][]byte{sps, pps, sei, idr}},
		{"h264 complete already", media.H264, tr264, [][]byte{sps, pps, idr}, [][]byte{sps, pps, idr}},
		{"h264 PPS missing", media.H264, tr264, [][]byte{sps, idr}, [][]byte{sps, pps, sps, idr}},
		{"h264 tracks without sets", media.H264, bare, [][]byte{idr}, [][]byte{idr}},
		{"h265 picture only", media.H265, tr265, [][]byte{aud5, idr5}, [][]byte{aud5, vps5, sps5, pps5, idr5}},
		{"h265 complete already", media.H265, tr265, [][]byte{vps5, sps5, pps5, idr5}, [][]byte{vps5, sps5, pps5, idr5}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			in := media.AppendAnnexB(nil, c.in...)
			var w tsWriter
			w.tracks = c.tracks
			got := w.withParameterSets(&media.Frame{Codec: c.codec, Key: true, Data: in})
			if want := media.AppendAnnexB(nil, c.want...); !bytes.Equal(got, want) {
				t.Fatalf("got %x, want %x", got, want)
			}
			if bytes.Equal(in, got) && &got[0] != &in[0] {
				t.Fatal("a complete frame was copied")
			}
		})
	}
}

var segmentNameCases = []struct {
	name string
	seq  uint64
	ok   bool
}{
	{"seg0.ts", 0, true},
	{"seg42.ts", 42, true},
	{"seg18446744073709551615.ts", 1<<64 - 1, true},
	{"seg18446744073709551616.ts", 0, false},
	{"seg.ts", 0, false},
	{"seg01.ts", 0, false},
	{"seg+1.ts", 0, false},
	{"seg-1.ts", 0, false},
	{"seg1.ts.ts", 0, false},
	{"SEG1.ts", 0, false},
	{"index.m3u8", 0, false},
}

func TestParseSegmentName(t *testing.T) {
	for _, c := range segmentNameCases {
		seq, ok := parseSegmentName(c.name)
		if ok != c.ok || (ok && seq != c.seq) {
			t.Errorf("parseSegmentName(%q) = %d, %v; want %d, %v", c.name, seq, ok, c.seq, c.ok)
		}
	}
}

func FuzzParseSegmentName(f *testing.F) {
	for _, c := range segmentNameCases {
		f.Add(c.name)
	}
	f.Fuzz(func(t *testing.T, name string) {
		if seq, ok := parseSegmentName(name); ok && segmentName(seq, ".ts") != name {
			t.Fatalf("%q parsed as %d, which is named %q", name, seq, segmentName(seq, ".ts"))
		}
		if seq, ok := parseNumbered(name, "seg", ".m4s"); ok && segmentName(seq, ".m4s") != name {
			t.Fatalf("%q parsed as %d, which is named %q", name, seq, segmentName(seq, ".m4s"))
		}
		if seq, ok := parseNumbered(name, "init", ".mp4"); ok && initName(seq) != name {
			t.Fatalf("%q parsed as %d, which is named %q", name, seq, initName(seq))
		}
	})
}
