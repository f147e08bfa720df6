package push

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/lubo-edge/lubo/media"
	"github.com/lubo-edge/lubo/relay"
	"github.com/lubo-edge/lubo/relay/rtmp"
)

// ingest is the connection a runner publishes on; *rtmp.Pusher is one.
type ingest interface {
	WriteFrame(f *media.Frame) error
	Close() error
}

// dialFunc opens an ingest connection publishing tracks t.
type dialFunc func(ctx context.Context, url string, t *media.Tracks) (ingest, error)

func dialRTMP(ctx context.Context, url string, t *media.Tracks) (ingest, error) {
	p, err := rtmp.DialPush(ctx, url, t)
	if err != nil {
		return nil, err
	}
	return p, nil
}

// runner is the goroutine side of one push: it owns the reader and the
// ingest connection.
type runner struct {
	channel string
	target  target
	lookup  func(channel string) (*relay.Stream, bool)
	dial    dialFunc
	backoff relay.Backoff
	log     *slog.Logger
	c       *counters

	reader  *relay.Reader
	conn    ingest
	unwatch func() bool   // stops closing conn when ctx ends
	tracks  *media.Tracks // of the frames last seen from the reader
	waitKey bool          // skipping to a keyframe after a discontinuity
	pushed  bool          // the ingest took a frame since the last failure
}

// run pushes until ctx ends.
func (r *runner) run(ctx context.Context) {
	defer r.closeAll()
	var outage relay.Outage
	for ctx.Err() == nil {
		err := r.session(ctx)
		r.closeAll()
		if ctx.Err() != nil {
			return
		}
		if err == nil {
			err = errors.New("push ended")
		}
		// A failure: count it, say it (redacted), wait, reconnect.
		now := time.Now()
		down, wait := outage.Failed(r.backoff, now, r.pushed)
		r.pushed = false
		msg := r.target.scrub(err.Error())
		r.c.reconnects.Add(1)
		r.c.fail(msg, now.Add(wait), now)
		r.log.Warn("push failed; will reconnect", "err", msg, "down_for", down.Round(time.Second), "retry_in", wait.Round(time.Millisecond))
		t := time.NewTimer(wait)
		select {
		case <-t.C:
		case <-ctx.Done():
			t.Stop()
			return
		}
	}
}

// session runs one stretch of pushing: it returns the failure that ended
// it, or nil when ctx ended. A replaced or restarted source does not end
// it; a failed ingest or a vanished channel does.
func (r *runner) session(ctx context.Context) error {
	r.c.setState(Connecting, time.Now())
	for {
		if r.reader == nil {
			if err := r.attach(); err != nil {
				return err
			}
		}
		f, err := r.reader.Read(ctx)
		if ctx.Err() != nil {
			return nil
		}
		if errors.Is(err, relay.ErrReaderClosed) {
			// The Stream shut down: a reload replaced it, or the
			// daemon is stopping. Look the channel up again; the
			// ingest connection stays while the tracks do.
			r.c.detach()
			r.reader = nil
			continue
		}
		if err != nil {
			return fmt.Errorf("channel %s: read: %w", r.channel, err)
		}
		if !r.admit(f) {
			continue
		}
		if err := r.send(ctx, f); err != nil {
			return err
		}
	}
}

// attach looks the channel up and becomes one of its stream's readers.
func (r *runner) attach() error {
	s, ok := r.lookup(r.channel)
	if !ok || s == nil {
		return fmt.Errorf("channel %s: no such channel", r.channel)
	}
	rd, err := s.AddReader("push " + r.target.display)
	if err != nil {
		return fmt.Errorf("channel %s: %w", r.channel, err)
	}
	r.reader = rd
	r.c.attach(rd)
	r.tracks = nil
	return nil
}

// admit decides whether f goes to the ingest: after a discontinuity (a new
// source session, a new Stream, a clock jump: each gives the frames a new
// *Tracks) the push resumes on a keyframe, so the ingest's viewers never
// get pictures that refer to ones they cannot have.
func (r *runner) admit(f *media.Frame) bool {
	if f.Tracks == nil {
		return false // a Stream always sets it; nothing could describe this frame
	}
	if f.Tracks != r.tracks {
		r.tracks = f.Tracks
		r.waitKey = f.Tracks.Video != nil
	}
	if r.waitKey {
		if !f.IsVideo() || !f.Key {
			return false
		}
		r.waitKey = false
	}
	return true
}

// send writes f to the ingest, dialling first when there is no connection
// and again, once, when the codec parameters changed.
func (r *runner) send(ctx context.Context, f *media.Frame) error {
	for attempt := 0; ; attempt++ {
		if r.conn == nil {
			r.c.setState(Connecting, time.Now())
			conn, err := r.dial(ctx, r.target.raw, f.Tracks)
			if err != nil {
				return fmt.Errorf("channel %s: publish to %s: %w", r.channel, r.target.display, err)
			}
			r.conn = conn
			// A write to a stalled ingest blocks until the pusher's
			// write timeout; Stop and shutdown must not wait for it.
			r.unwatch = context.AfterFunc(ctx, func() { _ = conn.Close() })
			r.c.setState(Pushing, time.Now())
			r.log.Info("pushing", "tracks", f.Tracks.String())
		}
		err := r.conn.WriteFrame(f)
		if err == nil {
			r.pushed = true
			r.c.frames.Add(1)
			r.c.bytes.Add(uint64(len(f.Data)))
			r.c.lastFrame.Store(time.Now().UnixNano())
			return nil
		}
		if !errors.Is(err, rtmp.ErrTracksChanged) || attempt > 0 {
			return fmt.Errorf("channel %s: push to %s: %w", r.channel, r.target.display, err)
		}
		// One RTMP publish carries one set of sequence headers: publish
		// anew with the new ones.
		r.log.Info("codec parameters changed; publishing again", "tracks", f.Tracks.String())
		r.closeConn()
		r.c.reconnects.Add(1)
	}
}

func (r *runner) closeConn() {
	if r.conn != nil {
		r.unwatch()
		_ = r.conn.Close() // the connection is being dropped; its close error says nothing new
		r.conn, r.unwatch = nil, nil
	}
}

// closeAll drops the ingest connection and the reader; a waiting push
// holds neither, so an on-demand camera may stop while the ingest is away.
func (r *runner) closeAll() {
	r.closeConn()
	r.c.detach()
	r.reader = nil
	r.tracks = nil
}
