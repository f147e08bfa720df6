// Command lubo-fakecam is a test camera: it plays MP4 files in real time as
// looping live streams over RTSP (and RTMP), to any number of clients.
//
//	lubo-fakecam [-rtsp :8555] [-rtmp :1936] [-user U -pass P] name=file.mp4 ...
//
// Each name is served at rtsp://host:port/name and rtmp://host:port/live/name.
package main

import (
	"context"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"os/signal"
	"strings"
	"sync"
	"syscall"

	"github.com/lubo-edge/lubo/relay"
	"github.com/lubo-edge/lubo/relay/mp4file"
	"github.com/lubo-edge/lubo/relay/rtmp"
	"github.com/lubo-edge/lubo/relay/rtsp"
)

func main() {
	rtspAddr := flag.String("rtsp", "127.0.0.1:8555", "RTSP listen address")
	rtmpAddr := flag.String("rtmp", "", "RTMP listen address (empty: no RTMP)")
	user := flag.String("user", "", "require this user name from RTSP clients")
	pass := flag.String("pass", "", "password for -user")
	flag.Usage = func() {
		fmt.Fprintln(os.Stderr, "usage: lubo-fakecam [flags] name=file.mp4 ...")
		flag.PrintDefaults()
	}
	flag.Parse()
	log := slog.New(slog.NewTextHandler(os.Stderr, nil))
	if err := run(log, *rtspAddr, *rtmpAddr, *user, *pass, flag.Args()); err != nil {
		fmt.Fprintln(os.Stderr, "lubo-fakecam:", err)
		os.Exit(1)
	}
}

func run(log *slog.Logger, rtspAddr, rtmpAddr, user, pass string, args []string) error {
	if len(args) == 0 {
		return fmt.Errorf("no streams: give name=file.mp4 arguments")
	}
	files := map[string]string{}
	for _, a := range args {
		name, path, ok := strings.Cut(a, "=")
		if !ok || name == "" || path == "" {
			return fmt.Errorf("argument %q: want name=file.mp4", a)
		}
		if _, err := os.Stat(path); err != nil {
			return fmt.Errorf("stream %s: %w", name, err)
		}
		files[name] = path
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	// RTSP: each file is an always-on relay.Stream, so every client of a
	// name shares one clock and one demuxed copy of the file.
	streams := map[string]*relay.Stream{}
	for name, path := range files {
		streams[name] = relay.NewStream(name, mp4file.NewSource(path, mp4file.WithLogger(log)), relay.StreamOptions{Logger: log})
	}
	srv := rtsp.NewServer(rtsp.ServerOptions{
		Lookup: func(id string) (*relay.Stream, bool) { s, ok := streams[id]; return s, ok },
		User:   user, Pass: pass, Logger: log,
	})
	if err := srv.Listen(rtspAddr); err != nil {
		return err
	}
	var wg sync.WaitGroup
	goRun := func(fn func() error) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := fn(); err != nil && ctx.Err() == nil {
				log.Error("stopped", "err", err)
				stop()
			}
		}()
	}
	for _, s := range streams {
		goRun(func() error { return s.Run(ctx) })
	}
	goRun(func() error { return srv.Run(ctx) })
	for name := range files {
		log.Info("serving", "url", fmt.Sprintf("rtsp://%s/%s", srv.Addr(), name))
	}

	if rtmpAddr != "" {
		rs := rtmp.NewServer(rtmp.ServerOptions{Logger: log})
		addr, err := rs.Listen(rtmpAddr)
		if err != nil {
			stop()
			wg.Wait()
			return err
		}
		goRun(func() error { return rs.Run(ctx) })
		for name, path := range files {
			goRun(func() error { return rs.Publish(ctx, "live/"+name, mp4file.NewSource(path, mp4file.WithLogger(log))) })
			log.Info("serving", "url", fmt.Sprintf("rtmp://%s/live/%s", addr, name))
		}
	}
	<-ctx.Done()
	srv.Close()
	wg.Wait()
	return nil
}
