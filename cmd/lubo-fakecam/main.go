// Command lubo-fakecam is a test camera: it plays MP4 files in real time as
// looping live streams over RTSP (and RTMP), to any number of clients.
//
//	lubo-fakecam [-rtsp 127.0.0.1:8555] [-rtmp 127.0.0.1:1936] [-user U -pass P] name=file.mp4 ...
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
	"syscall"

	"github.com/lubo-edge/lubo/internal/fakecam"
)

func main() {
	opts := fakecam.Options{Files: map[string]string{}}
	flag.StringVar(&opts.RTSP, "rtsp", "127.0.0.1:8555", "RTSP listen address")
	flag.StringVar(&opts.RTMP, "rtmp", "", "RTMP listen address (empty: no RTMP)")
	flag.StringVar(&opts.User, "user", "", "require this user name from RTSP clients")
	flag.StringVar(&opts.Pass, "pass", "", "password for -user")
	flag.Usage = func() {
		fmt.Fprintln(os.Stderr, "usage: lubo-fakecam [flags] name=file.mp4 ...")
		flag.PrintDefaults()
	}
	flag.Parse()
	opts.Logger = slog.New(slog.NewTextHandler(os.Stderr, nil))
	if err := run(opts, flag.Args()); err != nil {
		fmt.Fprintln(os.Stderr, "lubo-fakecam:", err)
		os.Exit(1)
	}
}

func run(opts fakecam.Options, args []string) error {
	if len(args) == 0 {
		return fmt.Errorf("no streams: give name=file.mp4 arguments")
	}
	for _, a := range args {
		name, path, ok := strings.Cut(a, "=")
		if !ok || name == "" || path == "" {
			return fmt.Errorf("argument %q: want name=file.mp4", a)
		}
		if _, err := os.Stat(path); err != nil {
			return fmt.Errorf("stream %s: %w", name, err)
		}
		opts.Files[name] = path
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	cam, err := fakecam.Start(opts)
	if err != nil {
		return err
	}
	for name := range opts.Files {
		opts.Logger.Info("serving", "url", fmt.Sprintf("rtsp://%s/%s", cam.RTSPAddr(), name))
		if a := cam.RTMPAddr(); a != nil {
			opts.Logger.Info("serving", "url", fmt.Sprintf("rtmp://%s/live/%s", a, name))
		}
	}
	<-ctx.Done()
	cam.Close()
	return cam.Err()
}
