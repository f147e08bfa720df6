package outbox_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/lubo-edge/lubo/cloud/outbox"
	"github.com/lubo-edge/lubo/internal/testkit"
	"github.com/lubo-edge/lubo/storage"
)

// fakeClock is a Clock that moves only when the test says. Every After
// registers a waiter and pokes added, so a test can advance exactly to
// the moment the uploader waits for.
type fakeClock struct {
	mu      sync.Mutex
	now     time.Time
	waiters []fakeWaiter
	added   chan struct{}
}

type fakeWaiter struct {
	at time.Time
	ch chan time.Time
}

var t0 = time.Date(2026, 11, 27, 8, 0, 0, 0, time.UTC)

func newFakeClock() *fakeClock { return &fakeClock{now: t0, added: make(chan struct{}, 1)} }

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) After(d time.Duration) <-chan time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	ch := make(chan time.Time, 1)
	if d <= 0 {
		ch <- c.now
		return ch
	}
	c.waiters = append(c.waiters, fakeWaiter{c.now.Add(d), ch})
	select {
	case c.added <- struct{}{}:
	default:
	}
	return ch
}

// advanceToNext moves the clock to the earliest waiter and fires every
// waiter that is then due.
func (c *fakeClock) advanceToNext() {
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.waiters) == 0 {
		return
	}
	next := c.waiters[0].at
	for _, w := range c.waiters {
		if w.at.Before(next) {
			next = w.at
		}
	}
	c.now = next
	c.waiters = slices.DeleteFunc(c.waiters, func(w fakeWaiter) bool {
		if w.at.After(c.now) {
			return false
		}
		w.ch <- c.now
		return true
	})
}

// Errors the fake target answers with, classified as a vendor client
// would: errDown is worth retrying, errRefused is not, errDuplicate means
// the name is taken.
var (
	errDown      = errors.New("platform: 503 service unavailable")
	errRefused   = errors.New("platform: errno 1001 invalid name")
	errDuplicate = errors.New("platform: a picture of this name exists")
)

// fakeTarget is a platform that stores one object per name and refuses a
// second (as OneNET does for pictures). Its behaviour per attempt comes
// from fail, which may be nil.
type fakeTarget struct {
	name  string
	clock outbox.Clock

	mu       sync.Mutex
	stored   map[string][]byte
	order    []string               // names in the order they were stored
	attempts map[string][]time.Time // per name
	fail     func(_ context.Context, it outbox.Item) error
	got      chan string // every stored name, if not nil
}

func newFakeTarget(name string, clock outbox.Clock) *fakeTarget {
	return &fakeTarget{name: name, clock: clock, stored: map[string][]byte{}, attempts: map[string][]time.Time{}, got: make(chan string, 1000)}
}

func (f *fakeTarget) Name() string { return f.name }

func (f *fakeTarget) Upload(ctx context.Context, it outbox.Item, body io.Reader, size int64) error {
	f.mu.Lock()
	f.attempts[it.Name] = append(f.attempts[it.Name], f.clock.Now())
	fail := f.fail
	f.mu.Unlock()
	if fail != nil {
		if err := fail(ctx, it); err != nil {
			return err
		}
	}
	data, err := io.ReadAll(io.LimitReader(body, size+1))
	if err != nil {
		return fmt.Errorf("read body: %w", err)
	}
	if int64(len(data)) != size {
		return fmt.Errorf("body is %d bytes, announced %d", len(data), size)
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if _, ok := f.stored[it.Name]; ok {
		return errDuplicate
	}
	f.stored[it.Name] = data
	f.order = append(f.order, it.Name)
	f.got <- it.Name
	return nil
}

func (f *fakeTarget) Retryable(err error) bool {
	return errors.Is(err, errDown) || errors.Is(err, context.DeadlineExceeded)
}

func (f *fakeTarget) AlreadyThere(err error) bool { return errors.Is(err, errDuplicate) }

func (f *fakeTarget) setFail(fn func(context.Context, outbox.Item) error) {
	f.mu.Lock()
	f.fail = fn
	f.mu.Unlock()
}

func (f *fakeTarget) storedOrder() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return slices.Clone(f.order)
}

