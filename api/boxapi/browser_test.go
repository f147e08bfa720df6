package boxapi

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/lubo-edge/lubo/internal/browser"
	"github.com/lubo-edge/lubo/relay"
	"github.com/lubo-edge/lubo/relay/mp4file"
	"github.com/lubo-edge/lubo/segmenter"
	"github.com/lubo-edge/lubo/testdata/testmedia"
)

// watchedSource reports when the real source under it starts and stops.
type watchedSource struct {
	inner            relay.Source
	started, stopped chan struct{}
}

func (s *watchedSource) Run(ctx context.Context, out relay.Publisher) error {
	s.started <- struct{}{}
	defer func() { s.stopped <- struct{}{} }()
	return s.inner.Run(ctx, out)
}

func requirePlayers(t *testing.T) {
	t.Helper()
	for _, f := range []string{"web/vendor/mpegts.js", "web/vendor/hls.min.js"} {
		if _, err := os.Stat(f); err != nil {
			t.Fatalf("the play page's players are not built (%v): run `make web` first", err)
		}
	}
}

// TestPlayPagesInChromium: the play_camera page plays an on-demand channel
// (a real relay.Stream looping an MP4) in headless Chromium through
// mpegts.js; after the page goes away the source stops once idle_timeout
// has passed. The play_record page plays the record and seeks in it.
func TestPlayPagesInChromium(t *testing.T) {
	requirePlayers(t)
	e := newEnv(t)
	const idle = 2 * time.Second
	src := &watchedSource{inner: mp4file.NewSource(testmedia.Require(t, "sample.mp4")),
		started: make(chan struct{}, 10), stopped: make(chan struct{}, 10)}
	st := relay.NewStream("c101", src, relay.StreamOptions{OnDemand: true, IdleTimeout: idle, Logger: slog.New(slog.DiscardHandler)})
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	wg.Add(1)
	go func() { defer wg.Done(); _ = st.Run(ctx) }()
	t.Cleanup(func() { cancel(); wg.Wait() })
	e.box.mu.Lock()
	e.box.streams["c101"] = st
	e.box.mu.Unlock()

	tok := e.token()
	page := e.playURL("/api/v1/play_camera?token=" + tok + "&camera_id=10001&width=640&height=360")
	p := browser.Open(t, e.srv.URL+page+"?width=640&height=360")
	p.WaitTrue(t, `window.lubo && window.lubo.player === "flv"`, 30*time.Second, "mpegts.js chosen")
	p.WaitTrue(t, `document.getElementById("video").currentTime > 2`, 60*time.Second, "live video plays")
	p.WaitTrue(t, `window.lubo.beats >= 1 && window.lubo.errors.length === 0`, 10*time.Second, "heartbeats without errors")
	if e.h.Leases() != 1 {
		t.Fatalf("%d leases while the page is open", e.h.Leases())
	}
	waitFor(t, src.started, "the source starting")
	if w, err := p.Eval(`document.getElementById("video").getBoundingClientRect().width`); err != nil || string(w) != "640" {
		t.Errorf("video width %s, %v", w, err)
	}

	// The page goes away: its beacon ends the lease, the FLV connection
	// closes, and the source stops idle_timeout later.
	left := time.Now()
	if _, err := p.Eval(`location.href = "about:blank"`); err != nil {
		t.Fatal(err)
	}
	waitFor(t, src.stopped, "the source stopping after the page left")
	if gone := time.Since(left); gone < idle {
		t.Errorf("the source stopped %v after the page left, before idle_timeout %v", gone, idle)
	}
	if e.h.Leases() != 0 || st.ReaderCount() != 0 {
		t.Fatalf("after the page left: %d leases, %d readers", e.h.Leases(), st.ReaderCount())
	}

	// A record: plays, and seeks.
	rec := e.putRecord("c101", time.Date(2026, 11, 25, 10, 30, 0, 0, cst), testmedia.Require(t, "sample.mp4"))
	page = e.playURL(fmt.Sprintf("/api/v1/play_record?token=%s&record_id=%d", tok, rec.Seq))
	if _, err := p.Eval(fmt.Sprintf(`location.href = %q`, e.srv.URL+page)); err != nil {
		t.Fatal(err)
	}
	p.WaitTrue(t, `window.lubo && window.lubo.player === "mp4" && document.getElementById("video").currentTime > 1`, 60*time.Second, "the record plays")
	if _, err := p.Eval(`document.getElementById("video").currentTime = 7`); err != nil {
		t.Fatal(err)
	}
	p.WaitTrue(t, `document.getElementById("video").currentTime > 7.5`, 30*time.Second, "the record plays on after a seek")
	p.WaitTrue(t, `window.lubo.errors.length === 0 && window.lubo.beats >= 1`, 10*time.Second, "no errors on the record page")
}

// TestPlayPageHLSFallbackInChromium: with ?player=hls (what the page falls
// back to when mpegts.js cannot play) the page plays the channel's HLS
// through hls.js, fetched under the ticket's path.
func TestPlayPageHLSFallbackInChromium(t *testing.T) {
	requirePlayers(t)
	e := newEnv(t)
	st := relay.NewStream("c101", mp4file.NewSource(testmedia.Require(t, "sample.mp4")),
		relay.StreamOptions{OnDemand: true, IdleTimeout: time.Second, Logger: slog.New(slog.DiscardHandler)})
	hls := segmenter.NewHLS(segmenter.HLSOptions{Channel: "c101", Target: time.Second, Logger: slog.New(slog.DiscardHandler)})
	rd, err := st.AddReader("hls")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	wg.Add(2)
	go func() { defer wg.Done(); _ = st.Run(ctx) }()
	go func() {
		defer wg.Done()
		defer hls.Close()
		for {
			f, err := rd.Read(ctx)
			if err != nil {
				return
			}
			hls.WriteFrame(f)
		}
	}()
	t.Cleanup(func() { cancel(); rd.Close(); wg.Wait() })
	e.box.mu.Lock()
	e.box.streams["c101"] = st
	e.box.hls["c101"] = hls
	e.box.mu.Unlock()

	page := e.playURL("/api/v1/play_camera?token=" + e.token() + "&camera_id=10001")
	p := browser.Open(t, e.srv.URL+page+"?player=hls")
	p.WaitTrue(t, `window.lubo && window.lubo.player === "hls"`, 30*time.Second, "hls.js chosen")
	p.WaitTrue(t, `document.getElementById("video").currentTime > 2`, 90*time.Second, "HLS video plays")
	p.WaitTrue(t, `window.lubo.errors.length === 0`, 5*time.Second, "no errors")
}
