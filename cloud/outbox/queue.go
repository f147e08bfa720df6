package outbox

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"path/filepath"
	"sync"
	"time"

	"github.com/lubo-edge/lubo/storage"
)

// DefaultUploadTimeout bounds one upload attempt when Options.UploadTimeout
// is zero.
const DefaultUploadTimeout = 5 * time.Minute

// Options configures a Queue. Only Targets is required.
type Options struct {
	// Targets are the clouds to deliver to, one uploader each; names must
	// be unique.
	Targets []Target

	// Root is the directory relative item paths are read from; "" is the
	// working directory.
	Root string

	// SpoolDir is where EnqueueBytes writes the files it hands to the
	// queue (e.g. {data_dir}/outbox). Required for EnqueueBytes only.
	SpoolDir string

	// Backoff paces retries per target. Default DefaultBackoff (1 s .. 10 min).
	Backoff Backoff

	// UploadTimeout bounds one attempt. Default DefaultUploadTimeout.
	UploadTimeout time.Duration

	// DiskFree reports the free and total bytes of the disk the queue's
	// files live on (see DiskFreeAt). Nil: no disk floor is kept.
	DiskFree func() (free, total uint64, err error)

	// MinFree is the floor Enqueue keeps free on that disk (record.min_free).
	MinFree MinFree

	// Clock is the queue's time. Default the wall clock.
	Clock Clock

	// Rand returns numbers in [0, 1) for jitter. Default math/rand/v2.
	Rand func() float64

	// Logger receives a line per failure, refusal and drop. Default
	// slog.Default().
	Logger *slog.Logger
}

// Queue is the upload outbox: a persistent queue per target plus the
// uploaders that drain them. Its methods are safe for concurrent use.
type Queue struct {
	store   *storage.Outbox
	opts    Options
	log     *slog.Logger
	targets map[string]*uploader
	order   []string // target names in Options order

	mu       sync.Mutex
	counters map[string]*counters // by target, also for unregistered ones
	running  bool
	spaceMu  sync.Mutex   // one MakeRoom at a time
	spoolMu  sync.RWMutex // sweepSpool (write) against EnqueueBytes (read)
}

// New checks opts and returns a queue over db's outbox. Nothing runs until
// Run.
func New(db *storage.DB, opts Options) (*Queue, error) {
	if db == nil {
		return nil, errors.New("outbox: no store")
	}
	if len(opts.Targets) == 0 {
		return nil, errors.New("outbox: no targets")
	}
	opts.Backoff = opts.Backoff.withDefaults()
	if opts.UploadTimeout <= 0 {
		opts.UploadTimeout = DefaultUploadTimeout
	}
	if opts.Clock == nil {
		opts.Clock = realClock{}
	}
	if opts.Rand == nil {
		opts.Rand = defaultRand
	}
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	if err := opts.MinFree.validate(); err != nil {
		return nil, err
	}
	if opts.SpoolDir != "" {
		abs, err := filepath.Abs(opts.SpoolDir)
		if err != nil {
			return nil, fmt.Errorf("outbox: spool dir: %w", err)
		}
		opts.SpoolDir = abs
	}
	q := &Queue{
		store:    db.Outbox(),
		opts:     opts,
		log:      opts.Logger,
		targets:  map[string]*uploader{},
		counters: map[string]*counters{},
	}
	for _, t := range opts.Targets {
		name := t.Name()
		if name == "" {
			return nil, errors.New("outbox: a target has no name")
		}
		if q.targets[name] != nil {
			return nil, fmt.Errorf("outbox: target %q given twice", name)
		}
		q.targets[name] = &uploader{q: q, target: t, name: name, wake: make(chan struct{}, 1)}
		q.order = append(q.order, name)
		q.counters[name] = newCounters()
	}
	return q, nil
}

// Run drains every target's queue until ctx ends, then waits for its
// uploaders (an upload in flight is cancelled and stays queued) and
// returns nil. A Queue runs once.
func (q *Queue) Run(ctx context.Context) error {
	q.mu.Lock()
	if q.running {
		q.mu.Unlock()
		return errors.New("outbox: Run called twice")
	}
	q.running = true
	q.mu.Unlock()

	q.sweepSpool()
	var wg sync.WaitGroup
	for _, name := range q.order {
		u := q.targets[name]
		wg.Add(1)
		go func() {
			defer wg.Done()
			u.run(ctx)
		}()
	}
	wg.Wait()
	return nil
}

// wake tells target's uploader to look at its queue again.
func (q *Queue) wake(target string) {
	if u := q.targets[target]; u != nil {
		select {
		case u.wake <- struct{}{}:
		default: // a wake-up is already pending
		}
	}
}

// path resolves an item's path against Root.
func (q *Queue) path(it *Item) string {
	if filepath.IsAbs(it.Path) || q.opts.Root == "" {
		return it.Path
	}
	return filepath.Join(q.opts.Root, it.Path)
}

// counter returns target's counters, creating them for a target that is
// not registered (items left from an earlier configuration).
func (q *Queue) counter(target string) *counters {
	q.mu.Lock()
	defer q.mu.Unlock()
	c := q.counters[target]
	if c == nil {
		c = newCounters()
		q.counters[target] = c
	}
	return c
}

// itemArgs are the log attributes of an item; channel is top-level, as in
// every lubo log line about a channel.
func itemArgs(it *Item) []any {
	return []any{"channel", it.Channel, "target", it.Target, "id", it.ID, "kind", it.Kind, "name", it.Name}
}
