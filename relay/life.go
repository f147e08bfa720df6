package relay

import (
	"context"
	"errors"
	"time"

	"github.com/lubo-edge/lubo/internal/redact"
)

// Run drives the source until ctx ends: it starts it when the stream is
// wanted (always, or while readers are attached when on demand), reconnects
// with backoff after a failure, and stops an on-demand source IdleTimeout
// after its last reader left. Readers stay attached across reconnects.
// On return every reader is closed.
func (s *Stream) Run(ctx context.Context) error {
	defer s.shut()
	var outage Outage
	for {
		if !s.waitWanted(ctx) {
			return nil
		}
		framesBefore := s.stats.FramesIn.Load()
		err, idle := s.session(ctx)
		s.stats.Up.Store(false)
		s.endSession()
		if ctx.Err() != nil {
			return nil
		}
		if idle {
			s.log.Info("source stopped: no readers", "idle_timeout", s.opts.IdleTimeout)
			outage.Reset()
			continue
		}
		if err == nil {
			err = errors.New("source ended")
		}
		// Sources and their libraries quote the address they failed on,
		// with its password or token: only redacted text leaves here.
		msg := redact.Text(err.Error())
		s.lastErr.Store(&msg)
		now := time.Now()
		down, wait := outage.Failed(s.opts.Backoff, now, s.stats.FramesIn.Load() != framesBefore)
		s.stats.Reconnects.Add(1)
		s.log.Warn("source failed; will reconnect", "err", msg, "down_for", down.Round(time.Second), "retry_in", wait.Round(time.Millisecond))
		retryAt := now.Add(wait).UnixNano()
		s.nextRetry.Store(retryAt)
		ok := s.sleep(ctx, wait)
		s.nextRetry.CompareAndSwap(retryAt, 0)
		if !ok {
			return nil
		}
	}
}

// wanted reports whether the source should run now.
func (s *Stream) wanted() bool { return !s.opts.OnDemand || s.ReaderCount() > 0 }

// waitWanted blocks until the source should run; false when ctx ended.
func (s *Stream) waitWanted(ctx context.Context) bool {
	for !s.wanted() {
		select {
		case <-s.demand:
		case <-ctx.Done():
			return false
		}
	}
	return ctx.Err() == nil
}

// sleep waits d, cut short when ctx ends; false when ctx ended.
func (s *Stream) sleep(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
		return false
	}
}

// session runs the source once. idle is true when it was stopped because
// nobody was reading.
func (s *Stream) session(ctx context.Context) (err error, idle bool) {
	sctx, cancel := context.WithCancel(ctx)
	defer cancel()
	done := make(chan error, 1)
	pub := s.nextSession()
	go func() { done <- s.src.Run(sctx, pub) }()
	// stop cancels the source and waits for it, but not for ever: a source
	// stuck in a library that ignores its context is abandoned (and can no
	// longer write), so one broken camera cannot wedge a reload or shutdown.
	stop := func() {
		cancel()
		t := time.NewTimer(s.opts.StopTimeout)
		defer t.Stop()
		select {
		case <-done:
		case <-t.C:
			s.retire()
			s.stats.Abandoned.Add(1)
			s.log.Error("source did not stop; abandoned its goroutine", "waited", s.opts.StopTimeout)
		}
	}

	var idleTimer *time.Timer
	var idleC <-chan time.Time
	arm := func() {
		if !s.opts.OnDemand {
			return
		}
		n := s.ReaderCount()
		switch {
		case n == 0 && idleTimer == nil:
			idleTimer = time.NewTimer(s.opts.IdleTimeout)
			idleC = idleTimer.C
		case n > 0 && idleTimer != nil:
			idleTimer.Stop()
			idleTimer, idleC = nil, nil
		}
	}
	defer func() {
		if idleTimer != nil {
			idleTimer.Stop()
		}
	}()
	arm()
	for {
		select {
		case err := <-done:
			return err, false
		case <-s.demand:
			arm()
		case <-idleC:
			stop()
			return nil, true
		case <-ctx.Done():
			stop()
			return nil, false
		}
	}
}
