package snapshot

import (
	"bytes"
	"image"
	"image/jpeg"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"testing"

	"github.com/lubo-edge/lubo/media"
	"github.com/lubo-edge/lubo/relay/mp4file"
	"github.com/lubo-edge/lubo/testdata/testmedia"
)

// keyframes reads a testdata clip and returns its video keyframes, each
// carrying its parameter sets as a relay.Stream would hand them out. Clips
// are read once per test binary; the frames are shared read-only, as in a
// stream.
func keyframes(t testing.TB, name string) []*media.Frame {
	t.Helper()
	clipsMu.Lock()
	defer clipsMu.Unlock()
	if keys, ok := clips[name]; ok {
		return keys
	}
	keys := readKeyframes(t, name)
	clips[name] = keys
	return keys
}

var (
	clipsMu sync.Mutex
	clips   = map[string][]*media.Frame{}
)

func readKeyframes(t testing.TB, name string) []*media.Frame {
	t.Helper()
	file, err := os.Open(testmedia.Require(t, name))
	if err != nil {
		t.Fatal(err)
	}
	defer file.Close()
	_, frames, err := mp4file.ReadFrames(file)
	if err != nil {
		t.Fatalf("read %s: %v", name, err)
	}
	var keys []*media.Frame
	for _, f := range frames {
		if f.IsVideo() && f.Key {
			keys = append(keys, f)
		}
	}
	if len(keys) < 2 {
		t.Fatalf("%s has %d keyframes, want at least 2", name, len(keys))
	}
	return keys
}

// realFFmpeg is the path of ffmpeg; its absence fails the test.
func realFFmpeg(t testing.TB) string {
	t.Helper()
	p, err := exec.LookPath("ffmpeg")
	if err != nil {
		t.Fatalf("ffmpeg is not installed (Debian package ffmpeg): %v", err)
	}
	return p
}

func newDecoder(t testing.TB, opts DecoderOptions) *Decoder {
	t.Helper()
	if opts.FFmpeg == "" {
		opts.FFmpeg = realFFmpeg(t)
	}
	d, err := NewDecoder(opts)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// pictureSize decodes a JPEG with Go's own decoder, an independent judge
// of ffmpeg's output, and checks it shows something rather than one flat
// colour (what a decoder missing its reference would give).
func pictureSize(t testing.TB, b []byte) (int, int) {
	t.Helper()
	img, err := jpeg.Decode(bytes.NewReader(b))
	if err != nil {
		t.Fatalf("image/jpeg cannot decode the picture: %v", err)
	}
	if n := colours(img); n < 20 {
		t.Fatalf("picture has %d distinct colours: not the test pattern", n)
	}
	r := img.Bounds()
	return r.Dx(), r.Dy()
}

// colours counts distinct colours on a coarse grid.
func colours(img image.Image) int {
	seen := map[[3]uint32]bool{}
	r := img.Bounds()
	for y := r.Min.Y; y < r.Max.Y; y += 8 {
		for x := r.Min.X; x < r.Max.X; x += 8 {
			cr, cg, cb, _ := img.At(x, y).RGBA()
			seen[[3]uint32{cr >> 12, cg >> 12, cb >> 12}] = true
		}
	}
	return len(seen)
}

// script writes an executable shell script into dir.
func script(t testing.TB, dir, name, body string) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, []byte("#!/bin/sh\n"+body+"\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	return p
}

// logLines is a slog handler target that keeps every line.
type logLines struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (l *logLines) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.Write(p)
}

func (l *logLines) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.String()
}

func (l *logLines) logger() *slog.Logger {
	return slog.New(slog.NewTextHandler(l, &slog.HandlerOptions{Level: slog.LevelDebug}))
}

func quietLogger() *slog.Logger { return slog.New(slog.DiscardHandler) }
