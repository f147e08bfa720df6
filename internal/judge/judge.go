// Package judge runs ffmpeg and ffprobe as independent judges of the media
// lubo writes, for tests. A missing tool fails the test: media tests never
// pass quietly without their judge.
package judge

import (
	"context"
	"encoding/json"
	"fmt"
	"os/exec"
	"strings"
	"testing"
	"time"
)

// Streams returns "codec_name" of every stream ffprobe finds in url, like
// ["h264", "aac"]. extra arguments go before -i (e.g. -rtsp_transport tcp).
func Streams(t testing.TB, url string, extra ...string) []string {
	t.Helper()
	args := append([]string{"-v", "error"}, extra...)
	args = append(args, "-show_entries", "stream=codec_name", "-of", "json", url)
	out := run(t, "ffprobe", args...)
	var probe struct {
		Streams []struct {
			CodecName string `json:"codec_name"`
		} `json:"streams"`
	}
	if err := json.Unmarshal([]byte(out), &probe); err != nil {
		t.Fatalf("ffprobe output: %v\n%s", err, out)
	}
	var codecs []string
	for _, s := range probe.Streams {
		codecs = append(codecs, s.CodecName)
	}
	return codecs
}

// DecodeErrors decodes url (up to dur of it when dur > 0) and returns what
// ffmpeg printed at level error: "" means it decoded cleanly.
func DecodeErrors(t testing.TB, url string, dur time.Duration, extra ...string) string {
	t.Helper()
	args := append([]string{"-nostdin", "-v", "error"}, extra...)
	args = append(args, "-i", url)
	if dur > 0 {
		args = append(args, "-t", dur.String())
	}
	args = append(args, "-f", "null", "-")
	return strings.TrimSpace(run(t, "ffmpeg", args...))
}

func run(t testing.TB, tool string, args ...string) string {
	t.Helper()
	if _, err := exec.LookPath(tool); err != nil {
		t.Fatalf("%s is not installed (Debian package ffmpeg; `make deps` installs it): %v", tool, err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	out, err := exec.CommandContext(ctx, tool, args...).CombinedOutput()
	if err != nil {
		t.Fatalf("%s %s: %v\n%s", tool, strings.Join(args, " "), err, out)
	}
	return string(out)
}

// StreamDuration is how long ffprobe finds the stream selected by spec
// ("v:0", "a:0") of url to last, by its packets: the end of the last
// packet minus the start of the first.
func StreamDuration(t testing.TB, url, spec string) time.Duration {
	t.Helper()
	out := run(t, "ffprobe", "-v", "error", "-select_streams", spec, "-show_entries", "packet=pts_time,duration_time", "-of", "csv=p=0", url)
	first, last := -1.0, 0.0
	for _, line := range strings.Split(strings.TrimSpace(out), "\n") {
		var pts, dur float64
		if _, err := fmt.Sscanf(strings.ReplaceAll(line, ",", " "), "%g %g", &pts, &dur); err != nil {
			continue
		}
		if first < 0 || pts < first {
			first = pts
		}
		if pts+dur > last {
			last = pts + dur
		}
	}
	if first < 0 {
		t.Fatalf("ffprobe found no packets of stream %s in %s", spec, url)
	}
	return time.Duration((last - first) * float64(time.Second))
}
