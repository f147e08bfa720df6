package rtsp

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"sync"
	"time"

	"github.com/bluenviron/gortsplib/v4"
	"github.com/bluenviron/gortsplib/v4/pkg/auth"

	"github.com/lubo-edge/lubo/relay"
)

// ServerOptions configures the RTSP re-serve. Zero values mean the defaults.
type ServerOptions struct {
	// Lookup finds the stream of a channel id, the path of
	// rtsp://host:port/{id}. Unknown ids are answered 404. Required.
	Lookup func(id string) (*relay.Stream, bool)
	// User and Pass, when User is set, are required from every player,
	// with basic or digest authentication. Default: no authentication.
	User string
	Pass string
	// UDPRTPPort is the server's RTP port for players that ask for UDP;
	// RTCP uses the next port, so it must be even. 0 picks a free pair,
	// -1 serves TCP (interleaved) only. Default 0.
	UDPRTPPort int
	// DescribeTimeout bounds the wait for a channel's first frame when a
	// player asks for a channel nobody was watching. Default 10s.
	DescribeTimeout time.Duration
	// MaxConns caps the connections held at once; more are closed as they
	// arrive. Default 256.
	MaxConns int
	// IdleTimeout closes a connection that has not started playing and
	// has said nothing for this long. Default 30s.
	IdleTimeout time.Duration
	// Logger receives the server's log lines. Default slog.Default().
	Logger *slog.Logger
}

// Server serves relay.Streams to RTSP players.
//
// Every player is served like an HTTP-FLV viewer: from DESCRIBE (or its
// first SETUP) to the end of its session it has its own relay.Reader, its
// own packetizers and its own gortsplib.ServerStream, of which its session
// is the only reader. So a player that cannot keep up loses whole frames up
// to the next keyframe (counted in the stream's Dropped) and never a single
// packet (see sendBudget), and a newcomer starts from the cached GOP: its
// first picture comes at once. The readers go when the players go, so an
// on-demand source can stop.
//
// Why not one shared ServerStream with only laggards moved off it: a
// gortsplib session is bound for life to the stream returned at SETUP, so a
// lagging one cannot be moved, and on a shared stream gortsplib drops
// single packets, the defect this design removes. The price, measured by
// BenchmarkServerPlayers (its comment has the table): a player costs about
// 16-19 µs of CPU and 16 allocations per frame where the shared stream
// cost 8-10 µs and 3-4 at 10-50 players; 0.4 ms a second per player at
// 25 fps.
type Server struct {
	opts  ServerOptions
	log   *slog.Logger
	limit *logLimit // repeated per-frame complaints

	ctx    context.Context // ends at Close; bounds the DESCRIBE waits
	cancel context.CancelFunc
	wg     sync.WaitGroup // pumps, the idle sweep

	authMethods []auth.VerifyMethod // tests only: restrict what players may use

	rs        *gortsplib.Server // nil before Listen
	ln        *connGuard
	closeOnce sync.Once

	mu        sync.Mutex
	closed    bool
	described map[*gortsplib.ServerConn]*player    // described, not set up yet
	sessions  map[*gortsplib.ServerSession]*player // set up
	playing   map[*gortsplib.ServerConn]*player    // PLAY being answered
}

// NewServer makes a server; it listens once Listen is called.
func NewServer(opts ServerOptions) *Server {
	if opts.DescribeTimeout <= 0 {
		opts.DescribeTimeout = 10 * time.Second
	}
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	if opts.MaxConns <= 0 {
		opts.MaxConns = 256
	}
	if opts.IdleTimeout <= 0 {
		opts.IdleTimeout = 30 * time.Second
	}
	if opts.Lookup == nil {
		opts.Lookup = func(string) (*relay.Stream, bool) { return nil, false }
	}
	ctx, cancel := context.WithCancel(context.Background())
	return &Server{
		opts:      opts,
		log:       opts.Logger,
		limit:     newLogLimit(10 * time.Second),
		ctx:       ctx,
		cancel:    cancel,
		described: make(map[*gortsplib.ServerConn]*player),
		sessions:  make(map[*gortsplib.ServerSession]*player),
		playing:   make(map[*gortsplib.ServerConn]*player),
	}
}

