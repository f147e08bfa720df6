package rtsp

import (
	"context"
	"log/slog"
	"net"
	"sync"
	"sync/atomic"
	"time"
)

// connGuard is the RTSP listener as gortsplib sees it. gortsplib clears the
// read deadline of a connection that has not started playing, so a peer
// that connects and says nothing would hold a descriptor and two
// goroutines for ever; the guard closes such a connection once it has been
// silent for idle, and refuses connections beyond max.
type connGuard struct {
	net.Listener
	max  int
	idle time.Duration
	log  *slog.Logger

	mu    sync.Mutex
	conns map[*guardedConn]struct{}

	refused    atomic.Uint64
	idleClosed atomic.Uint64
}

func newConnGuard(ln net.Listener, max int, idle time.Duration, log *slog.Logger) *connGuard {
	return &connGuard{Listener: ln, max: max, idle: idle, log: log, conns: map[*guardedConn]struct{}{}}
}

// Accept returns the next connection within the limit; those beyond it are
// closed at once.
func (g *connGuard) Accept() (net.Conn, error) {
	for {
		c, err := g.Listener.Accept()
		if err != nil {
			return nil, err
		}
		g.mu.Lock()
		if len(g.conns) >= g.max {
			g.mu.Unlock()
			c.Close()
			if g.refused.Add(1)%100 == 1 {
				g.log.Warn("rtsp: connection refused: too many connections", "max", g.max, "refused_total", g.refused.Load())
			}
			continue
		}
		gc := &guardedConn{Conn: c, g: g}
		gc.touch()
		g.conns[gc] = struct{}{}
		g.mu.Unlock()
		return gc, nil
	}
}

// open is the number of connections held.
func (g *connGuard) open() int {
	g.mu.Lock()
	defer g.mu.Unlock()
	return len(g.conns)
}

// sweep closes connections that stayed silent for idle without playing,
// until ctx ends.
func (g *connGuard) sweep(ctx context.Context) {
	t := time.NewTicker(max(g.idle/4, 10*time.Millisecond))
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case now := <-t.C:
			var stale []*guardedConn
			g.mu.Lock()
			for c := range g.conns {
				if !c.playing.Load() && now.Sub(time.Unix(0, c.lastRead.Load())) > g.idle {
					stale = append(stale, c)
				}
			}
			g.mu.Unlock()
			for _, c := range stale {
				g.idleClosed.Add(1)
				g.log.Info("rtsp: closing a connection that said nothing", "remote", c.RemoteAddr().String(), "idle", g.idle)
				c.Close()
			}
		}
	}
}

// guardedConn is one accepted connection.
type guardedConn struct {
	net.Conn
	g        *connGuard
	lastRead atomic.Int64 // unix ns
	playing  atomic.Bool  // a player: its silence is legitimate
	once     sync.Once
}

func (c *guardedConn) touch() { c.lastRead.Store(time.Now().UnixNano()) }

func (c *guardedConn) Read(p []byte) (int, error) {
	n, err := c.Conn.Read(p)
	if n > 0 {
		c.touch()
	}
	return n, err
}

func (c *guardedConn) Close() error {
	c.once.Do(func() {
		c.g.mu.Lock()
		delete(c.g.conns, c)
		c.g.mu.Unlock()
	})
	return c.Conn.Close()
}

// markPlaying exempts nc from the idle sweep once it plays.
func markPlaying(nc net.Conn) {
	if c, ok := nc.(*guardedConn); ok {
		c.playing.Store(true)
	}
}
