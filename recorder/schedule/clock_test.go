package schedule_test

import (
	"context"
	"errors"
	"log/slog"
	"sync"
	"testing"
	"time"

	"github.com/lubo-edge/lubo/internal/testkit"
	"github.com/lubo-edge/lubo/recorder/schedule"
)

// fakeClock is a clock only the test moves. The planner is its one sleeper;
// each time it goes to sleep it says so on asleep, so the test knows the
// planner has done everything due at the current time.
type fakeClock struct {
	mu     sync.Mutex
	now    time.Time
	until  time.Time     // when the sleeper wants to wake
	wake   chan struct{} // closed to wake it; nil when nobody sleeps
	asleep chan struct{}
}

func newFakeClock(now time.Time) *fakeClock {
	return &fakeClock{now: now, asleep: make(chan struct{})}
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) Sleep(ctx context.Context, d time.Duration) error {
	wake := make(chan struct{})
	c.mu.Lock()
	c.until, c.wake = c.now.Add(d), wake
	c.mu.Unlock()
	select {
	case c.asleep <- struct{}{}:
	case <-ctx.Done():
		return ctx.Err()
	}
	select {
	case <-wake:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// step moves the clock to the sleeper's wake time if that is at or before
// limit and wakes it (true), else to limit without waking anyone (false).
func (c *fakeClock) step(limit time.Time) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.wake != nil && !c.until.After(limit) {
		if c.until.After(c.now) {
			c.now = c.until
		}
		close(c.wake)
		c.wake = nil
		return true
	}
	if limit.After(c.now) {
		c.now = limit
	}
	return false
}

// stamped is an event with the clock time it was sent at.
type stamped struct {
	at time.Time
	schedule.Event
}

// plannerRun runs a Planner on a fake clock and records its events.
type plannerRun struct {
	t    *testing.T
	clk  *fakeClock
	p    *schedule.Planner
	logs *syncBuffer
	got  []stamped
}

// startPlanner runs a planner from the instant at and returns once it has
// done what is due then and gone to sleep.
func startPlanner(t *testing.T, src schedule.CourseSource, loc *time.Location, opts schedule.PlannerOptions, at time.Time) *plannerRun {
	t.Helper()
	r := &plannerRun{t: t, clk: newFakeClock(at), logs: &syncBuffer{}}
	opts.Now, opts.Sleep = r.clk.Now, r.clk.Sleep
	opts.Logger = slog.New(slog.NewTextHandler(r.logs, nil))
	r.p = schedule.NewPlanner(src, loc, opts)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- r.p.Run(ctx) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("Run returned %v after cancel, want nil", err)
		}
		for range r.p.Events() { // closed by Run
		}
	})
	r.settle()
	return r
}

// settle collects events until the planner sleeps again.
func (r *plannerRun) settle() {
	r.t.Helper()
	guard := time.NewTimer(10 * time.Second) // a hang guard, not a timing assertion
	defer guard.Stop()
	for {
		select {
		case ev := <-r.p.Events():
			r.got = append(r.got, stamped{r.clk.Now(), ev})
		case <-r.clk.asleep:
			for { // events still buffered were sent before the planner slept
				select {
				case ev := <-r.p.Events():
					r.got = append(r.got, stamped{r.clk.Now(), ev})
				default:
					return
				}
			}
		case <-guard.C:
			r.t.Fatal("the planner neither sent an event nor went to sleep")
		}
	}
}

// until lets fake time pass to limit, waking the planner whenever it asked.
func (r *plannerRun) until(limit time.Time) {
	r.t.Helper()
	for r.clk.step(limit) {
		r.settle()
	}
}

// take returns the events recorded so far and forgets them.
func (r *plannerRun) take() []stamped {
	got := r.got
	r.got = nil
	return got
}

// mutableSource is a CourseSource a test edits while the planner runs.
type mutableSource struct {
	mu      sync.Mutex
	courses []schedule.Course
	fail    bool
}

func (s *mutableSource) Courses(context.Context) ([]schedule.Course, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.fail {
		return nil, errors.New("server unreachable")
	}
	return append([]schedule.Course(nil), s.courses...), nil
}

func (s *mutableSource) set(courses ...schedule.Course) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.courses = courses
}

func (s *mutableSource) setFail(fail bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.fail = fail
}

// syncBuffer is the shared thread-safe log buffer.
type syncBuffer = testkit.LogBuffer
