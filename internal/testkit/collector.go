package testkit

import (
	"sync"

	"github.com/lubo-edge/lubo/media"
)

// Collector is a relay.Publisher that keeps what a source publishes, for
// tests. When done reports true after a frame, Reached is closed and stop
// (if any) is called, once.
type Collector struct {
	done func(*Collector) bool
	stop func()

	mu      sync.Mutex
	begins  []*media.Tracks
	frames  []*media.Frame
	early   int // frames written before Begin: a contract violation
	reached chan struct{}
	fired   bool
}

// NewCollector makes a Collector; done may be nil (collect for ever). done
// runs under the collector's lock: use Frames, VideoFrames or EachKind.
func NewCollector(done func(*Collector) bool, stop func()) *Collector {
	return &Collector{done: done, stop: stop, reached: make(chan struct{})}
}

// Frames is a done condition: n frames or more (n < 0: never).
func Frames(n int) func(*Collector) bool {
	return func(c *Collector) bool { return n >= 0 && len(c.frames) >= n }
}

// VideoFrames is a done condition: n video frames or more.
func VideoFrames(n int) func(*Collector) bool {
	return func(c *Collector) bool { return c.count(true) >= n }
}

// EachKind is a done condition: n video and n audio frames or more.
func EachKind(n int) func(*Collector) bool {
	return func(c *Collector) bool { return c.count(true) >= n && c.count(false) >= n }
}

// Begin records a session's tracks.
func (c *Collector) Begin(t *media.Tracks) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.begins = append(c.begins, t)
}

// WriteFrame keeps f.
func (c *Collector) WriteFrame(f *media.Frame) {
	c.mu.Lock()
	if len(c.begins) == 0 {
		c.early++
		c.mu.Unlock()
		return
	}
	c.frames = append(c.frames, f)
	fire := !c.fired && c.done != nil && c.done(c)
	if fire {
		c.fired = true
		close(c.reached)
	}
	c.mu.Unlock()
	if fire && c.stop != nil {
		c.stop()
	}
}

// Reached is closed once the done condition held.
func (c *Collector) Reached() <-chan struct{} { return c.reached }

// Result returns copies of the tracks and frames collected so far.
func (c *Collector) Result() ([]*media.Tracks, []*media.Frame) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]*media.Tracks(nil), c.begins...), append([]*media.Frame(nil), c.frames...)
}

// Early is how many frames came before Begin.
func (c *Collector) Early() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.early
}

// Count is how many video (or audio) frames were collected.
func (c *Collector) Count(video bool) int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.count(video)
}

func (c *Collector) count(video bool) int {
	n := 0
	for _, f := range c.frames {
		if f.IsVideo() == video {
			n++
		}
	}
	return n
}
