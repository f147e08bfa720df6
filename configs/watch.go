package configs

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"reflect"
	"sync/atomic"
	"time"

	"github.com/fsnotify/fsnotify"
)

// reloadDebounce collects the burst of events one save makes (truncate,
// write, rename, chmod) into one re-parse.
const reloadDebounce = 200 * time.Millisecond

// Watcher re-parses a configuration file when it changes and delivers each
// valid new version on Updates. A file with problems is logged with all of
// them and not delivered: the running configuration stays.
type Watcher struct {
	path    string
	log     *slog.Logger
	updates chan *Config
	ready   chan struct{} // closed once the directory is watched (for tests)
	status  atomic.Pointer[FileStatus]
}

// FileStatus says whether the file on disk is what runs.
type FileStatus struct {
	Path string
	// Stale is true when the file on disk has problems and the box runs
	// the last good version.
	Stale    bool
	Since    time.Time // when the file became stale
	Problems []string  // what is wrong with it
}

// Status is the file's state now.
func (w *Watcher) Status() FileStatus {
	if st := w.status.Load(); st != nil {
		return *st
	}
	return FileStatus{Path: w.path}
}

func (w *Watcher) setStale(problems []string) {
	since := time.Now()
	if old := w.status.Load(); old != nil && old.Stale {
		since = old.Since
	}
	w.status.Store(&FileStatus{Path: w.path, Stale: true, Since: since, Problems: problems})
}

// NewWatcher returns a watcher of the configuration file at path; Run
// starts watching. A nil logger logs nowhere.
func NewWatcher(path string, logger *slog.Logger) *Watcher {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	return &Watcher{
		path:    path,
		log:     logger.With("config", path),
		updates: make(chan *Config, 1),
		ready:   make(chan struct{}),
	}
}

// Updates delivers each new valid configuration. It holds at most one: an
// update not yet taken is replaced by a newer one, so a slow reader always
// gets the latest file. Compare it with the running configuration (see
// ChannelDiff).
func (w *Watcher) Updates() <-chan *Config { return w.updates }

// Run watches the file's directory (editors replace files by renaming,
// which a watch on the file itself would lose) until ctx is done, then
// returns nil. It returns an error when the watch cannot be set up or
// breaks. It may be called once.
func (w *Watcher) Run(ctx context.Context) error {
	abs, err := filepath.Abs(w.path)
	if err != nil {
		return fmt.Errorf("watch config %s: %w", w.path, err)
	}
	fs, err := fsnotify.NewWatcher()
	if err != nil {
		return fmt.Errorf("watch config %s: %w", w.path, err)
	}
	defer fs.Close()
	if err := fs.Add(filepath.Dir(abs)); err != nil {
		return fmt.Errorf("watch config %s: %w", w.path, err)
	}
	close(w.ready)

	// Since Go 1.23 a stopped timer never delivers a stale tick.
	debounce := time.NewTimer(time.Hour)
	debounce.Stop()
	var last *Config
	for {
		select {
		case <-ctx.Done():
			return nil
		case ev, ok := <-fs.Events:
			if !ok {
				return fmt.Errorf("watch config %s: event stream closed", w.path)
			}
			if filepath.Clean(ev.Name) == abs {
				debounce.Reset(reloadDebounce)
			}
		case err, ok := <-fs.Errors:
			if !ok {
				return fmt.Errorf("watch config %s: error stream closed", w.path)
			}
			// After an overflow a change may have been missed: re-read.
			w.log.Warn("config watch", "err", err)
			debounce.Reset(reloadDebounce)
		case <-debounce.C:
			cfg := w.reload()
			if cfg == nil {
				continue
			}
			if reflect.DeepEqual(cfg, last) {
				w.log.Debug("config file touched but unchanged")
				continue
			}
			last = cfg
			w.log.Info("config reloaded", "channels", len(cfg.Channels))
			w.offer(cfg)
		}
	}
}

// reload parses the file; nil means keep the running configuration.
func (w *Watcher) reload() *Config {
	data, err := os.ReadFile(w.path)
	if err != nil {
		w.setStale([]string{err.Error()}) // before the log line: readers of the log see the status
		w.log.Warn("config not reloaded: keeping the running configuration", "err", err)
		return nil
	}
	cfg, err := Parse(data, w.path)
	if err != nil {
		var pe *ProblemsError
		if errors.As(err, &pe) {
			lines := make([]string, len(pe.Problems))
			for i, p := range pe.Problems {
				lines[i] = p.String()
			}
			w.setStale(lines)
			w.log.Error("config not reloaded: keeping the running configuration", "problems", lines)
			return nil
		}
		w.setStale([]string{err.Error()})
		w.log.Error("config not reloaded: keeping the running configuration", "err", err)
		return nil
	}
	w.status.Store(&FileStatus{Path: w.path})
	return cfg
}

// offer replaces an untaken update with cfg. Run is the only sender, so
// after draining there is room.
func (w *Watcher) offer(cfg *Config) {
	select {
	case <-w.updates:
	default:
	}
	w.updates <- cfg
}

// ChannelDiff compares the channels of two configurations by id: added are
// in new only, removed in old only, changed in both with any setting
// different. Callers restart only those channels. Either may be nil.
func ChannelDiff(old, new *Config) (added, removed, changed []string) {
	byID := func(c *Config) map[string]*Channel {
		m := map[string]*Channel{}
		if c != nil {
			for i := range c.Channels {
				m[c.Channels[i].ID] = &c.Channels[i]
			}
		}
		return m
	}
	oldCh, newCh := byID(old), byID(new)
	if new != nil {
		for _, ch := range new.Channels {
			prev, ok := oldCh[ch.ID]
			switch {
			case !ok:
				added = append(added, ch.ID)
			case !sameButName(*prev, ch):
				changed = append(changed, ch.ID)
			}
		}
	}
	if old != nil {
		for _, ch := range old.Channels {
			if _, ok := newCh[ch.ID]; !ok {
				removed = append(removed, ch.ID)
			}
		}
	}
	return added, removed, changed
}

// sameButName reports whether two channel configs differ at most in their
// name, which is only shown: a rename applies in place, without restarting
// the channel and dropping its viewers.
func sameButName(a, b Channel) bool {
	// Pushes follow the channel without restarting its camera.
	a.Name, b.Name = "", ""
	a.Push, b.Push = nil, nil
	return reflect.DeepEqual(a, b)
}

// ChannelsRenamed lists the channels whose name alone changed.
func ChannelsRenamed(old, new *Config) []string {
	if old == nil || new == nil {
		return nil
	}
	var out []string
	for _, ch := range new.Channels {
		if prev := old.ChannelByID(ch.ID); prev != nil && prev.Name != ch.Name && sameButName(*prev, ch) {
			out = append(out, ch.ID)
		}
	}
	return out
}
