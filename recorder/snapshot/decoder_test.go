package snapshot

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/lubo-edge/lubo/internal/judge"
	"github.com/lubo-edge/lubo/media"
)

func TestJPEGFromRealKeyframes(t *testing.T) {
	cases := []struct {
		clip         string
		maxWidth     int
		wantW, wantH int
	}{
		{"h264_aac.mp4", 0, 320, 240},
		{"h265_aac.mp4", 0, 320, 240},
		{"h264_aac.mp4", 160, 160, 120},
		{"h265_aac.mp4", 100, 100, 76},  // 75 rounded to an even height
		{"h264_aac.mp4", 640, 320, 240}, // never scaled up
	}
	for _, c := range cases {
		t.Run(fmt.Sprintf("%s/maxwidth=%d", c.clip, c.maxWidth), func(t *testing.T) {
			keys := keyframes(t, c.clip)
			d := newDecoder(t, DecoderOptions{MaxWidth: c.maxWidth})
			// The first keyframe and one from the middle of the clip: each
			// must decode on its own.
			for i, f := range []*media.Frame{keys[0], keys[len(keys)/2]} {
				b, err := d.JPEG(context.Background(), f)
				if err != nil {
					t.Fatalf("keyframe at %v: %v", f.DTS, err)
				}
				if w, h := pictureSize(t, b); w != c.wantW || h != c.wantH {
					t.Fatalf("keyframe at %v: picture %dx%d, want %dx%d", f.DTS, w, h, c.wantW, c.wantH)
				}
				if i > 0 {
					continue // one independent judge per case is enough
				}
				p := filepath.Join(t.TempDir(), "x.jpg")
				if err := os.WriteFile(p, b, 0o644); err != nil {
					t.Fatal(err)
				}
				if got := judge.Streams(t, p); !slices.Equal(got, []string{"mjpeg"}) {
					t.Fatalf("ffprobe sees %v, want [mjpeg]", got)
				}
			}
			st := d.Stats()
			if st.Calls != 2 || st.Failures != 0 || st.Duration <= 0 {
				t.Fatalf("stats %+v, want 2 calls, no failures, some time", st)
			}
		})
	}
}

// withoutParameterSets is a keyframe as some cameras send it: the IDR alone,
// parameter sets only out of band (in the track).
func withoutParameterSets(f *media.Frame) *media.Frame {
	var nalus [][]byte
	media.SplitAnnexB(f.Data, func(n []byte) bool {
		switch {
		case f.Codec == media.H264 && (media.H264Type(n) == media.H264SPS || media.H264Type(n) == media.H264PPS):
		case f.Codec == media.H265 && media.H265Type(n) >= media.H265VPS && media.H265Type(n) <= media.H265PPS:
		default:
			nalus = append(nalus, n)
		}
		return true
	})
	g := *f
	g.Data = media.AppendAnnexB(nil, nalus...)
	return &g
}

func TestJPEGTakesParameterSetsFromTracks(t *testing.T) {
	for _, clip := range []string{"h264_aac.mp4", "h265_aac.mp4"} {
		t.Run(clip, func(t *testing.T) {
			f := withoutParameterSets(keyframes(t, clip)[1])
			have := parameterSetsIn(f.Codec, f.Data)
			if have[media.H264SPS] || have[media.H265SPS] {
				t.Fatal("test keyframe still has an SPS")
			}
			before := slices.Clone(f.Data)
			d := newDecoder(t, DecoderOptions{})
			b, err := d.JPEG(context.Background(), f)
			if err != nil {
				t.Fatal(err)
			}
			if w, h := pictureSize(t, b); w != 320 || h != 240 {
				t.Fatalf("picture %dx%d, want 320x240", w, h)
			}
			if !slices.Equal(f.Data, before) {
				t.Fatal("JPEG modified the shared frame data")
			}

			noTrack := *f
			noTrack.Tracks = nil
			_, err = d.JPEG(context.Background(), &noTrack)
			if err == nil || !strings.Contains(err.Error(), "lacks its") {
				t.Fatalf("keyframe without parameter sets anywhere: err %v, want one naming what is missing", err)
			}
		})
	}
}

