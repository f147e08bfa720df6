package snapshot

import (
	"errors"
	"fmt"
)

// ErrNoFFmpeg means the ffmpeg executable could not be found or run.
type ErrNoFFmpeg struct {
	Path string // what was looked for
	Err  error  // from exec.LookPath
}

func (e *ErrNoFFmpeg) Error() string {
	return fmt.Sprintf("ffmpeg not found (%s): %v; install the Debian package ffmpeg", e.Path, e.Err)
}

func (e *ErrNoFFmpeg) Unwrap() error { return e.Err }

// FFmpegError is an ffmpeg run that failed: it exited non-zero, was killed
// by the timeout, or wrote something that is not a JPEG.
type FFmpegError struct {
	ExitCode int    // -1 when ffmpeg did not exit on its own
	Stderr   string // what ffmpeg printed, truncated
	Err      error
}

func (e *FFmpegError) Error() string {
	msg := "ffmpeg: " + e.Err.Error()
	if e.Stderr != "" {
		msg += ": " + e.Stderr
	}
	return msg
}

func (e *FFmpegError) Unwrap() error { return e.Err }

// ErrDisabled is returned by Snapshotter.Cover when there is no Decoder.
var ErrDisabled = errors.New("snapshots off: ffmpeg not found on PATH (install the Debian package ffmpeg)")
