package onenetreg

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/lubo-edge/lubo/cloud/onenet"
	"github.com/lubo-edge/lubo/cloud/onenet/onenettest"
	"github.com/lubo-edge/lubo/configs"
	"github.com/lubo-edge/lubo/internal/testkit"
)

// memStore keeps the state in memory.
type memStore = testkit.MemStore

func newClient(t *testing.T, emu *onenettest.Emulator) *onenet.Client {
	t.Helper()
	c, err := onenet.New(onenet.Config{API: emu.URL(), Key: "master-key-1", ProductID: emu.ProductID()})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func parse(t *testing.T, doc string) *configs.Config {
	t.Helper()
	cfg, err := configs.Parse([]byte(doc), "t")
	if err != nil {
		t.Fatal(err)
	}
	return cfg
}

// Channels are registered, renamed and removed as the channel set changes,
// and a restart (a new Registrar on the same store) registers nothing twice.
func TestChannelsFollowTheConfig(t *testing.T) {
	emu := onenettest.New(t, onenettest.Config{MasterKey: "master-key-1"})
	store := &memStore{}
	r, err := New(Options{Client: newClient(t, emu), Store: store, Title: "box1"})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	cfg := parse(t, "channels:\n  - {id: c101, name: 一年级一班, source: \"rtsp://cam/1\"}\n  - {id: c102, source: \"rtsp://cam/2\"}\n")
	if err := r.Apply(ctx, cfg); err != nil {
		t.Fatal(err)
	}
	devs := emu.Devices()
	if len(devs) != 1 {
		t.Fatalf("devices %+v", devs)
	}
	dev := r.Status().DeviceID
	chs := emu.Channels(dev)
	if len(chs) != 2 || chs[0].Title != "c101" || chs[0].Desc != "一年级一班" {
		t.Fatalf("channels %+v", chs)
	}
	// Restart: nothing new.
	before := emu.Requests()
	r2, err := New(Options{Client: newClient(t, emu), Store: store})
	if err != nil {
		t.Fatal(err)
	}
	if err := r2.Apply(ctx, cfg); err != nil {
		t.Fatal(err)
	}
	if len(emu.Devices()) != 1 || len(emu.Channels(dev)) != 2 || emu.Requests()-before != 1 {
		t.Fatalf("a restart re-registered: %d devices, %d channels, %d requests", len(emu.Devices()), len(emu.Channels(dev)), emu.Requests()-before)
	}
	// Rename c101, drop c102, add c103.
	cfg = parse(t, "channels:\n  - {id: c101, name: 一年级三班, source: \"rtsp://cam/1\"}\n  - {id: c103, source: \"rtsp://cam/3\"}\n")
	if err := r2.Apply(ctx, cfg); err != nil {
		t.Fatal(err)
	}
	chs = emu.Channels(dev)
	got := map[string]string{}
	for _, c := range chs {
		got[c.Title] = c.Desc
	}
	if len(chs) != 2 || got["c101"] != "一年级三班" || got["c103"] != "c103" {
		t.Fatalf("after the edit: %+v", chs)
	}
}

// A lesson's HLS is preloaded the lead time before it starts, once.
func TestPreloadBeforeALesson(t *testing.T) {
	emu := onenettest.New(t, onenettest.Config{MasterKey: "master-key-1"})
	now := time.Date(2026, 11, 25, 10, 29, 0, 0, time.UTC) // a Wednesday
	var mu sync.Mutex
	clock := func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
	r, err := New(Options{Client: newClient(t, emu), Store: &memStore{}, PreloadLead: 30 * time.Second, Now: clock})
	if err != nil {
		t.Fatal(err)
	}
	cfg := parse(t, "timezone: UTC\nchannels:\n  - {id: c101, source: \"rtsp://cam/1\"}\nschedule:\n  - {channel: c101, weekday: 3, start: \"10:30:00\", duration: 45m}\n")
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- r.Run(ctx, cfg, nil) }()
	defer func() { cancel(); <-done }()
	testkit.WaitFor(t, "the channel registered", func() bool { _, n := r.Channel("c101"); return n != 0 })
	if p := emu.Preloads(); len(p) != 0 {
		t.Fatalf("preloaded %d before the lead time", len(p))
	}
	mu.Lock()
	now = now.Add(31 * time.Second) // 10:29:31, 29 s before the lesson
	mu.Unlock()
	testkit.WaitFor(t, "the preload", func() bool { return len(emu.Preloads()) == 1 })
	mu.Lock()
	now = now.Add(5 * time.Minute) // the lesson runs
	mu.Unlock()
	// Several more ticks: still one preload.
	r.lessons(ctx, cfg)
	r.lessons(ctx, cfg)
	if p := emu.Preloads(); len(p) != 1 {
		t.Fatalf("%d preloads, want exactly 1", len(p))
	}
}