func TestJPEGGarbageFailsWithFFmpegsMessage(t *testing.T) {
	nalus := [][]byte{
		{0x67, 0x00, 0x01, 0x02, 0xff, 0xee}, // an SPS that is not one
		{0x68, 0xde, 0xad},
		append([]byte{0x65}, []byte(strings.Repeat("garbage!", 64))...),
	}
	f := &media.Frame{Codec: media.H264, Key: true, Data: media.AppendAnnexB(nil, nalus...)}
	d := newDecoder(t, DecoderOptions{})
	_, err := d.JPEG(context.Background(), f)
	var fe *FFmpegError
	if !errors.As(err, &fe) {
		t.Fatalf("err %v, want an *FFmpegError", err)
	}
	if fe.Stderr == "" || !strings.Contains(err.Error(), fe.Stderr) {
		t.Fatalf("error %q does not carry ffmpeg's message %q", err, fe.Stderr)
	}
	if len(fe.Stderr) > maxStderrBytes+8 {
		t.Fatalf("stderr not truncated: %d bytes", len(fe.Stderr))
	}
	if st := d.Stats(); st.Calls != 1 || st.Failures != 1 {
		t.Fatalf("stats %+v, want 1 call 1 failure", st)
	}
}

func TestJPEGRejectsWhatIsNotAKeyframe(t *testing.T) {
	key := keyframes(t, "h264_aac.mp4")[0]
	delta := *key
	delta.Key = false
	cases := []struct {
		name string
		f    *media.Frame
		want string
	}{
		{"nil", nil, "no frame"},
		{"audio", &media.Frame{Codec: media.AAC, Key: true, Data: []byte{1}}, "not a picture"},
		{"delta", &delta, "not a keyframe"},
		{"empty", &media.Frame{Codec: media.H264, Key: true}, "empty"},
	}
	d := newDecoder(t, DecoderOptions{})
	for _, c := range cases {
		_, err := d.JPEG(context.Background(), c.f)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: err %v, want %q", c.name, err, c.want)
		}
	}
}

func TestJPEGKillsAHungFFmpeg(t *testing.T) {
	hung := script(t, t.TempDir(), "ffmpeg", "echo 'stuck on something' >&2\nexec sleep 60")
	d := newDecoder(t, DecoderOptions{FFmpeg: hung, Timeout: 300 * time.Millisecond})
	_, err := d.JPEG(context.Background(), keyframes(t, "h264_aac.mp4")[0])
	var fe *FFmpegError
	if !errors.As(err, &fe) || !strings.Contains(err.Error(), "no picture within 300ms") {
		t.Fatalf("err %v, want an *FFmpegError saying it timed out", err)
	}
	if !strings.Contains(fe.Stderr, "stuck on something") {
		t.Fatalf("stderr %q lost", fe.Stderr)
	}
}

func TestJPEGChecksTheOutputIsAJPEG(t *testing.T) {
	dir := t.TempDir()
	cases := map[string]string{
		"nothing":   "cat >/dev/null",
		"not jpeg":  "cat >/dev/null; printf 'hello world'",
		"cut short": "cat >/dev/null; printf '\\377\\330\\377\\340 half a picture'",
		"exit 3":    "cat >/dev/null; echo 'Conversion failed!' >&2; exit 3",
	}
	want := map[string]string{
		"nothing":   "no picture",
		"not jpeg":  "not a JPEG",
		"cut short": "cut short",
		"exit 3":    "exit status 3: Conversion failed!",
	}
	f := keyframes(t, "h264_aac.mp4")[0]
	for name, body := range cases {
		d := newDecoder(t, DecoderOptions{FFmpeg: script(t, dir, strings.ReplaceAll(name, " ", "_"), body)})
		_, err := d.JPEG(context.Background(), f)
		if err == nil || !strings.Contains(err.Error(), want[name]) {
			t.Errorf("%s: err %v, want %q", name, err, want[name])
		}
	}
}

