package outbox

import "time"

// Clock is the queue's time: when an item was enqueued, when a failed one
// is due again, and how the uploader waits for that. Tests pass a fake one.
type Clock interface {
	Now() time.Time
	// After fires once d has passed on this clock.
	After(d time.Duration) <-chan time.Time
}

type realClock struct{}

func (realClock) Now() time.Time                         { return time.Now() }
func (realClock) After(d time.Duration) <-chan time.Time { return time.After(d) }
