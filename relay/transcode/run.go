package transcode

import (
	"context"
	"errors"
	"math/rand/v2"
	"time"

	"github.com/lubo-edge/lubo/media"
	"github.com/lubo-edge/lubo/relay"
)

// maxHeld bounds the pictures held back for interleaving, whatever their
// timestamps say.
const maxHeld = 512

// primingAUs is how many access units the encoder puts out before the one
// that starts with the first input sample: ffmpeg's AAC encoder delays its
// output by 1024 samples (its initial_padding), so the first unit decodes
// to what came before the input. It is dropped; TestJudgeMP4AndHLS measures
// the result (tone bursts heard within 10 ms of their place).
const primingAUs = 1

// healthyRun is how long an encoder must have run for its death to count
// as a new failure rather than one more of a series.
const healthyRun = time.Minute

// run is the state of one Source.Run: the current parent session, its
// encoder and the pictures held back until the audio of their time is out.
// Only Run's goroutine touches it.
type run struct {
	s   *Source
	out relay.Publisher

	parent *media.Tracks // the parent session being republished
	tracks *media.Tracks // what out was told for it
	spec   *encoderSpec  // nil: audio is passed through or dropped

	enc        *encoder
	encStarted time.Time
	clock      *sampleClock
	failures   int // encoder deaths in a row

	restartTimer *time.Timer
	restartC     <-chan time.Time

	held   []*media.Frame // pictures not yet written, oldest first
	newest time.Duration  // newest parent timestamp of this session
}

// handle takes one parent frame.
func (r *run) handle(ctx context.Context, f *media.Frame) {
	if f.Tracks != r.parent || r.tracks == nil {
		r.endSession(ctx)
		r.beginSession(ctx, f.Tracks)
	}
	if f.DTS > r.newest {
		r.newest = f.DTS
	}
	switch {
	case f.IsVideo():
		if r.tracks.Video == nil {
			return
		}
		// A new Frame around the same payload: the stream fills in the
		// Frame's timeline fields and Tracks, the parent's readers share
		// the original.
		r.held = append(r.held, &media.Frame{Codec: f.Codec, DTS: f.DTS, PTS: f.PTS, Key: f.Key, Data: f.Data})
		r.releaseVideo()
	case r.spec != nil && f.Codec == r.parent.Audio.Codec:
		r.encode(f)
	case r.tracks.Audio != nil && f.Codec == r.tracks.Audio.Codec:
		r.out.WriteFrame(&media.Frame{Codec: f.Codec, DTS: f.DTS, PTS: f.PTS, Key: f.Key, Data: f.Data})
	case isG711(r.parent.Audio) && f.Codec == r.parent.Audio.Codec:
		r.s.stats.AudioIn.Add(1)
		r.s.stats.Dropped.Add(1) // no encoder for this session
	}
}

// beginSession starts republishing parent session t.
func (r *run) beginSession(ctx context.Context, t *media.Tracks) {
	r.parent = t
	r.newest = 0
	r.spec = nil
	derived := &media.Tracks{}
	if t != nil {
		*derived = *t
	}
	if t != nil && isG711(t.Audio) {
		spec, err := r.s.specFor(t.Audio)
		switch {
		case errors.Is(err, errNoEncoder):
			derived.Audio = nil
			r.s.noteMissing(err)
		case err != nil:
			derived.Audio = nil
			r.s.log.Warn("G.711 audio left out", "err", err)
		default:
			r.spec = &spec
			derived.Audio = &media.AudioTrack{Codec: media.AAC, SampleRate: spec.outRate,
				Channels: spec.channels, Config: spec.out.audioSpecificConfig()}
		}
	}
	r.tracks = derived
	r.out.Begin(derived)
	r.failures = 0
	if r.spec != nil {
		r.startEncoder(ctx)
	}
}

// endSession finishes the current session: the encoder is asked to flush
// what it holds (bounded by DrainTimeout), the resulting audio and every
// held picture are written, and the process is gone on return.
func (r *run) endSession(ctx context.Context) {
	r.stopRestartTimer()
	if r.enc != nil {
		r.enc.closeInput()
		timeout := time.NewTimer(r.s.opts.DrainTimeout)
	drain:
		for {
			select {
			case au := <-r.enc.out:
				r.writeAU(au)
			case <-r.enc.done:
				r.drainOutput()
				if err := r.enc.badOutput; err != nil {
					r.s.stats.Died.Add(1)
					r.s.log.Warn("AAC encoder stopped", "err", r.enc.err)
				}
				break drain
			case <-timeout.C:
				r.s.log.Warn("encoder did not flush in time; its last audio is lost", "waited", r.s.opts.DrainTimeout)
				break drain
			case <-ctx.Done():
				break drain
			}
		}
		timeout.Stop()
		r.stopEncoder()
	}
	r.flushVideo()
}

// encode feeds one G.711 frame to the encoder, lined up with the samples
// fed before it.
func (r *run) encode(f *media.Frame) {
	st := &r.s.stats
	st.AudioIn.Add(1)
	if r.enc == nil {
		st.Dropped.Add(1)
		return
	}
	ch := r.spec.channels
	n := len(f.Data) / ch
	if n == 0 {
		return
	}
	silence, skip, gap := r.clock.place(f.DTS, n)
	if gap {
		st.Gaps.Add(1)
	}
	if silence > 0 {
		if !r.enc.feed(r.silenceBytes(silence * ch)) {
			st.Dropped.Add(1)
			return
		}
		r.clock.add(silence)
	}
	if skip >= n {
		return // all of it was fed already
	}
	if !r.enc.feed(f.Data[skip*ch : n*ch]) {
		st.Dropped.Add(1)
		return
	}
	r.clock.add(n - skip)
}

