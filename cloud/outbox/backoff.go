package outbox

import (
	"math/rand/v2"
	"time"
)

// Backoff is how long a target waits after failed attempts: Min after the
// first, doubling up to Max, each wait jittered to between half and all of
// that ("equal jitter"), so a fleet of boxes does not retry in step and no
// wait ever exceeds Max.
type Backoff struct {
	Min time.Duration // default 1s
	Max time.Duration // default 10m
}

// DefaultBackoff is 1 s doubling up to 10 min.
var DefaultBackoff = Backoff{Min: time.Second, Max: 10 * time.Minute}

func (b Backoff) withDefaults() Backoff {
	if b.Min <= 0 {
		b.Min = DefaultBackoff.Min
	}
	if b.Max <= 0 {
		b.Max = DefaultBackoff.Max
	}
	if b.Max < b.Min {
		b.Max = b.Min
	}
	return b
}

// Ceiling is the un-jittered wait after failures failed attempts in a row
// (at least 1): Min·2^(failures-1), capped at Max.
func (b Backoff) Ceiling(failures int) time.Duration {
	d := b.Min
	for i := 1; i < failures && d < b.Max; i++ {
		d *= 2
	}
	return min(d, b.Max)
}

// Wait is the jittered wait after failures failed attempts: within
// [Ceiling/2, Ceiling]. r returns a number in [0, 1).
func (b Backoff) Wait(failures int, r func() float64) time.Duration {
	c := b.Ceiling(failures)
	half := c / 2
	return half + time.Duration(r()*float64(c-half))
}

func defaultRand() float64 { return rand.Float64() }
