package segmenter

import (
	"bytes"
	"io"
	"math"
	"net/http"
	"net/http/httptest"
	"os/exec"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/grafov/m3u8"
	mpeg2 "github.com/yapingcat/gomedia/go-mpeg2"

	"github.com/lubo-edge/lubo/media"
)

// serve starts an HTTP server for h on 127.0.0.1 and returns its URL.
func serve(t *testing.T, h http.Handler) string {
	t.Helper()
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return srv.URL
}

// get fetches url and returns the response (body read and closed) and body.
func get(t *testing.T, url string) (*http.Response, []byte) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatalf("GET %s: %v", url, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("GET %s: body: %v", url, err)
	}
	return resp, body
}

// getOK fetches url and fails the test unless the answer is 200.
func getOK(t *testing.T, url string) []byte {
	t.Helper()
	resp, body := get(t, url)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: %s: %s", url, resp.Status, body)
	}
	return body
}

// ffprobeCodecs lists the codec of every stream ffprobe finds at url.
func ffprobeCodecs(t *testing.T, url string) []string {
	t.Helper()
	out, err := exec.Command("ffprobe", "-v", "error", "-show_entries", "stream=codec_name",
		"-of", "csv=p=0", url).CombinedOutput()
	if err != nil {
		t.Fatalf("ffprobe %s: %v\n%s", url, err, out)
	}
	// Streams of a program are listed twice, in the program and on their own.
	codecs := strings.Fields(string(out))
	slices.Sort(codecs)
	return slices.Compact(codecs)
}

// ffmpegDecodes decodes everything at url and fails the test on any error
// ffmpeg reports.
func ffmpegDecodes(t *testing.T, url string) {
	t.Helper()
	out, err := exec.Command("ffmpeg", "-hide_banner", "-nostdin", "-v", "error", "-i", url, "-f", "null", "-").CombinedOutput()
	if err != nil || len(bytes.TrimSpace(out)) > 0 {
		t.Fatalf("ffmpeg decoding %s: err %v, output:\n%s", url, err, out)
	}
}

var segmentLine = regexp.MustCompile(`(?m)^seg(\d+)\.(ts|m4s)$`)

// listedSegments returns the segment names of a playlist, in order.
func listedSegments(playlist []byte) []string {
	var names []string
	for _, m := range segmentLine.FindAllSubmatch(playlist, -1) {
		names = append(names, string(m[0]))
	}
	return names
}

// checkSegmentStart fails the test unless seg begins with PAT and PMT and
// its first video frame is a keyframe with all its parameter sets.
func checkSegmentStart(t *testing.T, name string, seg []byte, codec media.Codec) {
	t.Helper()
	if len(seg) < 2*188 || len(seg)%188 != 0 || seg[0] != 0x47 {
		t.Fatalf("%s: %d bytes, not whole TS packets", name, len(seg))
	}
	if pid := tsPID(seg); pid != 0 {
		t.Fatalf("%s: first packet PID %#x, want the PAT", name, pid)
	}
	if pid := tsPID(seg[188:]); pid != 0x200 { // gomedia's PMT PID
		t.Fatalf("%s: second packet PID %#x, want the PMT", name, pid)
	}
	var first []byte
	d := mpeg2.NewTSDemuxer()
	d.OnFrame = func(cid mpeg2.TS_STREAM_TYPE, frame []byte, _, _ uint64) {
		if first == nil && (cid == mpeg2.TS_STREAM_H264 || cid == mpeg2.TS_STREAM_H265) {
			first = bytes.Clone(frame)
		}
	}
	if err := d.Input(bytes.NewReader(seg)); err != nil {
		t.Fatalf("%s: demux: %v", name, err)
	}
	var key bool
	var sets int
	media.SplitAnnexB(first, func(n []byte) bool {
		key = key || media.IsKeyNALU(codec, n)
		if isParameterSet(codec, n) && !key {
			sets++
		}
		return true
	})
	want := 2
	if codec == media.H265 {
		want = 3
	}
	if !key || sets < want {
		t.Fatalf("%s: first video frame key=%v with %d parameter sets before the picture, want a keyframe with %d", name, key, sets, want)
	}
}

