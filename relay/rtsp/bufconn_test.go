package rtsp

import (
	"bufio"
	"bytes"
	"errors"
	"io"
	"math/rand/v2"
	"net"
	"os"
	"testing"
	"time"
)

// tcpPair returns both ends of a loopback TCP connection, the reading end
// wrapped as a camera connection is.
func tcpPair(t *testing.T) (*bufferedConn, net.Conn) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	accepted := make(chan net.Conn, 1)
	go func() {
		c, _ := ln.Accept()
		accepted <- c
	}()
	c, err := dialBuffered(t.Context(), "tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	peer := <-accepted
	if peer == nil {
		t.Fatal("accept failed")
	}
	t.Cleanup(func() { c.Close(); peer.Close() })
	bc, ok := c.(*bufferedConn)
	if !ok {
		t.Fatalf("dialBuffered returned %T, want *bufferedConn", c)
	}
	return bc, peer
}

// Bytes come through whole and in order whatever the pieces they are written
// and read in, and between bursts the connection holds no borrowed buffer.
func TestBufferedConnPassesBytesAndHoldsNoBufferWhenDrained(t *testing.T) {
	c, peer := tcpPair(t)
	rng := rand.New(rand.NewPCG(1, 2))
	want := make([]byte, 3<<20)
	for i := range want {
		want[i] = byte(rng.Uint32())
	}
	wrng := rand.New(rand.NewPCG(3, 4))
	go func() {
		for rest := want; len(rest) > 0; {
			n := min(len(rest), 1+wrng.IntN(200_000))
			if _, err := peer.Write(rest[:n]); err != nil {
				return
			}
			rest = rest[n:]
		}
	}()
	br := bufio.NewReaderSize(c, 4096) // as gortsplib reads
	got := make([]byte, len(want))
	for off := 0; off < len(got); {
		n, err := br.Read(got[off:min(len(got), off+1+rng.IntN(70_000))])
		if err != nil {
			t.Fatalf("after %d bytes: %v", off, err)
		}
		off += n
	}
	if !bytes.Equal(got, want) {
		t.Fatal("bytes differ from what was written")
	}
	if br.Buffered() == 0 && (c.buf != nil || len(c.pending) != 0) {
		t.Fatalf("drained connection still holds a buffer (%d bytes pending)", len(c.pending))
	}
}

// A read deadline and the peer closing are reported as the plain
// connection reports them.
func TestBufferedConnReportsDeadlineAndEOF(t *testing.T) {
	c, peer := tcpPair(t)
	if err := c.SetReadDeadline(time.Now().Add(20 * time.Millisecond)); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Read(make([]byte, 10)); !errors.Is(err, os.ErrDeadlineExceeded) {
		t.Fatalf("read past the deadline: %v, want a deadline error", err)
	}
	c.SetReadDeadline(time.Time{})
	peer.Write([]byte("last words"))
	peer.Close()
	got, err := io.ReadAll(c)
	if err != nil || string(got) != "last words" {
		t.Fatalf("read %q, %v; want the last words then EOF", got, err)
	}
	if c.buf != nil {
		t.Fatal("closed connection still holds a buffer")
	}
}
