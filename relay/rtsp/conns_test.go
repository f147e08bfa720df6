package rtsp

import (
	"bufio"
	"fmt"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/lubo-edge/lubo/internal/testkit"
	"github.com/lubo-edge/lubo/relay"
)

// Peers that connect and say nothing are closed after the idle timeout,
// those beyond the connection cap are refused, and afterwards goroutines
// and descriptors are back where they were, while a well-behaved client is
// still answered.
func TestIdleAndExcessConnectionsAreClosed(t *testing.T) {
	base := testkit.Measure(t)
	srv := startServer(t, ServerOptions{MaxConns: 50, IdleTimeout: 300 * time.Millisecond, UDPRTPPort: -1}, map[string]*relay.Stream{})
	const peers = 80
	var conns []net.Conn
	for range peers {
		c, err := net.Dial("tcp", srv.Addr().String())
		if err != nil {
			t.Fatal(err)
		}
		conns = append(conns, c)
	}
	defer func() {
		for _, c := range conns {
			c.Close()
		}
	}()
	testkit.WaitFor(t, "30 connections refused", func() bool { return srv.ConnStats().Refused == peers-50 })
	testkit.WaitFor(t, "the silent ones closed", func() bool {
		st := srv.ConnStats()
		return st.Open == 0 && st.IdleClosed == 50
	})
	// Every peer sees its connection end: refused ones at once, idle ones
	// at the timeout.
	for i, c := range conns {
		_ = c.SetReadDeadline(time.Now().Add(10 * time.Second))
		if _, err := c.Read(make([]byte, 1)); err == nil || isTimeout(err) {
			t.Fatalf("peer %d: connection still open (%v)", i, err)
		}
	}
	// A client that speaks is served.
	c, err := net.Dial("tcp", srv.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	fmt.Fprintf(c, "OPTIONS rtsp://%s/x RTSP/1.0\r\nCSeq: 1\r\n\r\n", srv.Addr())
	line, err := bufio.NewReader(c).ReadString('\n')
	if err != nil || !strings.HasPrefix(line, "RTSP/1.0 200") {
		t.Fatalf("OPTIONS answered %q, %v", line, err)
	}
	c.Close()
	for _, c := range conns {
		c.Close()
	}
	// The server's own listener and sweeper stay; all else goes.
	base.WaitBack(t, 6)
}

func isTimeout(err error) bool {
	ne, ok := err.(net.Error)
	return ok && ne.Timeout()
}
