package push

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/lubo-edge/lubo/internal/testkit"
	"github.com/lubo-edge/lubo/relay"
	"github.com/lubo-edge/lubo/testdata/testmedia"
)

// idleStream is a Stream whose source never delivers: enough for the
// Manager's bookkeeping.
func idleStream(t *testing.T, id string) *relay.Stream {
	t.Helper()
	return runStream(t, id, relay.SourceFunc(func(ctx context.Context, _ relay.Publisher) error {
		<-ctx.Done()
		return nil
	}), relay.StreamOptions{})
}

func origins(m *Manager) map[string]string {
	out := map[string]string{}
	for _, st := range m.List() {
		out[st.Channel+" "+st.URL] = st.Origin + "/" + string(st.State)
	}
	return out
}

// TestConfigureReconciles checks configured pushes follow the config and
// that a push the API also started outlives its removal from the config.
func TestConfigureReconciles(t *testing.T) {
	fake := &fakeIngests{}
	m := NewManager(Options{Lookup: lookupOf(idleStream(t, "c1"), idleStream(t, "c2")), Logger: quiet, dial: fake.dial})
	runManager(t, m)
	a, b := "rtmp://a.example/live/ka", "rtmp://b.example/live/kb"
	m.Configure("c1", []string{a, b, a})
	m.Configure("c2", []string{a})
	if err := m.Start("c1", b); err != nil {
		t.Fatal(err)
	}
	want := map[string]string{
		"c1 rtmp://a.example/live/******": "config/connecting",
		"c1 rtmp://b.example/live/******": "config/connecting",
		"c2 rtmp://a.example/live/******": "config/connecting",
	}
	testkit.WaitFor(t, "three connecting pushes", func() bool { return fmt.Sprint(origins(m)) == fmt.Sprint(want) })

	m.Configure("c1", []string{a, "rtmps://secure.example/live/k"})
	got := origins(m)
	if got["c1 rtmp://b.example/live/******"] != "api/connecting" {
		t.Errorf("b dropped from the config but started by the API: %q, want api/connecting", got["c1 rtmp://b.example/live/******"])
	}
	if got["c1 rtmps://secure.example/live/******"] != "config/stopped" {
		t.Errorf("an rtmps push: %q, want config/stopped", got["c1 rtmps://secure.example/live/******"])
	}
	for _, st := range m.List() {
		if strings.HasPrefix(st.URL, "rtmps") && !strings.Contains(st.Error, "rtmps") {
			t.Errorf("rtmps push error %q does not say why", st.Error)
		}
	}

	// A reload that drops channel c2 and c1's pushes.
	m.ConfigureAll(map[string][]string{"c1": {a}, "c2": {a}})
	if got := origins(m); len(got) != 3 || got["c2 rtmp://a.example/live/******"] != "config/connecting" {
		t.Errorf("after ConfigureAll: %v, want c1's two and c2's one", got)
	}
	m.ConfigureAll(map[string][]string{"c1": nil})
	if got := origins(m); len(got) != 1 || got["c1 rtmp://b.example/live/******"] != "api/connecting" {
		t.Errorf("after removing every configured push: %v, want only the API's", got)
	}
	if err := m.Stop("c1", b); err != nil {
		t.Fatal(err)
	}
	if err := m.Stop("c1", b); !errors.Is(err, ErrUnknownPush) {
		t.Errorf("second Stop: %v, want ErrUnknownPush", err)
	}
	if len(m.List()) != 0 {
		t.Errorf("pushes left: %+v", m.List())
	}

	// A channel removed by a reload loses the API's pushes too: they
	// could only retry "no such channel".
	if err := m.Start("c2", b); err != nil {
		t.Fatal(err)
	}
	m.ConfigureAll(map[string][]string{"c1": nil})
	if len(m.List()) != 0 {
		t.Errorf("a removed channel's API push is still listed: %+v", m.List())
	}
}

// TestRunEndStopsPushes checks pushes wait for Run, run under it and are
// stopped (connections closed, readers gone) when it ends.
func TestRunEndStopsPushes(t *testing.T) {
	fake := &fakeIngests{refuse: true}
	stream := idleStream(t, "c1")
	m := NewManager(Options{Lookup: lookupOf(stream), Logger: quiet, dial: fake.dial})
	if err := m.Start("c1", "rtmp://a.example/live/k"); err != nil {
		t.Fatal(err)
	}
	if st := statusOf(t, m, "c1"); st.State != Stopped {
		t.Errorf("before Run: %s, want stopped", st.State)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); m.Run(ctx) }()
	testkit.WaitFor(t, "the push to attach", func() bool { return stream.ReaderCount() == 1 })
	cancel()
	<-done
	if st := statusOf(t, m, "c1"); st.State != Stopped {
		t.Errorf("after Run: %s, want stopped", st.State)
	}
	if n := stream.ReaderCount(); n != 0 {
		t.Errorf("readers left after Run: %d", n)
	}
}

