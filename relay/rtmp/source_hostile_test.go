package rtmp

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/lubo-edge/lubo/internal/testkit"
)

// hostileServer accepts RTMP clients, does the server's side of the
// handshake and then runs attack on each connection. It reads and drops
// whatever the client sends.
func hostileServer(t *testing.T, attack func(conn net.Conn)) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	t.Cleanup(func() {
		ln.Close()
		wg.Wait()
	})
	wg.Go(func() {
		for {
			conn, err := ln.Accept()
			if err != nil {
				return
			}
			wg.Go(func() {
				defer conn.Close()
				if _, err := io.ReadFull(conn, make([]byte, 1+1536)); err != nil {
					return
				}
				s0s1s2 := make([]byte, handshakeSize)
				s0s1s2[0] = 3
				if _, err := conn.Write(s0s1s2); err != nil {
					return
				}
				wg.Go(func() { _, _ = io.Copy(io.Discard, conn) })
				attack(conn)
			})
		}
	})
	return ln.Addr().String()
}

// noLeaks checks, when the test ends (after the cleanups registered after
// it), that its goroutines and open files are gone.
func noLeaks(t *testing.T) {
	baseG, baseFD := runtime.NumGoroutine(), openFDs(t)
	t.Cleanup(func() {
		waitFor(t, "goroutines back to the baseline", func() bool { return runtime.NumGoroutine() <= baseG })
		waitFor(t, "open files back to the baseline", func() bool { return openFDs(t) <= baseFD })
	})
}

// runSource runs a play source of url until it returns, failing the test if that takes
// longer than waitLimit.
func runSource(t *testing.T, ctx context.Context, url string) error {
	t.Helper()
	src := &playSource{url: url, silence: hostileTimeout}
	done := make(chan error, 1)
	go func() { done <- src.Run(ctx, testkit.NewCollector(nil, nil)) }()
	limit := time.NewTimer(waitLimit)
	defer limit.Stop()
	select {
	case err := <-done:
		return err
	case <-limit.C:
		t.Fatalf("Run against a hostile server did not return")
		return nil
	}
}

// writeForever writes b over and over until the connection fails.
func writeForever(conn net.Conn, b []byte) {
	for {
		_ = conn.SetWriteDeadline(time.Now().Add(waitLimit))
		if _, err := conn.Write(b); err != nil {
			return
		}
	}
}

func TestPlaySourceAgainstHostileServers(t *testing.T) {
	zeroFlood := bytes.Repeat([]byte{0xC4}, 4<<10)
	cases := []struct {
		name   string
		attack func(conn net.Conn)
		want   string // in the error
		proto  bool   // an ErrProtocol
	}{
		{"set chunk size 0", func(conn net.Conn) {
			_, _ = conn.Write(append(setChunkSize(0), message(4, 0, msgAudio, 1, audio, 128, false)...))
			writeForever(conn, zeroFlood)
		}, "chunk size 0", true},
		{"huge declared message", func(conn net.Conn) {
			_, _ = conn.Write(chunks(rawChunk{fmt: 0, csid: 6, length: 0xFFFFFF, typ: msgVideo, streamID: 1}))
			writeForever(conn, make([]byte, 64<<10))
		}, "declares 16777215 bytes", true},
		{"endless zero-length messages", func(conn net.Conn) {
			_, _ = conn.Write(chunks(rawChunk{fmt: 0, csid: 4, length: 0, typ: msgDataAMF0, streamID: 1}))
			writeForever(conn, zeroFlood)
		}, "no audio or video for", false},
		{"message trickled and never finished", func(conn net.Conn) {
			_, _ = conn.Write(chunks(rawChunk{fmt: 0, csid: 6, length: 1000, typ: msgVideo, streamID: 1}))
			tick := time.NewTicker(50 * time.Millisecond)
			defer tick.Stop()
			for range tick.C {
				if _, err := conn.Write([]byte{1}); err != nil {
					return
				}
			}
		}, "", false},
		{"silent after the handshake", func(conn net.Conn) {
			_, _ = io.Copy(io.Discard, conn)
		}, "no audio or video for", false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			noLeaks(t)
			addr := hostileServer(t, tc.attack)
			err := runSource(t, context.Background(), "rtmp://"+addr+"/live/cam")
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("Run: %v, want an error with %q", err, tc.want)
			}
			if tc.proto && !errors.Is(err, ErrProtocol) {
				t.Errorf("Run: %v is not an ErrProtocol", err)
			}
		})
	}

	t.Run("cancel mid-attack", func(t *testing.T) {
		noLeaks(t)
		flooding := make(chan struct{})
		var once sync.Once
		addr := hostileServer(t, func(conn net.Conn) {
			_, _ = conn.Write(chunks(rawChunk{fmt: 0, csid: 4, length: 0, typ: msgDataAMF0, streamID: 1}))
			for i := 0; ; i++ {
				_ = conn.SetWriteDeadline(time.Now().Add(waitLimit))
				if _, err := conn.Write(zeroFlood); err != nil {
					return
				}
				if i == 256 { // 1 MiB in
					once.Do(func() { close(flooding) })
				}
			}
		})
		ctx, cancel := context.WithCancel(context.Background())
		go func() {
			<-flooding
			cancel()
		}()
		if err := runSource(t, ctx, "rtmp://"+addr+"/live/cam"); err != nil {
			t.Fatalf("Run after cancel: %v, want nil", err)
		}
		select {
		case <-flooding:
		default:
			t.Fatal("Run returned before the attack")
		}
	})
}

func TestPushAgainstHostileServers(t *testing.T) {
	tracks, _ := framesFromFLV(t, clipPath(t, "aac"))
	for _, tc := range []struct {
		name string
		send []byte
		want string
	}{
		{"set chunk size 0", setChunkSize(0), "chunk size 0"},
		{"huge declared message", chunks(rawChunk{fmt: 0, csid: 3, length: 1 << 20, typ: 20}), "declares 1048576 bytes"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			addr := hostileServer(t, func(conn net.Conn) {
				_, _ = conn.Write(tc.send)
				writeForever(conn, make([]byte, 64<<10))
			})
			ctx, cancel := context.WithTimeout(context.Background(), waitLimit)
			defer cancel()
			p, err := DialPush(ctx, "rtmp://"+addr+"/live/up", tracks)
			if err == nil {
				p.Close()
				t.Fatal("DialPush succeeded against a hostile server")
			}
			if !errors.Is(err, ErrProtocol) || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("DialPush: %v, want an ErrProtocol with %q", err, tc.want)
			}
		})
	}
}
