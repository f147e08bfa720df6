package transcode

import "time"

// Timing limits for G.711 input that does not line up with its sample count
// (lost packets, a camera clock that drifts from its sample clock).
const (
	// driftTolerance is how far the input's timestamps may stray from its
	// sample count before it is corrected: half the lip-sync budget.
	driftTolerance = 20 * time.Millisecond
	// maxSilence is the longest hole filled with silence; a longer one
	// starts a new anchor instead (the AAC stream then jumps in time).
	maxSilence = time.Second
)

// anchor ties input sample number in to the timestamp dts.
type anchor struct {
	in  int64
	dts time.Duration
}

// sampleClock gives each AAC access unit of one encoder process the
// timestamp of the G.711 sample it starts with. It counts the samples fed
// to the encoder, so timing is sample-accurate whatever the encoder's
// buffering: access unit k starts at output sample k*1024, less the
// encoder's priming delay.
type sampleClock struct {
	inRate, outRate int64
	// priming is the encoder's delay in output samples: the first
	// priming samples it outputs come before the first input sample.
	priming int64
	fed     int64    // input sample frames fed so far, silence included
	anchors []anchor // in ascending order; the first has in == 0
	aus     int64    // access units timed so far
}

func newSampleClock(inRate, outRate int, priming int64) *sampleClock {
	return &sampleClock{inRate: int64(inRate), outRate: int64(outRate), priming: priming}
}

// place decides how a frame of n samples stamped dts joins the input: how
// many samples of silence to feed before it (a hole) and how many of its
// first samples to skip (it overlaps what was fed). A hole too long to
// fill starts a new anchor. The caller feeds accordingly and calls fed.
func (c *sampleClock) place(dts time.Duration, n int) (silence, skip int, gap bool) {
	if len(c.anchors) == 0 {
		c.anchors = append(c.anchors, anchor{in: 0, dts: dts})
		return 0, 0, false
	}
	drift := dts - c.inputTime(c.fed)
	switch {
	case drift > maxSilence:
		c.anchors = append(c.anchors, anchor{in: c.fed, dts: dts})
		return 0, 0, true
	case drift > driftTolerance:
		return int(samples(drift, c.inRate)), 0, true
	case drift < -driftTolerance:
		if -drift >= duration(int64(n), c.inRate) {
			return 0, n, true // all of it was fed already
		}
		return 0, int(samples(-drift, c.inRate)), true
	}
	return 0, 0, false
}

// add counts n samples fed to the encoder.
func (c *sampleClock) add(n int) { c.fed += int64(n) }

// inputTime is the timestamp of input sample number in.
func (c *sampleClock) inputTime(in int64) time.Duration {
	a := c.anchors[len(c.anchors)-1]
	for i := len(c.anchors) - 1; i > 0 && c.anchors[i].in > in; i-- {
		a = c.anchors[i-1]
	}
	return a.dts + duration(in-a.in, c.inRate)
}

// next times the next access unit out of the encoder; ok is false for
// the priming units, which hold only what came before the first sample.
func (c *sampleClock) next() (dts time.Duration, ok bool) {
	if c.aus*aacSamplesPerAU < c.priming {
		c.aus++
		return 0, false
	}
	dts, ok = c.peek()
	c.aus++
	if ok {
		c.dropPassedAnchors()
	}
	return dts, ok
}

// peek is the timestamp of the next access unit that next will time,
// without taking it; not known (ok false) before any input.
func (c *sampleClock) peek() (dts time.Duration, ok bool) {
	if len(c.anchors) == 0 {
		return 0, false
	}
	out := max(c.aus*aacSamplesPerAU-c.priming, 0) // output sample the unit starts with
	// In units of 1/(inRate*outRate) s, output sample out is at out*inRate
	// and input sample in at in*outRate.
	pos := out * c.inRate
	a := c.anchors[0]
	for _, x := range c.anchors[1:] {
		if x.in*c.outRate > pos {
			break
		}
		a = x
	}
	return a.dts + duration(pos-a.in*c.outRate, c.inRate*c.outRate), true
}

// dropPassedAnchors forgets anchors that no future access unit can use.
func (c *sampleClock) dropPassedAnchors() {
	pos := (c.aus*aacSamplesPerAU - c.priming) * c.inRate
	i := 0
	for i+1 < len(c.anchors) && c.anchors[i+1].in*c.outRate <= pos {
		i++
	}
	if i > 0 {
		c.anchors = append(c.anchors[:0], c.anchors[i:]...)
	}
}

// duration is n samples at rate, without overflow for any n of a
// realistic session (whole seconds and the rest are converted apart).
func duration(n, rate int64) time.Duration {
	return time.Duration(n/rate)*time.Second + time.Duration(n%rate)*time.Second/time.Duration(rate)
}

// samples is how many samples at rate fit in d (d ≥ 0), rounded to
// nearest, without overflow for any d.
func samples(d time.Duration, rate int64) int64 {
	whole, rest := int64(d/time.Second), int64(d%time.Second)
	return whole*rate + (rest*rate+int64(time.Second)/2)/int64(time.Second)
}
