package rtsp

import (
	"context"
	"errors"
	"io"
	"sync/atomic"
	"testing"
	"time"

	"github.com/lubo-edge/lubo/internal/testkit"
	"github.com/lubo-edge/lubo/media"
	"github.com/lubo-edge/lubo/relay"
)

// TestServerReaderPerPlayer: each player of a channel has its own
// relay.Reader, as an HTTP-FLV viewer does; both are released when the
// players have left.
func TestServerReaderPerPlayer(t *testing.T) {
	c := loadClip(t, clipH264AAC)
	st := startStream(t, "c101", c.source(), relay.StreamOptions{Logger: testLogger(t)})
	srv := startServer(t, ServerOptions{}, map[string]*relay.Stream{"c101": st})
	u := serverURL(srv, "c101")

	var players []*running
	var recs []*recorder
	for _, transport := range []string{"tcp", "udp"} {
		rec := newRecorder(10)
		r := runSource(NewSource(u, SourceOptions{Transport: transport, Logger: testLogger(t)}), rec)
		defer r.stop()
		select {
		case <-rec.Reached():
		case <-r.done:
			t.Fatalf("%s player ended: %v", transport, r.err)
		case <-time.After(15 * time.Second):
			t.Fatalf("%s player got no frames", transport)
		}
		players = append(players, r)
		recs = append(recs, rec)
	}
	if n := st.ReaderCount(); n != 2 {
		t.Errorf("ReaderCount with two players = %d, want 2", n)
	}
	for i, r := range players {
		if err := r.stop(); err != nil {
			t.Errorf("player %d: Run after cancel = %v", i, err)
		}
	}
	testkit.WaitFor(t, "the players' readers to be released", func() bool { return st.ReaderCount() == 0 })
	for _, rec := range recs {
		begins, frames := rec.Result()
		checkFrames(t, begins, frames, c.tracks)
	}
}

// TestServerOnDemandSourceStops: the re-serve is what keeps an on-demand
// source running, and it stops once the player has gone.
func TestServerOnDemandSourceStops(t *testing.T) {
	c := loadClip(t, clipH264AAC)
	var running atomic.Int32
	src := relay.SourceFunc(func(ctx context.Context, out relay.Publisher) error {
		running.Add(1)
		defer running.Add(-1)
		return c.source().Run(ctx, out)
	})
	st := startStream(t, "od", src, relay.StreamOptions{OnDemand: true, IdleTimeout: 50 * time.Millisecond, Logger: testLogger(t)})
	srv := startServer(t, ServerOptions{}, map[string]*relay.Stream{"od": st})
	if running.Load() != 0 {
		t.Fatal("on-demand source runs before anyone asked")
	}
	pull(t, serverURL(srv, "od"), SourceOptions{}, 5)
	testkit.WaitFor(t, "the on-demand source to stop", func() bool { return running.Load() == 0 })
}

// TestServerCodecChange: when the stream reconnects to something with other
// codecs, players are disconnected, and the next one gets the new SDP.
func TestServerCodecChange(t *testing.T) {
	h264 := loadClip(t, clipH264AAC)
	h265 := loadClip(t, clipH265PCMA)
	var sessions atomic.Int32
	switchCtx, switchNow := context.WithCancel(context.Background())
	defer switchNow()
	src := relay.SourceFunc(func(ctx context.Context, out relay.Publisher) error {
		if sessions.Add(1) == 1 {
			sctx, cancel := context.WithCancel(ctx)
			defer cancel()
			stopWatch := context.AfterFunc(switchCtx, cancel)
			defer stopWatch()
			h264.source().Run(sctx, out)
			if ctx.Err() != nil {
				return nil
			}
			return errors.New("camera rebooted")
		}
		return h265.source().Run(ctx, out)
	})
	st := startStream(t, "cc", src, relay.StreamOptions{Logger: testLogger(t),
		Backoff: relay.Backoff{Min: 10 * time.Millisecond, Max: 10 * time.Millisecond}})
	srv := startServer(t, ServerOptions{}, map[string]*relay.Stream{"cc": st})
	u := serverURL(srv, "cc")

	rec := newRecorder(5)
	r := runSource(NewSource(u, SourceOptions{Logger: testLogger(t)}), rec)
	defer r.stop()
	select {
	case <-rec.Reached():
	case <-r.done:
		t.Fatalf("player ended early: %v", r.err)
	case <-time.After(15 * time.Second):
		t.Fatal("no frames before the switch")
	}
	switchNow()
	select {
	case <-r.done:
		// The server ends the session (the codec changed under it): the
		// player sees its connection closed, not some other failure.
		if !errors.Is(r.err, io.EOF) {
			t.Fatalf("player's Run returned %v after the codec change, want the server closing the connection (EOF)", r.err)
		}
	case <-time.After(15 * time.Second):
		t.Fatal("player not disconnected after the codec change")
	}
	begins, frames := pull(t, u, SourceOptions{}, 5)
	if begins[0].Video.Codec != media.H265 || begins[0].Audio.Codec != media.PCMA {
		t.Errorf("after the switch the player got %s, want H265 + PCMA", begins[0])
	}
	checkFrames(t, begins, frames, h265.tracks)
}
