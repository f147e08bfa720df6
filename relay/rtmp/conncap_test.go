package rtmp

import (
	"io"
	"net"
	"testing"
	"time"
)

// A connection over MaxConns is closed on arrival and counted; once one
// held connection goes, a new one is served again.
func TestServerCapsConnections(t *testing.T) {
	s, addr := startServerWith(t, ServerOptions{MaxConns: 3})
	var held []net.Conn
	for range 3 {
		c, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		held = append(held, c)
	}
	waitFor(t, "three connections held", func() bool { return s.Conns().Open == 3 })

	extra, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer extra.Close()
	_ = extra.SetReadDeadline(time.Now().Add(30 * time.Second)) // a bound on a hung test, not a timing assertion
	if _, err := extra.Read(make([]byte, 1)); err != io.EOF {
		t.Fatalf("the connection over the cap: read %v, want EOF (closed on arrival)", err)
	}
	if st := s.Conns(); st.Refused != 1 || st.Open != 3 {
		t.Fatalf("conns %+v, want 3 open and 1 refused", st)
	}

	held[0].Close()
	waitFor(t, "the closed connection to be let go", func() bool { return s.Conns().Open == 2 })
	again, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer again.Close()
	waitFor(t, "the new connection held", func() bool { return s.Conns().Open == 3 })
	if s.Conns().Refused != 1 {
		t.Fatalf("a connection under the cap was refused: %+v", s.Conns())
	}
}
