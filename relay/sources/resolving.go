package sources

import (
	"context"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/lubo-edge/lubo/internal/redact"
	"github.com/lubo-edge/lubo/relay"
)

// Address is a pullable address a cloud gave for a camera.
type Address struct {
	URL string // rtsp://, rtmp://, http(s)://…flv; may carry a token
	// Expires is when the address stops working for new connections;
	// zero when the cloud did not say (then it is resolved for every
	// connection).
	Expires time.Time
}

// Resolver turns a cloud camera's URL (ezviz://…) into an Address.
type Resolver interface {
	Resolve(ctx context.Context, raw string) (Address, error)
}

// ResolverFunc adapts a function to Resolver.
type ResolverFunc func(ctx context.Context, raw string) (Address, error)

// Resolve calls fn.
func (fn ResolverFunc) Resolve(ctx context.Context, raw string) (Address, error) { return fn(ctx, raw) }

// resolveTimeout bounds one call to the cloud.
const resolveTimeout = 20 * time.Second

// resolving is the source of a cloud camera. Each session pulls the
// newest address; while one runs, the address is resolved again ahead of
// its expiry, so the reconnect that follows a cloud cutting the stream
// finds a fresh address at once instead of waiting for the cloud. A
// running pull is never interrupted for a re-resolve: viewers and the
// recording keep what they have.
type resolving struct {
	raw   string
	res   Resolver
	reg   *Registry
	opts  Options
	log   *slog.Logger
	now   func() time.Time
	retry time.Duration // pause after a failed early re-resolve

	mu   sync.Mutex
	addr Address // the newest; zero before the first resolve
}

func newResolving(raw string, res Resolver, reg *Registry, opts Options) *resolving {
	return &resolving{raw: raw, res: res, reg: reg, opts: opts, log: opts.Logger.With("camera", redact.URL(raw)), now: time.Now, retry: 5 * time.Second}
}

// refreshAt is when an address should be replaced: a fifth of its life
// (at most 30 s) before it expires.
func refreshAt(a Address, got time.Time) time.Time {
	life := a.Expires.Sub(got)
	margin := min(life/5, 30*time.Second)
	return a.Expires.Add(-margin)
}

// current returns a usable address: the cached one if it is not due for
// refresh, else a fresh one.
func (s *resolving) current(ctx context.Context) (Address, error) {
	s.mu.Lock()
	a := s.addr
	s.mu.Unlock()
	if a.URL != "" && !a.Expires.IsZero() && s.now().Before(a.Expires) {
		return a, nil
	}
	return s.resolve(ctx)
}

func (s *resolving) resolve(ctx context.Context) (Address, error) {
	ctx, cancel := context.WithTimeout(ctx, resolveTimeout)
	defer cancel()
	a, err := s.res.Resolve(ctx, s.raw)
	if err != nil {
		return Address{}, fmt.Errorf("resolve %s: %s", redact.URL(s.raw), redact.Text(err.Error()))
	}
	s.mu.Lock()
	s.addr = a
	s.mu.Unlock()
	s.log.Info("cloud camera resolved", "address", redact.URL(a.URL), "expires", a.Expires)
	return a, nil
}

func (s *resolving) Run(ctx context.Context, out relay.Publisher) error {
	got := s.now()
	a, err := s.current(ctx)
	if err != nil {
		return err
	}
	inner, err := s.reg.openDirect(a.URL, s.opts)
	if err != nil {
		return err
	}
	var wg sync.WaitGroup
	defer wg.Wait() // after cancel, below: deferred calls run last first
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	if !a.Expires.IsZero() {
		wg.Add(1)
		go func() { defer wg.Done(); s.refresh(ctx, a, got) }()
	}
	if err := inner.Run(ctx, out); err != nil {
		return fmt.Errorf("cloud camera %s: %w", redact.URL(s.raw), err)
	}
	return nil
}

// refresh keeps the cached address fresh while a session runs.
func (s *resolving) refresh(ctx context.Context, a Address, got time.Time) {
	for {
		wait := refreshAt(a, got).Sub(s.now())
		t := time.NewTimer(max(wait, 0))
		select {
		case <-ctx.Done():
			t.Stop()
			return
		case <-t.C:
		}
		got = s.now()
		next, err := s.resolve(ctx)
		if err != nil {
			if ctx.Err() != nil {
				return
			}
			s.log.Warn("early re-resolve failed; will retry", "err", err, "retry_in", s.retry)
			a = Address{URL: a.URL, Expires: got.Add(s.retry)} // try again soon
			got = s.now()
			continue
		}
		if next.Expires.IsZero() {
			return
		}
		a = next
	}
}