func TestNewDecoderWithoutFFmpeg(t *testing.T) {
	missing := filepath.Join(t.TempDir(), "no-ffmpeg-here")
	_, err := NewDecoder(DecoderOptions{FFmpeg: missing})
	var nf *ErrNoFFmpeg
	if !errors.As(err, &nf) {
		t.Fatalf("err %v, want *ErrNoFFmpeg", err)
	}
	if nf.Path != missing || !strings.Contains(err.Error(), "Debian package ffmpeg") {
		t.Fatalf("error %q should name the path and the Debian package", err)
	}
	if !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("error %v does not wrap exec's not-exist error", err)
	}

	t.Setenv("PATH", t.TempDir())
	if _, err := NewDecoder(DecoderOptions{}); !errors.As(err, &nf) || !errors.Is(err, exec.ErrNotFound) {
		t.Fatalf("ffmpeg not on PATH: err %v, want *ErrNoFFmpeg wrapping exec.ErrNotFound", err)
	}
}

func TestNewDecoderChecksOptions(t *testing.T) {
	ff := realFFmpeg(t)
	for _, o := range []DecoderOptions{{Quality: 1}, {Quality: 32}, {MaxWidth: -1}} {
		o.FFmpeg = ff
		if _, err := NewDecoder(o); err == nil {
			t.Errorf("options %+v accepted", o)
		}
	}
	d := newDecoder(t, DecoderOptions{})
	if d.opts.Timeout != 10*time.Second || d.opts.Quality != 4 || cap(d.sem) != 1 {
		t.Fatalf("defaults %+v", d.opts)
	}
}

// TestJPEGRunsOneFFmpegAtATime wraps the real ffmpeg in a script that logs
// when each run starts and ends: with the default bound, runs never overlap.
func TestJPEGRunsOneFFmpegAtATime(t *testing.T) {
	dir := t.TempDir()
	log := filepath.Join(dir, "runs.log")
	wrapper := script(t, dir, "ffmpeg", "echo start >>"+log+"\n"+realFFmpeg(t)+` "$@"`+"\nrc=$?\necho end >>"+log+"\nexit $rc")
	d := newDecoder(t, DecoderOptions{FFmpeg: wrapper})
	f := keyframes(t, "h264_aac.mp4")[0]

	const calls = 4
	errs := make(chan error, calls)
	var wg sync.WaitGroup
	for range calls {
		wg.Go(func() {
			_, err := d.JPEG(context.Background(), f)
			errs <- err
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	b, err := os.ReadFile(log)
	if err != nil {
		t.Fatal(err)
	}
	want := strings.Repeat("start\nend\n", calls)
	if string(b) != want {
		t.Fatalf("ffmpeg runs overlapped:\n%s", b)
	}
}

// TestJPEGWaitForASlotEndsWithContext holds the only slot with an ffmpeg
// that never finishes; a second call gives up when its context does.
func TestJPEGWaitForASlotEndsWithContext(t *testing.T) {
	dir := t.TempDir()
	started := filepath.Join(dir, "started")
	slow := script(t, dir, "ffmpeg", "touch "+started+"\nexec sleep 60")
	d := newDecoder(t, DecoderOptions{FFmpeg: slow, Timeout: time.Minute})
	f := keyframes(t, "h264_aac.mp4")[0]

	holdCtx, release := context.WithCancel(context.Background())
	held := make(chan error, 1)
	go func() {
		_, err := d.JPEG(holdCtx, f)
		held <- err
	}()
	stopFirst := sync.OnceValue(func() error { release(); return <-held })
	defer stopFirst()
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(10 * time.Millisecond) {
		if _, err := os.Stat(started); err == nil {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the first ffmpeg never started")
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	_, err := d.JPEG(ctx, f)
	if !errors.Is(err, context.DeadlineExceeded) || !strings.Contains(err.Error(), "waiting for ffmpeg") {
		t.Fatalf("second call: err %v, want it to give up waiting", err)
	}
	if err := stopFirst(); !errors.Is(err, context.Canceled) {
		t.Fatalf("first call: err %v, want context.Canceled", err)
	}
}