// TestReplacedStreamIsFollowed replaces the channel's Stream under a running
// push, as a config reload does: the push finds the new one through Lookup
// and goes on over the same ingest connection (same codec parameters).
func TestReplacedStreamIsFollowed(t *testing.T) {
	clip := testmedia.Require(t, "h264_aac.mp4")
	first := relay.NewStream("c1", newCamera(clip), relay.StreamOptions{Logger: quiet})
	second := runStream(t, "c1", newCamera(clip), relay.StreamOptions{})
	ctx, stopFirst := context.WithCancel(context.Background())
	firstDone := make(chan error, 1)
	go func() { firstDone <- first.Run(ctx) }()
	defer func() { stopFirst(); <-firstDone }()

	current := first
	var mu = make(chan struct{}, 1)
	mu <- struct{}{}
	lookup := func(id string) (*relay.Stream, bool) {
		<-mu
		defer func() { mu <- struct{}{} }()
		return current, id == "c1"
	}
	fake := &fakeIngests{}
	m := NewManager(Options{Lookup: lookup, Logger: quiet, dial: fake.dial})
	runManager(t, m)
	if err := m.Start("c1", "rtmp://a.example/live/k"); err != nil {
		t.Fatal(err)
	}
	testkit.WaitFor(t, "frames from the first stream", func() bool { _, n := fake.counts(); return n > 25 })
	<-mu
	current = second
	mu <- struct{}{}
	stopFirst()
	<-firstDone
	firstDone <- nil // for the deferred wait
	_, before := fake.counts()
	testkit.WaitFor(t, "frames from the second stream", func() bool { _, n := fake.counts(); return n > before+25 })
	if dials, _ := fake.counts(); dials != 1 {
		t.Errorf("%d dials, want 1: the connection should outlive the stream swap", dials)
	}
	if st := statusOf(t, m, "c1"); st.State != Pushing || st.Reconnects != 0 || second.ReaderCount() != 1 {
		t.Errorf("after the swap: %+v, readers of the new stream %d", st, second.ReaderCount())
	}
}

// TestNothingShowsTheKey formats a Manager every way and reads the status,
// logs and error of a push whose ingest refuses with the whole URL in its
// error text.
func TestNothingShowsTheKey(t *testing.T) {
	const key, token = "Key-8c1d07", "Tok-51e2aa"
	url := "rtmp://ingest.example/live/" + key + "?token=" + token
	fake := &fakeIngests{refuse: true}
	var logs testkit.LogBuffer
	log := logs.Logger()
	m := NewManager(Options{Lookup: lookupOf(cameraStream(t, "c9")), Logger: log, dial: fake.dial,
		Backoff: relay.Backoff{Min: time.Millisecond, Max: 5 * time.Millisecond}})
	runManager(t, m)
	if err := m.Start("c9", url); err != nil {
		t.Fatal(err)
	}
	var st Status
	testkit.WaitFor(t, "a refused push", func() bool {
		st = statusOf(t, m, "c9")
		return st.Reconnects >= 2 && st.Error != ""
	})
	if !strings.Contains(st.Error, "connection refused") {
		t.Errorf("error %q does not say what happened", st.Error)
	}
	log.Info("manager", "m", m)
	shown := []string{
		fmt.Sprintf("%v", m), fmt.Sprintf("%+v", m), fmt.Sprintf("%#v", m), fmt.Sprintf("%+v", m.List()),
		logs.String(), m.Stop("c9", "rtmp://ingest.example/live/other"+key).Error(),
	}
	for _, s := range shown {
		if strings.Contains(s, key) || strings.Contains(s, token) {
			t.Errorf("shows the key or token: %s", s)
		}
	}
	if !strings.Contains(logs.String(), "push failed") {
		t.Errorf("no log line for the failure:\n%s", logs.String())
	}
}

// cameraStream is a stream with frames flowing: a camera on a clip.
func cameraStream(t *testing.T, id string) *relay.Stream {
	return runStream(t, id, newCamera(testmedia.Require(t, "h264_aac.mp4")), relay.StreamOptions{})
}

// A push stopped and started again while its old connection is still
// closing (two API calls racing, a reload) waits for it: the ingest never
// sees two publishers of one stream, which nginx-rtmp refuses. Stopped and
// started twice over, the newest push still waits for the first.
func TestRestartedPushWaitsForTheOldConnection(t *testing.T) {
	for _, restarts := range []int{1, 2} {
		t.Run(fmt.Sprintf("restarts=%d", restarts), func(t *testing.T) { restartPush(t, restarts) })
	}
}

func restartPush(t *testing.T, restarts int) {
	stream := runStream(t, "c1", newCamera(testmedia.Require(t, "h264_aac.mp4")), relay.StreamOptions{})
	fake := &fakeIngests{}
	m := NewManager(Options{Lookup: lookupOf(stream), Logger: quiet, dial: fake.dial})
	runManager(t, m)
	const url = "rtmp://a.example/live/k"
	if err := m.Start("c1", url); err != nil {
		t.Fatal(err)
	}
	testkit.WaitFor(t, "frames pushed", func() bool { _, n := fake.counts(); return n > 5 })
	slow := make(chan struct{})
	var release sync.Once
	letGo := func() { release.Do(func() { close(slow) }) }
	t.Cleanup(letGo) // a failing test must not leave the close stuck
	fake.mu.Lock()
	fake.slowClose = slow
	fake.mu.Unlock()
	stopped := make(chan error, restarts)
	for i := range restarts {
		go func() { stopped <- m.Stop("c1", url) }()
		testkit.WaitFor(t, "the stop to begin", func() bool { return len(m.List()) == 0 })
		if err := m.Start("c1", url); err != nil {
			t.Fatal(err)
		}
		testkit.WaitFor(t, "the new push to wait or dial", func() bool {
			dials, _ := fake.counts()
			return dials > 1 || strings.Contains(statusOf(t, m, "c1").Error, "previous push")
		})
		if dials, _ := fake.counts(); dials != 1 {
			t.Fatalf("restart %d: the new push dialled while the old connection was closing (%d dials)", i+1, dials)
		}
	}
	letGo()
	for range restarts {
		if err := <-stopped; err != nil {
			t.Fatal(err)
		}
	}
	_, before := fake.counts()
	testkit.WaitFor(t, "frames from the new push", func() bool { _, n := fake.counts(); return n > before+5 })
	fake.mu.Lock()
	defer fake.mu.Unlock()
	if fake.maxOpen != 1 {
		t.Fatalf("%d connections open at once, want 1", fake.maxOpen)
	}
}
