package rtsp

import (
	"bufio"
	"context"
	"net"
)

// connReadBuffer is what one read from a camera's TCP connection may take.
// gortsplib reads through a 4 KiB buffer, which costs a system call per
// 4 KiB even when a whole frame is already waiting; a 64 KiB buffer under it
// takes a frame's worth of queued RTP in one call.
const connReadBuffer = 64 << 10

// bufferedConn reads its connection through a large buffer.
type bufferedConn struct {
	net.Conn
	r *bufio.Reader
}

func (c *bufferedConn) Read(p []byte) (int, error) { return c.r.Read(p) }

func dialBuffered(ctx context.Context, network, addr string) (net.Conn, error) {
	conn, err := (&net.Dialer{}).DialContext(ctx, network, addr)
	if err != nil {
		return nil, err
	}
	return &bufferedConn{Conn: conn, r: bufio.NewReaderSize(conn, connReadBuffer)}, nil
}
