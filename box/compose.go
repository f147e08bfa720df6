package box

import (
	"log/slog"
	"sort"
	"sync"

	"github.com/lubo-edge/lubo/configs"
)

// composer keeps the file's config and the clouds' overlays, and hands the
// daemon their composition whenever one of them changes.
type composer struct {
	log *slog.Logger
	out chan *configs.Config // cap 1: the newest composition wins

	mu       sync.Mutex
	base     *configs.Config
	overlays map[string]configs.Overlay
	last     *configs.Config // the newest composition
	subs     []chan *configs.Config
}

// subscribe returns a channel that receives each new composition (the
// newest wins when the reader is slow), for the clouds that follow the
// channel set.
func (c *composer) subscribe() <-chan *configs.Config {
	c.mu.Lock()
	defer c.mu.Unlock()
	ch := make(chan *configs.Config, 1)
	c.subs = append(c.subs, ch)
	return ch
}

// latest is the newest composition (what the daemon runs or is about to).
func (c *composer) latest() *configs.Config {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.last == nil {
		c.last = c.composeLocked()
	}
	return c.last
}

func newComposer(base *configs.Config, log *slog.Logger) *composer {
	return &composer{log: log, out: make(chan *configs.Config, 1), base: base, overlays: map[string]configs.Overlay{}}
}

// current composes without publishing (for the daemon's first config).
func (c *composer) current() *configs.Config {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.composeLocked()
}

func (c *composer) composeLocked() *configs.Config {
	origins := make([]string, 0, len(c.overlays))
	for o := range c.overlays {
		origins = append(origins, o)
	}
	sort.Strings(origins) // a stable order: the same inputs, the same config
	var os []configs.Overlay
	for _, o := range origins {
		os = append(os, c.overlays[o])
	}
	cfg, problems := configs.Compose(c.base, os...)
	for _, p := range problems {
		c.log.Warn("cloud channel or course not used", "problem", p.String())
	}
	c.last = cfg
	return cfg
}

// setBase takes a reloaded config file.
func (c *composer) setBase(cfg *configs.Config) {
	c.mu.Lock()
	c.base = cfg
	c.publishLocked()
	c.mu.Unlock()
}

// setOverlay takes a cloud's new overlay.
func (c *composer) setOverlay(o configs.Overlay) {
	c.mu.Lock()
	c.overlays[o.Origin] = o
	c.publishLocked()
	c.mu.Unlock()
}

// setInitial records an overlay before the daemon starts, without
// publishing it (the daemon starts from current()).
func (c *composer) setInitial(o configs.Overlay) {
	c.mu.Lock()
	c.overlays[o.Origin] = o
	c.mu.Unlock()
}

func (c *composer) publishLocked() {
	cfg := c.composeLocked()
	for _, ch := range append([]chan *configs.Config{c.out}, c.subs...) {
		select {
		case <-ch: // replaced by the newer one
		default:
		}
		ch <- cfg
	}
}
