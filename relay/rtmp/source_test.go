package rtmp

import (
	"context"
	"errors"
	"net"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/lubo-edge/lubo/internal/testkit"
)

// TestSourceFailures: a down server is an error, a cancelled context is
// not, and neither is a cancel while waiting for a publisher.
func TestSourceFailures(t *testing.T) {
	ctx := context.Background()

	t.Run("refused", func(t *testing.T) {
		addr := closedAddr(t)
		err := NewSource("rtmp://"+addr+"/live/cam").Run(ctx, testkit.NewCollector(nil, nil))
		if err == nil || !errors.Is(err, syscall.ECONNREFUSED) || !strings.HasPrefix(err.Error(), "rtmp: dial "+addr+": ") {
			t.Fatalf("Run against a closed port: %v", err)
		}
	})

	t.Run("cancelled before dial", func(t *testing.T) {
		cctx, cancel := context.WithCancel(ctx)
		cancel()
		if err := NewSource("rtmp://"+closedAddr(t)+"/live/cam").Run(cctx, testkit.NewCollector(nil, nil)); err != nil {
			t.Fatalf("Run with a cancelled context: %v, want nil", err)
		}
	})

	t.Run("cancelled while waiting for a publisher", func(t *testing.T) {
		_, addr := startServer(t)
		cctx, cancel := context.WithCancel(ctx)
		timer := time.AfterFunc(300*time.Millisecond, cancel)
		defer timer.Stop()
		col := testkit.NewCollector(nil, nil)
		if err := NewSource("rtmp://"+addr+"/live/nobody").Run(cctx, col); err != nil {
			t.Fatalf("Run cancelled while waiting: %v, want nil", err)
		}
		if len(gotTracks(col)) != 0 {
			t.Fatalf("tracks announced without a publisher: %v", gotTracks(col))
		}
	})

	t.Run("silent peer", func(t *testing.T) {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		var wg sync.WaitGroup
		defer wg.Wait()
		defer ln.Close()
		wg.Go(func() {
			conn, err := ln.Accept()
			if err != nil {
				return
			}
			defer conn.Close()
			buf := make([]byte, 4096)
			for { // take everything, answer nothing
				if _, err := conn.Read(buf); err != nil {
					return
				}
			}
		})
		src := &playSource{url: "rtmp://" + ln.Addr().String() + "/live/cam", silence: 300 * time.Millisecond}
		err = src.Run(ctx, testkit.NewCollector(nil, nil))
		if err == nil || !strings.Contains(err.Error(), "no data for 300ms") {
			t.Fatalf("Run against a silent peer: %v", err)
		}
	})

	t.Run("bad URL", func(t *testing.T) {
		for _, u := range []string{"rtsp://h/a/b", "rtmp:///a/b", "rtmp://h/onlyapp", "rtmp://u:p@h/a/b", "%"} {
			if err := NewSource(u).Run(ctx, testkit.NewCollector(nil, nil)); err == nil || !strings.HasPrefix(err.Error(), "rtmp: ") {
				t.Errorf("Run(%q): %v, want an rtmp: error", u, err)
			}
		}
	})
}

func TestParseURL(t *testing.T) {
	cases := []struct {
		in              string
		addr, app, name string
		key             string
	}{
		{"rtmp://127.0.0.1:1936/live/cam", "127.0.0.1:1936", "live", "cam", "live/cam"},
		{"rtmp://cam.local/live/cam?token=abc", "cam.local:1935", "live", "cam?token=abc", "live/cam"},
		{"RTMP://[::1]/app/a/b/", "[::1]:1935", "app", "a/b", "app/a/b"},
	}
	for _, c := range cases {
		tg, err := parseURL(c.in)
		if err != nil {
			t.Errorf("parseURL(%q): %v", c.in, err)
			continue
		}
		if tg.addr != c.addr || tg.app != c.app || tg.name != c.name {
			t.Errorf("parseURL(%q) = %+v", c.in, tg)
		}
		if k := streamKey(tg.app, tg.name); k != c.key {
			t.Errorf("streamKey of %q = %q, want %q", c.in, k, c.key)
		}
	}
}

func FuzzParseURL(f *testing.F) {
	for _, s := range []string{"rtmp://h/a/b", "rtmp://h:1/a/b?c=d", "rtmp://[::1]/a/b", "rtmp://h/a"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		tg, err := parseURL(s)
		if err != nil {
			return
		}
		// What gomedia's client splits must hold an app and a name.
		u := tg.gomediaURL()
		if tg.app == "" || tg.name == "" || strings.Count(u[len("rtmp://"):], "/") < 2 {
			t.Fatalf("parseURL(%q) = %+v gives %q", s, tg, u)
		}
	})
}
