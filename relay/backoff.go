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

// WithDefaults is b with its zero fields set to the defaults.
func (b Backoff) WithDefaults() Backoff {
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

// Outage follows one peer's failures for a Backoff: when it went down and
// how many attempts were made since the Fast period ended. The zero value
// is a peer not down.
type Outage struct {
	since time.Time
	slow  int
}

// Failed records a failure at now and returns how long the peer has been
// down and the wait before the next attempt. worked says whether the peer
// did its job (streamed, took frames) since the previous failure: then a
// new outage starts now.
func (o *Outage) Failed(b Backoff, now time.Time, worked bool) (down, wait time.Duration) {
	if o.since.IsZero() || worked {
		o.since, o.slow = now, 0
	}
	down = now.Sub(o.since)
	if down >= b.Fast {
		o.slow++
	}
	return down, b.Delay(down, o.slow)
}

// Reset forgets the outage: the peer was stopped on purpose.
func (o *Outage) Reset() { *o = Outage{} }
