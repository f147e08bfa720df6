package rtmp

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"sync"
	"sync/atomic"
	"time"

	"github.com/lubo-edge/lubo/media"
	"github.com/lubo-edge/lubo/relay"
)

// ServerOptions configures a Server. Zero values mean the documented default.
type ServerOptions struct {
	// ReadTimeout is how long a publisher, or a peer still setting up, may
	// stay silent before it is dropped. Players are not bound by it: they
	// legitimately send next to nothing. Default 10s.
	ReadTimeout time.Duration
	// WriteTimeout is how long one write to a peer may take; a player that
	// stops reading for longer is dropped. Default 10s.
	WriteTimeout time.Duration
	// PlayerQueue is each reader's queue in frames; a reader that falls
	// further behind drops to the next keyframe. Default 1024 (about 14 s
	// of 25 fps video with 48 kHz AAC).
	PlayerQueue int
	// MaxConns caps the connections held at once; one more is closed on
	// arrival (and counted), so a flood cannot take every file descriptor
	// and goroutine of the box. Default 256.
	MaxConns int
	// Logger receives connection events. Default slog.Default().
	Logger *slog.Logger
}

func (o ServerOptions) withDefaults() ServerOptions {
	if o.ReadTimeout <= 0 {
		o.ReadTimeout = readTimeout
	}
	if o.WriteTimeout <= 0 {
		o.WriteTimeout = writeTimeout
	}
	if o.PlayerQueue <= 0 {
		o.PlayerQueue = 1024
	}
	if o.MaxConns <= 0 {
		o.MaxConns = 256
	}
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	return o
}

// Server is an RTMP server: peers publish rtmp://host:port/app/name and
// play it back; each name fans the frames of its one publisher out to all
// its players. A stream's name on the server is "app/name" (no query).
//
// In process, Publish serves a relay.Source under a name and Source reads
// whatever publishes a name, so the server also works as a fake camera and
// as an ingest point for lubo's own streams.
type Server struct {
	opts   ServerOptions
	log    *slog.Logger
	ctx    context.Context // ends at Close
	cancel context.CancelFunc

	mu      sync.Mutex
	ln      net.Listener
	running bool
	done    chan struct{} // closed when Run returns
	streams map[string]*broadcast

	open, refused atomic.Int64 // connections held now; closed on arrival (over MaxConns)
}

// ConnStats are the listener's connection counters.
type ConnStats struct {
	Open    int64 // connections held now
	Refused int64 // closed on arrival: over MaxConns
}

// Conns returns the listener's connection counters.
func (s *Server) Conns() ConnStats {
	return ConnStats{Open: s.open.Load(), Refused: s.refused.Load()}
}

// NewServer makes a server; Listen and Run start serving.
func NewServer(opts ServerOptions) *Server {
	opts = opts.withDefaults()
	ctx, cancel := context.WithCancel(context.Background())
	return &Server{
		opts:    opts,
		log:     opts.Logger,
		ctx:     ctx,
		cancel:  cancel,
		done:    make(chan struct{}),
		streams: make(map[string]*broadcast),
	}
}

// Listen binds addr (e.g. ":1935", "127.0.0.1:0") and returns the bound
// address. Run serves it.
func (s *Server) Listen(addr string) (net.Addr, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.ln != nil {
		return nil, errors.New("rtmp: server is already listening")
	}
	if s.ctx.Err() != nil {
		return nil, errors.New("rtmp: server is closed")
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("rtmp: listen %s: %w", addr, err)
	}
	s.ln = ln
	return ln.Addr(), nil
}

// Run accepts connections until ctx is done or Close is called, then closes
// every connection and returns nil once they have all finished.
func (s *Server) Run(ctx context.Context) error {
	s.mu.Lock()
	ln := s.ln
	switch {
	case ln == nil:
		s.mu.Unlock()
		return errors.New("rtmp: Run before Listen")
	case s.running:
		s.mu.Unlock()
		return errors.New("rtmp: server is already running")
	}
	s.running = true
	s.mu.Unlock()
	defer close(s.done)

	var conns sync.WaitGroup
	defer conns.Wait()
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	stopOnClose := context.AfterFunc(s.ctx, cancel)
	defer stopOnClose()
	stopListening := context.AfterFunc(ctx, func() { ln.Close() })
	defer stopListening()
	defer ln.Close()

	s.log.Info("rtmp server listening", "addr", ln.Addr().String())
	for {
		conn, err := ln.Accept()
		if err != nil {
			if ctx.Err() != nil {
				return nil
			}
			if errors.Is(err, net.ErrClosed) {
				return errors.New("rtmp: listener closed")
			}
			// Out of file descriptors and the like: wait, then go on.
			s.log.Warn("rtmp accept failed", "err", err)
			select {
			case <-time.After(100 * time.Millisecond):
			case <-ctx.Done():
				return nil
			}
			continue
		}
		if s.open.Load() >= int64(s.opts.MaxConns) {
			// Logged on the first refusal of each hundred: a flood must
			// not flood the log too.
			if s.refused.Add(1)%100 == 1 {
				s.log.Warn("rtmp connection refused: too many connections", "peer", conn.RemoteAddr().String(), "max", s.opts.MaxConns, "refused_total", s.refused.Load())
			}
			conn.Close()
			continue
		}
		s.open.Add(1)
		conns.Go(func() {
			defer s.open.Add(-1)
			newServerConn(s, conn).serve(ctx)
		})
	}
}

