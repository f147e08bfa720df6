package transcode

import (
	"fmt"
	"log/slog"
	"time"
)

// Options tune a Source. Zero values mean the documented default.
type Options struct {
	// FFmpeg is the encoder executable. Default: "ffmpeg" looked up on
	// PATH when a session starts; without it the audio is dropped.
	FFmpeg string
	// SampleRate is the AAC output rate. Default 48000: every player takes
	// it, and its 21.3 ms access units keep the first audio frame of an
	// HLS segment or a recording within 40 ms of the first picture (16 kHz
	// units last 64 ms). One of the AAC rates from 8000 to 96000.
	SampleRate int
	// Bitrate is the AAC bit rate per channel in bits per second.
	// Default 32000, plenty for 4 kHz telephone-band sound.
	Bitrate int
	// Queue is how many G.711 frames may wait for the encoder; when it is
	// full, audio is dropped and counted, never video held up. Default 256
	// (5 s of 20 ms RTP packets).
	Queue int
	// MaxHold is how far (in stream time) a picture may be held back waiting
	// for the audio of its time to come out of the encoder, so the output is
	// interleaved in time order (HLS segments and MP4 fragments then start
	// with both). Default 1s; it bounds the added video latency.
	MaxHold time.Duration
	// RestartMin and RestartMax pace restarts of an encoder that died:
	// from RestartMin doubling to RestartMax, jittered, back to RestartMin
	// once a process has run for a minute. Defaults 500ms and 30s.
	RestartMin, RestartMax time.Duration
	// DrainTimeout bounds the wait for an encoder to flush its last access
	// units when a source session ends. Default 2s.
	DrainTimeout time.Duration
	// Logger receives the source's log lines. Default slog.Default().
	Logger *slog.Logger

	// started, when set, is told each encoder's pid (tests).
	started func(pid int)
}

func (o Options) withDefaults() (Options, error) {
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	if o.SampleRate == 0 {
		o.SampleRate = 48000
	}
	if i := rateIndex(o.SampleRate); i < 0 || o.SampleRate < 8000 {
		return o, fmt.Errorf("transcode: AAC sample rate %d: want one of 8000, 11025, 12000, 16000, 22050, 24000, 32000, 44100, 48000, 64000, 88200, 96000", o.SampleRate)
	}
	if o.Bitrate <= 0 {
		o.Bitrate = 32000
	}
	if o.Queue <= 0 {
		o.Queue = 256
	}
	if o.MaxHold <= 0 {
		o.MaxHold = time.Second
	}
	if o.RestartMin <= 0 {
		o.RestartMin = 500 * time.Millisecond
	}
	if o.RestartMax < o.RestartMin {
		o.RestartMax = max(30*time.Second, o.RestartMin)
	}
	if o.DrainTimeout <= 0 {
		o.DrainTimeout = 2 * time.Second
	}
	return o, nil
}
