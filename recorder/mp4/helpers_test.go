package mp4

import (
	"context"
	"encoding/binary"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/lubo-edge/lubo/internal/testclip"
	"github.com/lubo-edge/lubo/media"
	"github.com/lubo-edge/lubo/testdata/testmedia"
)

// readClip demuxes a testdata file into frames.
func readClip(t testing.TB, name string) (*media.Tracks, []*media.Frame) {
	t.Helper()
	return testclip.ReadMP4(t, testmedia.Require(t, name))
}

// loadClip is readClip of a clip with video, audio and many frames.
func loadClip(t testing.TB, name string) (*media.Tracks, []*media.Frame) {
	t.Helper()
	tracks, frames := readClip(t, name)
	if tracks.Video == nil || tracks.Audio == nil || len(frames) < 100 {
		t.Fatalf("%s: want video+audio and many frames, got %s and %d frames", name, tracks, len(frames))
	}
	return tracks, frames
}

// writePart writes frames into a new .part and closes it.
func writePart(t testing.TB, path string, tracks *media.Tracks, frames []*media.Frame, opts Options) *Writer {
	t.Helper()
	w, err := Create(path, tracks, opts)
	if err != nil {
		t.Fatal(err)
	}
	for i, f := range frames {
		if err := w.WriteFrame(f); err != nil {
			t.Fatalf("frame %d: %v", i, err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return w
}

// topLevelBoxes lists the types of the top-level boxes of an MP4 file.
func topLevelBoxes(t testing.TB, path string) []string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var types []string
	for off := uint64(0); off+8 <= uint64(len(b)); {
		size := uint64(binary.BigEndian.Uint32(b[off:]))
		if size == 1 {
			size = binary.BigEndian.Uint64(b[off+8:])
		}
		types = append(types, string(b[off+4:off+8]))
		if size < 8 {
			t.Fatalf("%s: box %q at %d has size %d", path, b[off+4:off+8], off, size)
		}
		off += size
		if off > uint64(len(b)) {
			t.Fatalf("%s: box %q runs past the end", path, types[len(types)-1])
		}
	}
	return types
}

// probed is what ffprobe says about a file.
type probed struct {
	codecs   []string
	packets  map[string]int // by codec name, counted by reading the file
	duration time.Duration  // of the container
}

func probe(t testing.TB, path string) probed {
	t.Helper()
	out := runTool(t, "ffprobe", "-v", "error", "-count_packets",
		"-show_entries", "stream=codec_name,nb_read_packets:format=duration", "-of", "json", path)
	var p struct {
		Streams []struct {
			CodecName string `json:"codec_name"`
			Packets   string `json:"nb_read_packets"`
		} `json:"streams"`
		Format struct {
			Duration string `json:"duration"`
		} `json:"format"`
	}
	if err := json.Unmarshal([]byte(out), &p); err != nil {
		t.Fatalf("ffprobe %s: %v\n%s", path, err, out)
	}
	r := probed{packets: map[string]int{}}
	for _, s := range p.Streams {
		r.codecs = append(r.codecs, s.CodecName)
		n, _ := strconv.Atoi(s.Packets)
		r.packets[s.CodecName] = n
	}
	sec, err := strconv.ParseFloat(p.Format.Duration, 64)
	if err != nil {
		t.Fatalf("ffprobe %s: duration %q", path, p.Format.Duration)
	}
	r.duration = time.Duration(sec * float64(time.Second))
	return r
}

// decodeErrors decodes the whole file and returns what ffmpeg printed.
func decodeErrors(t testing.TB, path string) string {
	t.Helper()
	return strings.TrimSpace(runTool(t, "ffmpeg", "-nostdin", "-v", "error", "-i", path, "-f", "null", "-"))
}

func runTool(t testing.TB, tool string, args ...string) string {
	t.Helper()
	if _, err := exec.LookPath(tool); err != nil {
		t.Fatalf("%s is not installed (Debian package ffmpeg): %v", tool, err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	out, err := exec.CommandContext(ctx, tool, args...).CombinedOutput()
	if err != nil {
		t.Fatalf("%s %s: %v\n%s", tool, strings.Join(args, " "), err, out)
	}
	return string(out)
}

// countFrames counts the video and audio frames of a clip.
func countFrames(frames []*media.Frame) (video, audio int) {
	for _, f := range frames {
		if f.IsVideo() {
			video++
		} else {
			audio++
		}
	}
	return video, audio
}

func partPaths(t testing.TB, name string) (part, final string) {
	dir := t.TempDir()
	return filepath.Join(dir, name+".mp4.part"), filepath.Join(dir, name+".mp4")
}