func (f *fakeTarget) attemptsOf(name string) []time.Time {
	f.mu.Lock()
	defer f.mu.Unlock()
	return slices.Clone(f.attempts[name])
}

// waitStored waits until the target has stored n more objects.
func (f *fakeTarget) waitStored(t *testing.T, n int) []string {
	t.Helper()
	var names []string
	for range n {
		select {
		case name := <-f.got:
			names = append(names, name)
		case <-time.After(testkit.Patience):
			t.Fatalf("%s: %d of %d objects stored, gave up waiting", f.name, len(names), n)
		}
	}
	return names
}

type fixture struct {
	t     *testing.T
	db    *storage.DB
	dir   string // where test files live
	clock *fakeClock
	q     *outbox.Queue
	logs  *testkit.LogBuffer
	stop  func()
}

// newFixture opens a store in a temp dir and a queue over targets, with
// the fake clock unless opts.Clock is set. Run is not started.
func newFixture(t *testing.T, opts outbox.Options) *fixture {
	t.Helper()
	dir := t.TempDir()
	db, err := storage.Open(filepath.Join(dir, "lubo.db"), storage.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	fx := &fixture{t: t, db: db, dir: filepath.Join(dir, "files"), clock: newFakeClock(), stop: func() {}}
	if err := os.MkdirAll(fx.dir, 0o750); err != nil {
		t.Fatal(err)
	}
	if opts.Clock == nil {
		opts.Clock = fx.clock
	}
	fx.logs = new(testkit.LogBuffer)
	opts.Logger = fx.logs.Logger()
	fx.q, err = outbox.New(db, opts)
	if err != nil {
		t.Fatal(err)
	}
	return fx
}

// run starts the queue; the returned stop cancels and waits for it.
func (fx *fixture) run() {
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- fx.q.Run(ctx) }()
	fx.stop = func() {
		cancel()
		if err := <-done; err != nil {
			fx.t.Errorf("Run: %v", err)
		}
		fx.stop = func() {}
	}
	fx.t.Cleanup(func() { fx.stop() })
}

// file writes a test file of size bytes whose content names it.
func (fx *fixture) file(name string, size int) string {
	fx.t.Helper()
	data := make([]byte, size)
	copy(data, name)
	p := filepath.Join(fx.dir, name)
	if err := os.WriteFile(p, data, 0o640); err != nil {
		fx.t.Fatal(err)
	}
	return p
}

// enqueue queues a file item of kind for target, creating the file.
func (fx *fixture) enqueue(target string, kind outbox.Kind, name string, size int) *outbox.Item {
	fx.t.Helper()
	it := &outbox.Item{Target: target, Kind: kind, Channel: "c101", Path: fx.file(name, size), Owned: kind != outbox.KindRecord, Name: name, Size: int64(size)}
	if err := fx.q.Enqueue(it); err != nil {
		fx.t.Fatalf("Enqueue %s: %v", name, err)
	}
	return it
}

func (fx *fixture) stats(target string) outbox.TargetStats {
	fx.t.Helper()
	all, err := fx.q.Stats()
	if err != nil {
		fx.t.Fatal(err)
	}
	for _, s := range all {
		if s.Target == target {
			return s
		}
	}
	fx.t.Fatalf("no stats for %s in %+v", target, all)
	return outbox.TargetStats{}
}

func (fx *fixture) list(state storage.OutboxState) []*outbox.Item {
	fx.t.Helper()
	items, err := fx.q.List(storage.OutboxFilter{State: state})
	if err != nil {
		fx.t.Fatal(err)
	}
	return items
}

func exists(p string) bool {
	_, err := os.Stat(p)
	return err == nil
}
