// Package testkit holds the scaffolding lubo's tests share: waiting for a
// condition, counting the process's goroutines and file descriptors, and a
// log buffer that is safe to read while the code under test writes to it.
package testkit

import (
	"bytes"
	"log/slog"
	"os"
	"runtime"
	"sync"
	"testing"
	"time"
)

// Patience is how long WaitFor waits by default. It only turns a hang into
// a failure that says what was awaited; no test depends on its length.
const Patience = 30 * time.Second

// WaitFor polls cond until it holds, failing the test after Patience.
func WaitFor(t testing.TB, what string, cond func() bool) {
	t.Helper()
	WaitForWithin(t, what, Patience, cond)
}

// WaitForWithin is WaitFor with its own limit.
func WaitForWithin(t testing.TB, what string, limit time.Duration, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(limit)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("gave up after %v waiting for %s", limit, what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// OpenFDs counts the process's open file descriptors.
func OpenFDs(t testing.TB) int {
	t.Helper()
	ents, err := os.ReadDir("/proc/self/fd")
	if err != nil {
		t.Fatal(err)
	}
	return len(ents)
}

// Baseline is the process's goroutine and descriptor count at one moment.
type Baseline struct{ Goroutines, FDs int }

// Measure takes a Baseline.
func Measure(t testing.TB) Baseline {
	t.Helper()
	return Baseline{Goroutines: runtime.NumGoroutine(), FDs: OpenFDs(t)}
}

// WaitBack waits until goroutines and descriptors are back to at most b
// plus slack each (runtime and test helpers come and go).
func (b Baseline) WaitBack(t testing.TB, slack int) {
	t.Helper()
	var now Baseline
	WaitFor(t, "goroutines and fds back to their baseline", func() bool {
		now = Baseline{Goroutines: runtime.NumGoroutine(), FDs: OpenFDs(t)}
		return now.Goroutines <= b.Goroutines+slack && now.FDs <= b.FDs+slack
	})
}

// LogBuffer is a slog destination tests can read while it is written.
type LogBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

// Write appends p.
func (l *LogBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.Write(p)
}

// String is everything written so far.
func (l *LogBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.String()
}

// Logger is a debug-level text logger writing to l.
func (l *LogBuffer) Logger() *slog.Logger {
	return slog.New(slog.NewTextHandler(l, &slog.HandlerOptions{Level: slog.LevelDebug}))
}
