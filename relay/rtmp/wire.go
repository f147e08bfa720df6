package rtmp

import (
	"context"
	"encoding/binary"
	"fmt"
	"net"
	"time"
)

// Network limits shared by the play source, the pusher and the server.
const (
	dialTimeout  = 10 * time.Second
	readTimeout  = 10 * time.Second
	writeTimeout = 10 * time.Second
	readBufSize  = 64 << 10
)

// wire hands gomedia's output to the peer. Each write has a deadline so a
// peer that stops reading cannot hold a goroutine forever.
type wire struct {
	conn    net.Conn
	timeout time.Duration
}

func (w wire) write(b []byte) error {
	if err := w.conn.SetWriteDeadline(time.Now().Add(w.timeout)); err != nil {
		return err
	}
	_, err := w.conn.Write(b)
	return err
}

// dial opens a TCP connection within dialTimeout.
func dial(ctx context.Context, addr string) (net.Conn, error) {
	d := net.Dialer{Timeout: dialTimeout}
	conn, err := d.DialContext(ctx, "tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("rtmp: dial %s: %w", addr, err)
	}
	return conn, nil
}

// guard runs a call into gomedia and turns a panic into an error: gomedia
// indexes peer data without bounds checks and panics on codecs and events it
// does not know, and one bad peer must never take the process down.
func guard(fn func() error) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("malformed or unsupported data from peer: %v", r)
		}
	}()
	return fn()
}

// Acknowledgement pacing. gomedia never acknowledges received bytes; servers
// such as nginx-rtmp and some cameras stall or drop a peer that stays silent,
// so lubo sends the Acknowledgement messages itself.
const (
	ackBytes    = 256 << 10
	ackInterval = 5 * time.Second
)

// acker counts received bytes and says when to acknowledge them.
type acker struct {
	total   uint32 // wraps, as the protocol's sequence number does
	unacked int
	last    time.Time
}

// received records n bytes and returns an Acknowledgement chunk to send,
// or nil when none is due yet.
func (a *acker) received(n int, now time.Time) []byte {
	a.total += uint32(n)
	a.unacked += n
	if a.last.IsZero() {
		a.last = now
	}
	if a.unacked < ackBytes && now.Sub(a.last) < ackInterval {
		return nil
	}
	a.unacked = 0
	a.last = now
	return ackChunk(a.total)
}

// ackChunk is a complete Acknowledgement message in one type-0 chunk on the
// protocol control chunk stream (2): a full header, so it does not depend on
// what gomedia last wrote there.
func ackChunk(seq uint32) []byte {
	return chunk(2, 3, 0, binary.BigEndian.AppendUint32(nil, seq))
}
