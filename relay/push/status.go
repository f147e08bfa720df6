package push

import (
	"sync"
	"sync/atomic"
	"time"

	"github.com/lubo-edge/lubo/relay"
)

// State is where a push is in its life.
type State string

const (
	// Connecting: waiting for the channel's first frame, then dialling
	// and publishing to the ingest.
	Connecting State = "connecting"
	// Pushing: the ingest accepted the publish; frames flow while the
	// channel has them.
	Pushing State = "pushing"
	// Waiting: the last attempt failed (Error says why); the push tries
	// again at RetryAt.
	Waiting State = "waiting"
	// Stopped: not running: the Manager is not running, or the URL cannot
	// be pushed to (Error says why).
	Stopped State = "stopped"
)

// Origin values of a Status.
const (
	OriginConfig = "config" // channels[].push
	OriginAPI    = "api"    // POST /api/push/start
)

// Status is one push as the API, the dashboard and the metrics show it.
// Nothing in it holds the stream key.
type Status struct {
	Channel string `json:"channel"`
	// URL is the ingest redacted (Redact); when two pushes of a channel
	// redact alike, the later one has a "#2" (…) suffix.
	URL string `json:"url"`
	// Origin is OriginConfig when the config lists the push (whether or
	// not the API also started it), else OriginAPI.
	Origin string    `json:"origin"`
	State  State     `json:"state"`
	Since  time.Time `json:"since"`           // when State began
	Error  string    `json:"error,omitempty"` // the last failure, redacted
	// RetryAt is when a waiting push tries again.
	RetryAt time.Time `json:"retry_at,omitzero"`
	// LastFrame is when the ingest last took a frame: a push that stays
	// "pushing" while its camera is away shows it here.
	LastFrame time.Time `json:"last_frame,omitzero"`
	Bytes     uint64    `json:"bytes"`  // media payload handed to the ingest connection
	Frames    uint64    `json:"frames"` // frames handed to the ingest connection
	Drops     uint64    `json:"drops"`  // frames lost because the ingest was slower than the channel
	// Reconnects counts new attempts: after a failure (ingest lost or
	// refused, channel gone) and to publish new codec parameters.
	Reconnects uint64 `json:"reconnects"`
}

// counters are a push's live numbers, updated by its goroutine and read by
// List and the metrics.
type counters struct {
	bytes      atomic.Uint64
	frames     atomic.Uint64
	reconnects atomic.Uint64
	lastFrame  atomic.Int64 // unix ns

	mu      sync.Mutex
	reader  *relay.Reader // the current one, whose drops are live
	drops   uint64        // of readers already closed
	state   State
	since   time.Time
	lastErr string
	retryAt time.Time
}

func (c *counters) setState(s State, now time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.state != s {
		c.state, c.since = s, now
	}
	if s != Waiting {
		c.retryAt = time.Time{}
	}
}

func (c *counters) fail(msg string, retryAt, now time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.state != Waiting {
		c.state, c.since = Waiting, now
	}
	c.lastErr, c.retryAt = msg, retryAt
}

func (c *counters) stop(msg string, now time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.state != Stopped {
		c.state, c.since = Stopped, now
	}
	if msg != "" {
		c.lastErr = msg
	}
	c.retryAt = time.Time{}
}

// fill copies the counters into st.
func (c *counters) fill(st *Status) {
	c.mu.Lock()
	st.State, st.Since, st.Error, st.RetryAt = c.state, c.since, c.lastErr, c.retryAt
	st.Drops = c.drops
	if c.reader != nil {
		st.Drops += c.reader.Dropped()
	}
	c.mu.Unlock()
	st.Bytes = c.bytes.Load()
	st.Frames = c.frames.Load()
	st.Reconnects = c.reconnects.Load()
	if ns := c.lastFrame.Load(); ns != 0 {
		st.LastFrame = time.Unix(0, ns)
	}
}

// attach makes r the reader whose drops count live.
func (c *counters) attach(r *relay.Reader) {
	c.mu.Lock()
	c.reader = r
	c.mu.Unlock()
}

// detach closes the current reader and keeps its drops; the count never
// goes back, as a Prometheus counter must not.
func (c *counters) detach() {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.reader == nil {
		return
	}
	c.reader.Close() // no frame reaches it after this, so Dropped is final
	c.drops += c.reader.Dropped()
	c.reader = nil
}
