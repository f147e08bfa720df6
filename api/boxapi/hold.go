package boxapi

import (
	"context"
	"errors"
	"sync"
	"time"

	"github.com/lubo-edge/lubo/relay"
)

// hold keeps a reader attached to a stream, like a viewer that never looks,
// so an on-demand source keeps running. Its frames are drained and dropped
// so the reader never counts as a slow one.
type hold struct {
	rd   *relay.Reader
	done chan struct{}
}

func (h *Handler) holdStream(st *relay.Stream, name string) (*hold, error) {
	// The drain goroutine is counted under the same lock Run takes to shut
	// down, so none starts once Run waits for them.
	h.closeMu.Lock()
	defer h.closeMu.Unlock()
	if h.closed {
		return nil, errShutDown
	}
	rd, err := st.AddReader(name)
	if err != nil {
		return nil, err
	}
	hd := &hold{rd: rd, done: make(chan struct{})}
	h.wg.Add(1)
	go func() {
		defer h.wg.Done()
		defer close(hd.done)
		for {
			if _, err := rd.Read(context.Background()); err != nil {
				return // closed by release, or the stream shut down
			}
		}
	}()
	return hd, nil
}

// alive reports whether the reader is still attached (a reload may have
// replaced the channel's stream, which closes its readers).
func (hd *hold) alive() bool {
	select {
	case <-hd.done:
		return false
	default:
		return true
	}
}

func (hd *hold) release() {
	hd.rd.Close()
	<-hd.done
}

// Leases: a play page sends a heartbeat every 12 s (§3.31); each heartbeat
// extends the page's lease by LeaseTimeout. A live page's lease holds the
// channel's source, so it runs while the page is open (between player
// reconnects too) and stops idle_timeout after the lease ends: at once when
// the page says goodbye, LeaseTimeout after its last heartbeat otherwise. A
// lease also keeps the page's ticket valid past its expiry, so a lesson can
// be watched, or a record seeked, for longer than a ticket lives.

const maxLeases = 512

var errShutDown = errors.New("the box is shutting down")

var errTooManyLeases = errors.New("too many play pages are open on this box")

type lease struct {
	ticket  string // the ticket text
	expires time.Time
	hold    *hold // live pages only
}

type leaseBook struct {
	mu sync.Mutex
	m  map[string]*lease // ticket + "|" + page id
}

// beat creates or extends the lease of one page; for a live ticket it makes
// sure the lease holds the channel's current stream.
func (h *Handler) beat(text string, t ticket, page string) error {
	now := h.opts.Now()
	key := text + "|" + page
	h.leases.mu.Lock()
	defer h.leases.mu.Unlock()
	l := h.leases.m[key]
	if l == nil {
		if len(h.leases.m) >= maxLeases {
			h.sweepLocked(now)
			if len(h.leases.m) >= maxLeases {
				return errTooManyLeases
			}
		}
		l = &lease{ticket: text}
		h.leases.m[key] = l
	}
	l.expires = now.Add(h.opts.LeaseTimeout)
	if t.kind == kindLive && (l.hold == nil || !l.hold.alive()) {
		st, ok := h.opts.Box.LiveStream(t.target)
		if !ok {
			return errors.New("channel " + t.target + " no longer exists")
		}
		hd, err := h.holdStream(st, "play page")
		if err != nil {
			return err
		}
		l.hold = hd
	}
	return nil
}

// bye ends a page's lease at once (the page is going away).
func (h *Handler) bye(text, page string) {
	h.leases.mu.Lock()
	l := h.leases.m[text+"|"+page]
	delete(h.leases.m, text+"|"+page)
	h.leases.mu.Unlock()
	if l != nil && l.hold != nil {
		l.hold.release()
	}
}

// leased reports whether some page of this ticket is still alive.
func (h *Handler) leased(text string) bool {
	now := h.opts.Now()
	h.leases.mu.Lock()
	defer h.leases.mu.Unlock()
	for _, l := range h.leases.m {
		if l.ticket == text && now.Before(l.expires) {
			return true
		}
	}
	return false
}

// Sweep ends the leases whose pages stopped sending heartbeats. Run calls
// it every few seconds; tests with their own clock call it directly.
// It also puts back start_camera holds whose stream was replaced (a
// reload recreates a channel's stream, which closes its readers).
func (h *Handler) Sweep() {
	now := h.opts.Now()
	h.leases.mu.Lock()
	h.sweepLocked(now)
	h.leases.mu.Unlock()

	h.pinMu.Lock()
	defer h.pinMu.Unlock()
	for id, p := range h.pins {
		if p.alive() {
			continue
		}
		st, ok := h.opts.Box.LiveStream(id)
		if !ok {
			delete(h.pins, id) // the channel is gone
			continue
		}
		if hd, err := h.holdStream(st, "start_camera"); err == nil {
			h.pins[id] = hd
		}
	}
}

func (h *Handler) sweepLocked(now time.Time) {
	for k, l := range h.leases.m {
		if !now.Before(l.expires) {
			delete(h.leases.m, k)
			if l.hold != nil {
				l.hold.release()
			}
		}
	}
}

// Leases counts the open play-page leases (for tests and metrics).
func (h *Handler) Leases() int {
	h.leases.mu.Lock()
	defer h.leases.mu.Unlock()
	return len(h.leases.m)
}
