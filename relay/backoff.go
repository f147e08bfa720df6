package relay

import (
	"math/rand/v2"
	"time"
)

// Backoff is the reconnect pacing. It depends on how long the source has
// been down, not on how many sessions failed: a camera that comes back (or
// flaps) is streaming again within about Min during the first Fast after a
// loss, and one gone for hours costs one attempt per Max.
type Backoff struct {
	Min time.Duration // the pace during the first Fast of an outage; default 1s
	Max time.Duration // the slowest pace, a true cap (jitter included); default 30s
	// Fast is how long after a loss retries stay at Min; after it the wait
	// doubles per attempt up to Max. Default 2m.
	Fast time.Duration
}

func (b Backoff) withDefaults() Backoff {
	if b.Min <= 0 {
		b.Min = time.Second
	}
	if b.Max <= 0 {
		b.Max = 30 * time.Second
	}
	if b.Min > b.Max {
		b.Min = b.Max
	}
	if b.Fast <= 0 {
		b.Fast = 2 * time.Minute
	}
	return b
}

// Delay is the wait before the next attempt when the source has been down
// for down and attempt attempts were made since the Fast period ended (0
// while in it). Each wait is spread by ±20% so cameras behind one switch
// that failed together do not reconnect in lockstep, then held within
// [Min*4/5, Max].
func (b Backoff) Delay(down time.Duration, attempt int) time.Duration {
	d := b.Min
	if down >= b.Fast {
		for i := 0; i < attempt && d < b.Max; i++ {
			d *= 2
		}
	}
	d = min(d, b.Max)
	jitter := time.Duration(rand.Int64N(int64(d)/5*2+1)) - d/5
	return min(d+jitter, b.Max)
}
