package api

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// A client that stops reading a big file is dropped after the write
// timeout; one that reads gets the whole file.
func TestWriteDeadlinesDropAStalledClient(t *testing.T) {
	path := filepath.Join(t.TempDir(), "big.mp4")
	const size = 64 << 20 // far more than the socket buffers hold
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := f.Truncate(size); err != nil {
		t.Fatal(err)
	}
	f.Close()
	ended := make(chan error, 2)
	h := WithWriteDeadlines(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		f, err := os.Open(path)
		if err != nil {
			t.Error(err)
			return
		}
		defer f.Close()
		st, _ := f.Stat()
		http.ServeContent(w, r, "big.mp4", st.ModTime(), f)
		ended <- r.Context().Err()
	}), 2*time.Second)
	srv := httptest.NewServer(h)
	defer srv.Close()

	// A reader that keeps reading gets every byte.
	resp, err := http.Get(srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	n, err := io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if err != nil || n != size {
		t.Fatalf("full read: %d bytes, %v; want %d", n, err, size)
	}
	<-ended

	// A client that sends a request and never reads.
	conn, err := net.Dial("tcp", strings.TrimPrefix(srv.URL, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	fmt.Fprintf(conn, "GET / HTTP/1.1\r\nHost: x\r\n\r\n")
	select {
	case <-ended: // the handler returned: the write deadline fired
	case <-time.After(30 * time.Second):
		t.Fatal("the handler is still writing to a client that stopped reading")
	}
	// The connection is closed by the server: reading drains what the
	// kernel had buffered, then ends.
	_ = conn.SetReadDeadline(time.Now().Add(30 * time.Second))
	if _, err := io.Copy(io.Discard, bufio.NewReader(conn)); err != nil {
		t.Fatalf("connection not closed by the server: %v", err)
	}
}
