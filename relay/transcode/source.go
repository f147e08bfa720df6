package transcode

import (
	"context"
	"fmt"
	"log/slog"
	"os/exec"
	"sync"
	"sync/atomic"

	"github.com/lubo-edge/lubo/media"
	"github.com/lubo-edge/lubo/relay"
)

// Source is a relay.Source that republishes a parent stream with its G.711
// audio encoded to AAC and its video passed through untouched. Run it in a
// relay.Stream of its own (on demand): that stream is then the one channel's
// AAC version, shared by every reader that needs AAC, and the encoder runs
// only while one of them is attached.
type Source struct {
	parent  *relay.Stream
	opts    Options
	optsErr error
	log     *slog.Logger
	stats   Stats

	missingLogged atomic.Bool
}

// NewSource makes a Source reading parent. Bad options make every Run fail
// with an error that says what is accepted.
func NewSource(parent *relay.Stream, opts Options) *Source {
	opts, err := opts.withDefaults()
	return &Source{
		parent:  parent,
		opts:    opts,
		optsErr: err,
		log:     opts.Logger.With("channel", parent.ID, "part", "transcode"),
	}
}

// Stats gives the source's live counters.
func (s *Source) Stats() *Stats { return &s.stats }

// Run reads the parent stream until ctx ends or the parent shuts down.
// Each parent session becomes a session of out, with AAC in place of G.711.
func (s *Source) Run(ctx context.Context, out relay.Publisher) error {
	if s.optsErr != nil {
		return s.optsErr
	}
	rd, err := s.parent.AddReader("aac")
	if err != nil {
		return fmt.Errorf("transcode %s: attach to the stream: %w", s.parent.ID, err)
	}
	ctx, cancel := context.WithCancel(ctx)
	frames := make(chan *media.Frame)
	readErr := make(chan error, 1)
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			f, err := rd.Read(ctx)
			if err != nil {
				readErr <- err
				return
			}
			select {
			case frames <- f:
			case <-ctx.Done():
				return
			}
		}
	}()
	r := &run{s: s, out: out}
	defer func() {
		r.stopEncoder()
		r.stopRestartTimer()
		cancel()
		rd.Close()
		wg.Wait()
	}()
	for {
		var encOut <-chan []byte
		var encDone <-chan struct{}
		if r.enc != nil {
			encOut, encDone = r.enc.out, r.enc.done
		}
		select {
		case <-ctx.Done():
			return nil
		case err := <-readErr:
			if ctx.Err() != nil {
				return nil
			}
			r.endSession(ctx)
			return fmt.Errorf("transcode %s: read the stream: %w", s.parent.ID, err)
		case f := <-frames:
			r.handle(ctx, f)
		case au := <-encOut:
			r.writeAU(au)
		case <-encDone:
			r.encoderEnded()
		case <-r.restartC:
			r.restartTimer, r.restartC = nil, nil
			r.startEncoder(ctx)
		}
	}
}

// specFor is how the audio of a parent session is encoded; errNoEncoder
// when there is no ffmpeg.
func (s *Source) specFor(a *media.AudioTrack) (encoderSpec, error) {
	spec := encoderSpec{inRate: a.SampleRate, channels: a.Channels, outRate: s.opts.SampleRate, queue: s.opts.Queue}
	switch a.Codec {
	case media.PCMA:
		spec.codecIn = "alaw"
	case media.PCMU:
		spec.codecIn = "mulaw"
	default:
		return spec, fmt.Errorf("audio codec %v is not G.711", a.Codec)
	}
	if spec.inRate == 0 {
		spec.inRate = 8000
	}
	if spec.channels == 0 {
		spec.channels = 1
	}
	if spec.inRate < 8000 || spec.inRate > 48000 || spec.channels > 2 {
		return spec, fmt.Errorf("G.711 at %d Hz with %d channels: want 8000-48000 Hz, 1 or 2 channels", spec.inRate, spec.channels)
	}
	spec.bitrate = s.opts.Bitrate * spec.channels
	spec.out = adtsFormat{objectType: aacObjectTypeLC, rateIndex: rateIndex(spec.outRate), channels: spec.channels}
	name := s.opts.FFmpeg
	if name == "" {
		name = "ffmpeg"
	}
	path, err := exec.LookPath(name)
	if err != nil {
		return spec, fmt.Errorf("%w: %w", errNoEncoder, err)
	}
	spec.ffmpeg = path
	return spec, nil
}

// noteMissing logs the first session without an encoder; later ones are
// only counted.
func (s *Source) noteMissing(err error) {
	s.stats.EncoderMissing.Add(1)
	if s.missingLogged.CompareAndSwap(false, true) {
		s.log.Warn("no AAC encoder: G.711 audio is left out of HLS, MP4 and HTTP-FLV", "err", err)
	}
}

// Needed reports whether outputs that carry only AAC must read a stream
// with these tracks through the encoder: its audio is G.711, or its
// tracks are not known yet (nil).
func Needed(t *media.Tracks) bool { return t == nil || isG711(t.Audio) }

// isG711 reports whether a track needs the encoder.
func isG711(a *media.AudioTrack) bool {
	return a != nil && (a.Codec == media.PCMA || a.Codec == media.PCMU)
}

var _ relay.Source = (*Source)(nil)
