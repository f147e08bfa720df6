package rtsp

import (
	"context"
	"net"
	"sync"
	"syscall"
)

// connReadBuffer is what one read from a camera's TCP connection may take.
// gortsplib reads through a 4 KiB buffer, which costs a system call per
// 4 KiB even when a whole frame is already waiting; a 64 KiB buffer under it
// takes a frame's worth of queued RTP in one call.
const connReadBuffer = 64 << 10

// readBuffers lends connReadBuffer buffers to connections that have data
// waiting. A connection holds one only until it has handed out what the
// read brought, so 48 idle-between-frames cameras share a few buffers
// instead of keeping 64 KiB each.
var readBuffers = sync.Pool{New: func() any { return new([connReadBuffer]byte) }}

// bufferedConn reads its connection in large pieces without keeping a large
// buffer while it waits: a read first takes what is already queued in the
// socket (a non-blocking system call into a borrowed buffer); only when
// nothing is queued does it block, reading straight into the caller's
// buffer.
type bufferedConn struct {
	net.Conn
	raw     syscall.RawConn
	buf     *[connReadBuffer]byte // borrowed while pending is not empty
	pending []byte
}

func (c *bufferedConn) Read(p []byte) (int, error) {
	if len(p) == 0 {
		return 0, nil
	}
	if len(c.pending) == 0 {
		if !c.fill() {
			return c.Conn.Read(p)
		}
	}
	n := copy(p, c.pending)
	c.pending = c.pending[n:]
	if len(c.pending) == 0 {
		c.release()
	}
	return n, nil
}

// fill takes what the socket has queued into a borrowed buffer without
// waiting; false when there was nothing (or an error, which the blocking
// read that follows reports).
func (c *bufferedConn) fill() bool {
	b := readBuffers.Get().(*[connReadBuffer]byte)
	n := 0
	err := c.raw.Read(func(fd uintptr) bool {
		n = readNow(fd, b[:])
		return true // never wait here: the caller's own read does
	})
	if err != nil || n <= 0 {
		readBuffers.Put(b)
		return false
	}
	c.buf, c.pending = b, b[:n]
	return true
}

func (c *bufferedConn) release() {
	if c.buf != nil {
		readBuffers.Put(c.buf)
		c.buf, c.pending = nil, nil
	}
}

func dialBuffered(ctx context.Context, network, addr string) (net.Conn, error) {
	conn, err := (&net.Dialer{}).DialContext(ctx, network, addr)
	if err != nil {
		return nil, err
	}
	return bufferConn(conn), nil
}

// bufferConn wraps conn when it can be read without blocking, else returns
// it as it is.
func bufferConn(conn net.Conn) net.Conn {
	sc, ok := conn.(syscall.Conn)
	if !ok || !canReadNow {
		return conn
	}
	raw, err := sc.SyscallConn()
	if err != nil {
		return conn
	}
	return &bufferedConn{Conn: conn, raw: raw}
}