// silenceBytes is n bytes of G.711 silence, fresh: the encoder's feeder
// may still be writing an earlier one.
func (r *run) silenceBytes(n int) []byte {
	b := make([]byte, n)
	v := byte(0xd5) // A-law zero
	if r.spec.codecIn == "mulaw" {
		v = 0xff
	}
	for i := range b {
		b[i] = v
	}
	return b
}

// writeAU writes one access unit from the encoder with the time of its
// first sample, after the pictures that come before it.
func (r *run) writeAU(au []byte) {
	r.releaseVideo()
	dts, ok := r.clock.next()
	if !ok {
		return // priming
	}
	r.out.WriteFrame(&media.Frame{Codec: media.AAC, DTS: dts, PTS: dts, Key: true, Data: au})
	r.s.stats.AudioOut.Add(1)
	r.releaseVideo()
}

// drainOutput writes what an exited encoder left in its output queue.
func (r *run) drainOutput() {
	for {
		select {
		case au := <-r.enc.out:
			r.writeAU(au)
		default:
			return
		}
	}
}

// releaseVideo writes the held pictures whose audio is out: those up to
// the next access unit's time. Without a running encoder nothing is held;
// a picture held longer than MaxHold (in stream time) goes regardless.
func (r *run) releaseVideo() {
	for len(r.held) > 0 {
		v := r.held[0]
		if r.enc != nil && len(r.held) <= maxHeld && r.newest-v.DTS <= r.s.opts.MaxHold {
			// A picture goes before audio of the same time, so an output
			// that starts at a keyframe keeps the audio that starts with it.
			next, ok := r.clock.peek()
			if !ok || v.DTS > next {
				return
			}
		}
		r.writeVideo(v)
	}
}

// flushVideo writes every held picture.
func (r *run) flushVideo() {
	for len(r.held) > 0 {
		r.writeVideo(r.held[0])
	}
}

func (r *run) writeVideo(v *media.Frame) {
	r.held[0] = nil
	r.held = r.held[1:]
	if len(r.held) == 0 {
		r.held = r.held[:0:0] // let the array go
	}
	r.out.WriteFrame(v)
	r.s.stats.VideoOut.Add(1)
}

// startEncoder starts an encoder for the current session; on failure a
// restart is scheduled.
func (r *run) startEncoder(ctx context.Context) {
	if r.spec == nil || r.enc != nil || ctx.Err() != nil {
		return
	}
	enc, err := startEncoder(ctx, *r.spec)
	if err != nil {
		r.s.log.Warn("AAC encoder did not start", "err", err)
		r.failures++
		r.scheduleRestart()
		return
	}
	if r.failures > 0 {
		r.s.stats.Restarts.Add(1)
	}
	r.enc, r.encStarted = enc, time.Now()
	r.clock = newSampleClock(r.spec.inRate, r.spec.outRate, primingAUs*aacSamplesPerAU)
	r.s.stats.Running.Add(1)
	r.s.log.Debug("AAC encoder started", "pid", enc.pid(), "rate", r.spec.outRate, "channels", r.spec.channels)
	if r.s.opts.started != nil {
		r.s.opts.started(enc.pid())
	}
}

// encoderEnded handles an encoder that exited by itself: what it put out
// is written, held pictures go, and a restart is scheduled.
func (r *run) encoderEnded() {
	r.drainOutput()
	err := r.enc.err
	if time.Since(r.encStarted) >= healthyRun {
		r.failures = 0
	}
	r.failures++
	r.s.stats.Died.Add(1)
	r.stopEncoder()
	r.releaseVideo()
	if err == nil {
		err = errors.New("exited")
	}
	wait := r.scheduleRestart()
	r.s.log.Warn("AAC encoder died; audio is dropped until it restarts", "err", err, "retry_in", wait.Round(time.Millisecond))
}

// stopEncoder kills the encoder, if any, and waits for it.
func (r *run) stopEncoder() {
	if r.enc == nil {
		return
	}
	r.enc.stop()
	<-r.enc.done
	r.enc = nil
	r.s.stats.Running.Add(-1)
}

// scheduleRestart arms the restart timer: RestartMin doubling per failure
// in a row up to RestartMax, with ±20% jitter so channels that failed
// together do not restart together.
func (r *run) scheduleRestart() time.Duration {
	r.stopRestartTimer()
	o := r.s.opts
	d := o.RestartMin
	for i := 1; i < r.failures && d < o.RestartMax; i++ {
		d *= 2
	}
	d = min(d, o.RestartMax)
	d += time.Duration((rand.Float64()*0.4 - 0.2) * float64(d))
	r.restartTimer = time.NewTimer(d)
	r.restartC = r.restartTimer.C
	return d
}

func (r *run) stopRestartTimer() {
	if r.restartTimer != nil {
		r.restartTimer.Stop()
		r.restartTimer, r.restartC = nil, nil
	}
}