func tsPID(pkt []byte) uint16 { return uint16(pkt[1]&0x1f)<<8 | uint16(pkt[2]) }

// checkContinuity fails the test unless every PID's continuity counter runs
// on without a gap across all segments, as in one transport stream.
func checkContinuity(t *testing.T, segs [][]byte) {
	t.Helper()
	last := map[uint16]byte{}
	for i, seg := range segs {
		for off := 0; off+188 <= len(seg); off += 188 {
			pkt := seg[off : off+188]
			if pkt[3]&0x10 == 0 {
				continue
			}
			pid, cc := tsPID(pkt), pkt[3]&0x0f
			if prev, ok := last[pid]; ok && cc != (prev+1)&0x0f {
				t.Fatalf("segment %d offset %d: PID %#x counter %d after %d", i, off, pid, cc, prev)
			}
			last[pid] = cc
		}
	}
}

// decodePlaylist parses a media playlist with grafov/m3u8.
func decodePlaylist(t *testing.T, playlist []byte) *m3u8.MediaPlaylist {
	t.Helper()
	p, kind, err := m3u8.Decode(*bytes.NewBuffer(playlist), true)
	if err != nil || kind != m3u8.MEDIA {
		t.Fatalf("playlist does not parse as a media playlist (%v, kind %v):\n%s", err, kind, playlist)
	}
	return p.(*m3u8.MediaPlaylist)
}

// checkDurations fails the test unless the target duration is that of the
// default 2 s segment target, no segment rounds to more (RFC 8216 6.2.1),
// and the listed segments add up to total.
func checkDurations(t *testing.T, playlist []byte, total time.Duration) {
	t.Helper()
	p := decodePlaylist(t, playlist)
	target := playlistTarget(t, playlist)
	var sum float64
	for _, s := range p.GetAllSegments() {
		if math.Round(s.Duration) > float64(target) {
			t.Errorf("segment %s of %.3f s is longer than the target duration %v:\n%s", s.URI, s.Duration, target, playlist)
		}
		sum += s.Duration
	}
	if target != 2 {
		t.Errorf("target duration %v, want 2:\n%s", target, playlist)
	}
	if math.Abs(sum-total.Seconds()) > 0.05 {
		t.Errorf("segments add up to %.3f s, want %.3f s:\n%s", sum, total.Seconds(), playlist)
	}
}

var targetLine = regexp.MustCompile(`(?m)^#EXT-X-TARGETDURATION:(\d+)$`)

// playlistTarget reads EXT-X-TARGETDURATION as written: grafov/m3u8's reader
// raises it to the longest EXTINF it meets, which would hide a violation.
func playlistTarget(t *testing.T, playlist []byte) int {
	t.Helper()
	m := targetLine.FindAllSubmatch(playlist, -1)
	if len(m) != 1 {
		t.Fatalf("playlist has %d EXT-X-TARGETDURATION tags, want 1:\n%s", len(m), playlist)
	}
	n, _ := strconv.Atoi(string(m[0][1]))
	return n
}

// ffprobeDuration is how long ffprobe says the media at url lasts.
func ffprobeDuration(t *testing.T, url string) float64 {
	t.Helper()
	out, err := exec.Command("ffprobe", "-v", "error", "-show_entries", "format=duration", "-of", "csv=p=0", url).CombinedOutput()
	if err != nil {
		t.Fatalf("ffprobe %s: %v\n%s", url, err, out)
	}
	d, err := strconv.ParseFloat(strings.TrimSpace(string(out)), 64)
	if err != nil {
		t.Fatalf("ffprobe %s: duration %q: %v", url, out, err)
	}
	return d
}
