package relay

import (
	"math/rand/v2"
	"time"
)

// Backoff is the reconnect pacing: exponential from Min to Max with jitter,
// back to Min after a session that stayed up for Stable.
type Backoff struct {
	Min    time.Duration // default 500ms
	Max    time.Duration // default 30s
	Stable time.Duration // default 1m
}

func (b Backoff) withDefaults() Backoff {
	if b.Min <= 0 {
		b.Min = 500 * time.Millisecond
	}
	if b.Max <= 0 {
		b.Max = 30 * time.Second
	}
	if b.Stable <= 0 {
		b.Stable = time.Minute
	}
	return b
}

// Delay is the wait before retry number attempt (1-based): Min doubled per
// attempt up to Max, then spread by ±20% so cameras behind one switch that
// failed together do not reconnect in lockstep.
func (b Backoff) Delay(attempt int) time.Duration {
	d := b.Min
	for i := 1; i < attempt && d < b.Max; i++ {
		d *= 2
	}
	d = min(d, b.Max)
	jitter := time.Duration(rand.Int64N(int64(d)/5*2+1)) - d/5
	return d + jitter
}
