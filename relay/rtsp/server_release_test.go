package rtsp

import (
	"testing"

	"github.com/bluenviron/gortsplib/v4/pkg/base"

	"github.com/lubo-edge/lubo/internal/testkit"
	"github.com/lubo-edge/lubo/relay"
)

// TestServerPlayersReleaseEverything: connections that only DESCRIBE,
// DESCRIBE twice, play, or pause and leave all give back their readers,
// goroutines and descriptors.
func TestServerPlayersReleaseEverything(t *testing.T) {
	st := startStream(t, "rel", synthSource(synthTracks(t), 2000, synthFPS, nil), relay.StreamOptions{Logger: testLogger(t)})
	srv := startServer(t, ServerOptions{UDPRTPPort: -1}, map[string]*relay.Stream{"rel": st})
	u := serverURL(srv, "rel")
	// Warm up once, so lazily started runtime goroutines are in the baseline.
	warm := dialRawPlayer(t, u, 0)
	warm.play()
	warm.nc.Close()
	testkit.WaitFor(t, "the warm-up player's reader released", func() bool { return st.ReaderCount() == 0 })
	before := testkit.Measure(t)

	describeOnly := dialRawPlayer(t, u, 0)
	describeOnly.request(base.Describe, describeOnly.url, nil)
	describeOnly.request(base.Describe, describeOnly.url, nil) // replaces the first
	if n := st.ReaderCount(); n != 1 {
		t.Errorf("ReaderCount after two DESCRIBEs on one connection = %d, want 1", n)
	}
	playing := dialRawPlayer(t, u, 0)
	playing.play()
	if _, err := playing.next(); err != nil {
		t.Fatal(err)
	}
	paused := dialRawPlayer(t, u, 0)
	paused.play()
	if _, err := paused.next(); err != nil {
		t.Fatal(err)
	}
	paused.request(base.Pause, paused.url, nil)
	if n := st.ReaderCount(); n != 3 {
		t.Errorf("ReaderCount with three connections = %d, want 3", n)
	}
	for _, p := range []*rawPlayer{describeOnly, playing, paused} {
		p.nc.Close()
	}
	testkit.WaitFor(t, "every reader released", func() bool { return st.ReaderCount() == 0 })
	before.WaitBack(t, 2)
}
