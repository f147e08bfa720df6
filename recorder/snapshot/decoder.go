package snapshot

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os/exec"
	"strconv"
	"sync/atomic"
	"time"

	"github.com/lubo-edge/lubo/media"
)

// DecoderOptions configures a Decoder. Zero values mean the documented default.
type DecoderOptions struct {
	// FFmpeg is the ffmpeg executable, a name looked up on PATH or a path.
	// Default "ffmpeg".
	FFmpeg string
	// Timeout bounds one ffmpeg run. Default 10s.
	Timeout time.Duration
	// MaxWidth scales wider pictures down to this width, keeping the aspect
	// ratio; narrower ones are left alone. Default 0: the original size.
	MaxWidth int
	// Quality is ffmpeg's -q:v for MJPEG, 2 (best) to 31 (smallest). Default 4.
	Quality int
	// MaxConcurrent is how many ffmpeg processes may run at once; more calls
	// wait their turn. Default 1: the box is small and recording comes first.
	MaxConcurrent int
}

// Limits on what one ffmpeg run may return.
const (
	maxJPEGBytes   = 32 << 20 // a 4K picture at -q:v 2 is a few MB
	maxStderrBytes = 2 << 10  // enough for ffmpeg's complaint, not for a flood
	waitAfterKill  = 2 * time.Second
)

// Decoder turns one keyframe into one JPEG by running ffmpeg.
// It is safe for concurrent use.
type Decoder struct {
	path string
	opts DecoderOptions
	sem  chan struct{}

	calls    atomic.Uint64
	failures atomic.Uint64
	busy     atomic.Int64 // nanoseconds ffmpeg ran, all calls summed
}

// DecoderStats are a Decoder's counters.
type DecoderStats struct {
	FFmpeg   string        // the executable in use
	Calls    uint64        // JPEG calls
	Failures uint64        // calls that failed, not counting those the caller cancelled
	Duration time.Duration // time ffmpeg ran, all calls summed
}

// NewDecoder finds ffmpeg and checks the options. It returns *ErrNoFFmpeg
// when ffmpeg is not there.
func NewDecoder(opts DecoderOptions) (*Decoder, error) {
	if opts.FFmpeg == "" {
		opts.FFmpeg = "ffmpeg"
	}
	if opts.Timeout <= 0 {
		opts.Timeout = 10 * time.Second
	}
	if opts.Quality == 0 {
		opts.Quality = 4
	}
	if opts.MaxConcurrent <= 0 {
		opts.MaxConcurrent = 1
	}
	if opts.Quality < 2 || opts.Quality > 31 {
		return nil, fmt.Errorf("snapshot quality %d: want 2 (best) to 31 (smallest)", opts.Quality)
	}
	if opts.MaxWidth < 0 {
		return nil, fmt.Errorf("snapshot max width %d: want 0 (original) or more", opts.MaxWidth)
	}
	path, err := exec.LookPath(opts.FFmpeg)
	if err != nil {
		return nil, &ErrNoFFmpeg{Path: opts.FFmpeg, Err: err}
	}
	return &Decoder{path: path, opts: opts, sem: make(chan struct{}, opts.MaxConcurrent)}, nil
}

// Stats gives the decoder's counters.
func (d *Decoder) Stats() DecoderStats {
	return DecoderStats{
		FFmpeg:   d.path,
		Calls:    d.calls.Load(),
		Failures: d.failures.Load(),
		Duration: time.Duration(d.busy.Load()),
	}
}

// JPEG decodes a video keyframe (Annex-B, H.264 or H.265) into a JPEG.
// A keyframe without its parameter sets gets them from f.Tracks. It waits
// for a free ffmpeg slot as long as ctx allows; the run itself is bounded
// by the Timeout option.
func (d *Decoder) JPEG(ctx context.Context, f *media.Frame) ([]byte, error) {
	d.calls.Add(1)
	out, err := d.jpeg(ctx, f)
	if err != nil && ctx.Err() == nil {
		d.failures.Add(1)
	}
	return out, err
}

func (d *Decoder) jpeg(ctx context.Context, f *media.Frame) ([]byte, error) {
	in, err := decodable(f)
	if err != nil {
		return nil, fmt.Errorf("snapshot: %w", err)
	}
	select {
	case d.sem <- struct{}{}:
	case <-ctx.Done():
		return nil, fmt.Errorf("snapshot: waiting for ffmpeg: %w", ctx.Err())
	}
	defer func() { <-d.sem }()
	start := time.Now()
	defer func() { d.busy.Add(int64(time.Since(start))) }()
	return d.run(ctx, f.Codec, in)
}

// run feeds one keyframe to ffmpeg and checks what comes back.
func (d *Decoder) run(ctx context.Context, codec media.Codec, in []byte) ([]byte, error) {
	runCtx, cancel := context.WithTimeout(ctx, d.opts.Timeout)
	defer cancel()
	cmd := exec.CommandContext(runCtx, d.path, d.args(codec)...)
	cmd.Stdin = bytes.NewReader(in)
	stdout := &cappedBuffer{max: maxJPEGBytes, fail: true}
	stderr := &cappedBuffer{max: maxStderrBytes}
	cmd.Stdout, cmd.Stderr = stdout, stderr
	// A killed ffmpeg may leave a child holding the pipes; do not wait on it.
	cmd.WaitDelay = waitAfterKill

	err := cmd.Run()
	fail := func(err error) error {
		code := -1
		if cmd.ProcessState != nil {
			code = cmd.ProcessState.ExitCode()
		}
		return &FFmpegError{ExitCode: code, Stderr: stderr.text(), Err: err}
	}
	switch {
	case ctx.Err() != nil: // the caller gave up
		return nil, fail(ctx.Err())
	case runCtx.Err() != nil:
		return nil, fail(fmt.Errorf("no picture within %v, killed", d.opts.Timeout))
	case stdout.truncated:
		return nil, fail(fmt.Errorf("picture larger than %d MB", maxJPEGBytes>>20))
	case err != nil:
		return nil, fail(err)
	}
	if err := checkJPEG(stdout.buf.Bytes()); err != nil {
		return nil, fail(err)
	}
	return stdout.buf.Bytes(), nil
}

// args is the ffmpeg command line: raw Annex-B on stdin, one JPEG on stdout.
func (d *Decoder) args(codec media.Codec) []string {
	format := "h264"
	if codec == media.H265 {
		format = "hevc"
	}
	args := []string{"-hide_banner", "-loglevel", "error",
		"-f", format, "-i", "pipe:0", "-frames:v", "1"}
	if w := d.opts.MaxWidth; w > 0 {
		// Only ever down; -2 keeps the aspect with an even height.
		args = append(args, "-vf", "scale=w=min(iw\\,"+strconv.Itoa(w)+"):h=-2")
	}
	return append(args, "-q:v", strconv.Itoa(d.opts.Quality),
		"-f", "image2", "-c:v", "mjpeg", "pipe:1")
}

// checkJPEG makes sure b is one whole JPEG: SOI at the start, EOI at the end.
func checkJPEG(b []byte) error {
	switch {
	case len(b) == 0:
		return errors.New("no picture in the output")
	case len(b) < 4 || b[0] != 0xFF || b[1] != 0xD8:
		return fmt.Errorf("output (%d bytes) is not a JPEG", len(b))
	case b[len(b)-2] != 0xFF || b[len(b)-1] != 0xD9:
		return fmt.Errorf("JPEG (%d bytes) is cut short", len(b))
	}
	return nil
}
