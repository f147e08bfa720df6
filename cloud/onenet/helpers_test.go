package onenet_test

import (
	"errors"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/lubo-edge/lubo/cloud/onenet"
	"github.com/lubo-edge/lubo/cloud/onenet/onenettest"
	"github.com/lubo-edge/lubo/internal/testkit"
)

const masterKey = "MASTER-k3y-5ecret-0001"

// fakeClock is the emulator's injectable clock.
type fakeClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

// syncBuffer is the shared thread-safe log buffer.
type syncBuffer = testkit.LogBuffer

// fixture is an emulator, a master-key client and the log both write.
type fixture struct {
	emu    *onenettest.Emulator
	clock  *fakeClock
	client *onenet.Client
	logs   *syncBuffer
}

func newFixture(t *testing.T, mutate ...func(*onenettest.Config)) *fixture {
	t.Helper()
	clock := &fakeClock{now: time.Date(2026, 11, 27, 10, 30, 0, 0, time.UTC)}
	cfg := onenettest.Config{MasterKey: masterKey, ProductID: "7355", RegisterCodes: []string{"REGCODE1"}, Now: clock.Now}
	for _, m := range mutate {
		m(&cfg)
	}
	emu := onenettest.New(t, cfg)
	logs := &syncBuffer{}
	c, err := onenet.New(onenet.Config{
		API:         emu.URL(),
		Key:         masterKey,
		ProductID:   "7355",
		Timeout:     5 * time.Second,
		Attempts:    3,
		BackoffBase: time.Millisecond,
		BackoffMax:  4 * time.Millisecond,
		Logger:      slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug})),
	})
	if err != nil {
		t.Fatal(err)
	}
	return &fixture{emu: emu, clock: clock, client: c, logs: logs}
}

// deviceWithChannel makes a device with channel 1 and returns its id and key.
func (f *fixture) deviceWithChannel(t *testing.T) (string, string) {
	t.Helper()
	id, key := f.emu.AddDevice("box")
	f.emu.AddChannel(id, onenettest.Channel{ID: 1, Title: "cam1"})
	return id, key
}

// wantErrno checks that err is an *onenet.Error with the given errno.
func wantErrno(t *testing.T, err error, errno int) *onenet.Error {
	t.Helper()
	var e *onenet.Error
	if !errors.As(err, &e) {
		t.Fatalf("err = %v (%T), want *onenet.Error errno %d", err, err, errno)
	}
	if e.Errno != errno {
		t.Fatalf("errno = %d (%v), want %d", e.Errno, err, errno)
	}
	return e
}

// wantField checks that err is a local *onenet.FieldError about field.
func wantField(t *testing.T, err error, field string) *onenet.FieldError {
	t.Helper()
	var fe *onenet.FieldError
	if !errors.As(err, &fe) {
		t.Fatalf("err = %v (%T), want *onenet.FieldError", err, err)
	}
	if fe.Field != field {
		t.Fatalf("field = %q (%v), want %q", fe.Field, err, field)
	}
	if onenet.Retryable(err) {
		t.Fatalf("a local refusal is not retryable: %v", err)
	}
	return fe
}

// noRequest runs fn and fails if any request reached the emulator.
func (f *fixture) noRequest(t *testing.T, fn func() error) error {
	t.Helper()
	before := f.emu.Requests()
	err := fn()
	if got := f.emu.Requests(); got != before {
		t.Fatalf("%d request(s) reached the emulator, want none", got-before)
	}
	return err
}

func contains(haystack string, secrets ...string) string {
	for _, s := range secrets {
		if s != "" && strings.Contains(haystack, s) {
			return s
		}
	}
	return ""
}