// Listen opens the RTSP port on addr (e.g. ":8554", "127.0.0.1:0") and the
// UDP pair, and starts answering players.
func (s *Server) Listen(addr string) error {
	if s.rs != nil {
		return errors.New("rtsp server: already listening")
	}
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return fmt.Errorf("rtsp server: listen address %q: %w", addr, err)
	}
	raw, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("rtsp server: %w", err)
	}
	ln := newConnGuard(raw, s.opts.MaxConns, s.opts.IdleTimeout, s.log)
	rs := &gortsplib.Server{
		Handler:     &serverHandler{s},
		RTSPAddress: ln.Addr().String(),
		// Players' pumps keep their queues below sendBudget.
		WriteQueueSize: writeQueueSize,
		Listen:         func(string, string) (net.Listener, error) { return ln, nil },
		AuthMethods:    s.authMethods,
	}
	var udp []*net.UDPConn
	if s.opts.UDPRTPPort >= 0 {
		rtpConn, rtcpConn, err := listenUDPPair(host, s.opts.UDPRTPPort)
		if err != nil {
			ln.Close()
			return fmt.Errorf("rtsp server: UDP: %w", err)
		}
		udp = []*net.UDPConn{rtpConn, rtcpConn}
		rs.UDPRTPAddress = rtpConn.LocalAddr().String()
		rs.UDPRTCPAddress = rtcpConn.LocalAddr().String()
		rs.ListenPacket = func(network, address string) (net.PacketConn, error) {
			for _, c := range udp {
				if c.LocalAddr().String() == address {
					return c, nil
				}
			}
			return net.ListenPacket(network, address)
		}
	}
	// Set before Start: players may arrive before Start returns.
	s.rs, s.ln = rs, ln
	if err := rs.Start(); err != nil {
		s.rs, s.ln = nil, nil
		ln.Close()
		for _, c := range udp {
			c.Close()
		}
		return fmt.Errorf("rtsp server: %w", err)
	}
	s.wg.Add(1)
	go func() { defer s.wg.Done(); ln.sweep(s.ctx) }()
	s.log.Info("rtsp server listening", "addr", ln.Addr().String(), "udp_rtp", rs.UDPRTPAddress, "auth", s.opts.User != "")
	return nil
}

// Addr is the RTSP address the server listens on; nil before Listen.
func (s *Server) Addr() net.Addr {
	if s.ln == nil {
		return nil
	}
	return s.ln.Addr()
}

// Run serves until ctx ends (then it closes the server and returns nil) or
// the server fails.
func (s *Server) Run(ctx context.Context) error {
	if s.rs == nil {
		return errors.New("rtsp server: Run before Listen")
	}
	done := make(chan error, 1)
	go func() { done <- s.rs.Wait() }()
	select {
	case <-ctx.Done():
		s.Close()
		<-done
		return nil
	case err := <-done:
		s.mu.Lock()
		byClose := s.closed
		s.mu.Unlock()
		s.Close()
		if byClose {
			return nil
		}
		return fmt.Errorf("rtsp server: %w", err)
	}
}

// Close disconnects every player, detaches every reader and waits for the
// server's goroutines. Safe to call more than once.
func (s *Server) Close() {
	s.closeOnce.Do(func() {
		s.mu.Lock()
		s.closed = true
		s.mu.Unlock()
		s.cancel() // release handlers waiting for a first frame
		if s.rs != nil {
			s.rs.Close() // runs OnSessionClose and OnConnClose, which take mu
		}
		s.mu.Lock()
		s.releaseAllLocked()
		s.mu.Unlock()
		s.wg.Wait()
	})
}

// ConnStats are the server's connection counters, for metrics.
type ConnStats struct {
	Open       int    // connections held now
	Refused    uint64 // closed on arrival: over MaxConns
	IdleClosed uint64 // closed for saying nothing before playing
}

// ConnStats reads the connection counters; zero before Listen.
func (s *Server) ConnStats() ConnStats {
	if s.ln == nil {
		return ConnStats{}
	}
	return ConnStats{Open: s.ln.open(), Refused: s.ln.refused.Load(), IdleClosed: s.ln.idleClosed.Load()}
}