// Close stops Run, drops every connection and waits for Run to return.
// Publish and Source calls in progress end too.
func (s *Server) Close() {
	s.cancel()
	s.mu.Lock()
	ln, running := s.ln, s.running
	s.mu.Unlock()
	if ln != nil {
		ln.Close()
	}
	if running {
		<-s.done
	}
}

// acquire returns the broadcast of key, creating it; release gives it back.
func (s *Server) acquire(key string) *broadcast {
	s.mu.Lock()
	defer s.mu.Unlock()
	b := s.streams[key]
	if b == nil {
		b = newBroadcast(key)
		s.streams[key] = b
	}
	b.refs++
	return b
}

func (s *Server) release(b *broadcast) {
	s.mu.Lock()
	defer s.mu.Unlock()
	b.refs--
	if b.refs == 0 {
		delete(s.streams, b.key)
	}
}

// within returns a context that ends with ctx or when the server closes.
func (s *Server) within(ctx context.Context) (context.Context, context.CancelFunc) {
	ctx, cancel := context.WithCancel(ctx)
	stop := context.AfterFunc(s.ctx, cancel)
	return ctx, func() { stop(); cancel() }
}

// errServerClosed ends Publish and Source runs when the server closes.
var errServerClosed = errors.New("rtmp: server closed")

// Publish runs src and serves its frames to the RTMP players of name
// ("app/name"). It returns src's error, errServerClosed when the server
// closes first, or nil when ctx is done. Only one publisher - a peer or a
// Publish call - may hold a name at a time.
func (s *Server) Publish(ctx context.Context, name string, src relay.Source) error {
	key := cleanKey(name)
	b := s.acquire(key)
	defer s.release(b)
	c, err := b.claim()
	if err != nil {
		return fmt.Errorf("rtmp: publish %s: %w", key, err)
	}
	defer c.release()
	rctx, cancel := s.within(ctx)
	defer cancel()
	err = src.Run(rctx, claimPublisher{c})
	switch {
	case ctx.Err() != nil:
		return nil
	case s.ctx.Err() != nil:
		return errServerClosed
	}
	return err
}

// claimPublisher feeds a claim from a relay.Source.
type claimPublisher struct{ c *claim }

func (p claimPublisher) Begin(t *media.Tracks)     { p.c.begin(t) }
func (p claimPublisher) WriteFrame(f *media.Frame) { p.c.write(f) }

// Source returns a relay.Source that reads whatever publishes name
// ("app/name") on this server. Its Run waits for a publisher, announces
// the publisher's tracks and relays its frames from the current GOP on; it
// fails when that publisher session ends, so a relay.Stream retries and
// picks up the next one.
func (s *Server) Source(name string) relay.Source {
	return relay.SourceFunc(func(ctx context.Context, out relay.Publisher) error {
		return s.readInto(ctx, cleanKey(name), out)
	})
}

func (s *Server) readInto(ctx context.Context, key string, out relay.Publisher) error {
	b := s.acquire(key)
	defer s.release(b)
	rctx, cancel := s.within(ctx)
	defer cancel()
	sess, q, err := b.subscribe(rctx, s.opts.PlayerQueue)
	if err == nil {
		defer b.unsubscribe(sess, q)
		out.Begin(sess.tracks)
		for {
			var f *media.Frame
			if f, err = q.next(rctx); err != nil {
				break
			}
			// The frame is shared with the other readers, and a
			// relay.Publisher may set fields of what it is handed.
			g := *f
			out.WriteFrame(&g)
		}
	}
	switch {
	case ctx.Err() != nil:
		return nil
	case s.ctx.Err() != nil:
		return errServerClosed
	}
	return fmt.Errorf("rtmp: %s: %w", key, err)
}
