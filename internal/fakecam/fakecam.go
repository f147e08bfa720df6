// Package fakecam is the test camera: MP4 files played in real time as
// looping live streams over RTSP (and RTMP), for any number of clients. It
// backs cmd/lubo-fakecam and the end-to-end tests.
package fakecam

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"sync"

	"github.com/lubo-edge/lubo/relay"
	"github.com/lubo-edge/lubo/relay/mp4file"
	"github.com/lubo-edge/lubo/relay/rtmp"
	"github.com/lubo-edge/lubo/relay/rtsp"
)

// Options configures a Camera.
type Options struct {
	// Files maps stream names to MP4 paths. Required.
	Files map[string]string
	// RTSP is the RTSP listen address. Default "127.0.0.1:0".
	RTSP string
	// RTMP is the RTMP listen address; "" serves no RTMP.
	RTMP string
	// User and Pass, when User is set, are required from RTSP clients.
	User, Pass string
	Logger     *slog.Logger
}

// Camera is a running fake camera. Close stops it and waits.
type Camera struct {
	rtspAddr net.Addr
	rtmpAddr net.Addr
	cancel   context.CancelFunc
	wg       sync.WaitGroup
	rtsp     *rtsp.Server

	errMu sync.Mutex
	err   error
}

// Start serves every file as rtsp://addr/{name} (and rtmp://addr/live/{name}).
func Start(opts Options) (*Camera, error) {
	if len(opts.Files) == 0 {
		return nil, fmt.Errorf("fakecam: no files to serve")
	}
	if opts.RTSP == "" {
		opts.RTSP = "127.0.0.1:0"
	}
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	log := opts.Logger
	ctx, cancel := context.WithCancel(context.Background())
	c := &Camera{cancel: cancel}

	// Each file is one always-on stream: all clients of a name share one
	// clock and one demuxed copy of the file.
	streams := map[string]*relay.Stream{}
	for name, path := range opts.Files {
		streams[name] = relay.NewStream(name, mp4file.NewSource(path, mp4file.WithLogger(log)), relay.StreamOptions{Logger: log})
	}
	c.rtsp = rtsp.NewServer(rtsp.ServerOptions{
		Lookup: func(id string) (*relay.Stream, bool) { s, ok := streams[id]; return s, ok },
		User:   opts.User, Pass: opts.Pass, Logger: log,
	})
	if err := c.rtsp.Listen(opts.RTSP); err != nil {
		cancel()
		return nil, fmt.Errorf("fakecam: rtsp: %w", err)
	}
	c.rtspAddr = c.rtsp.Addr()
	var rs *rtmp.Server
	if opts.RTMP != "" {
		rs = rtmp.NewServer(rtmp.ServerOptions{Logger: log})
		addr, err := rs.Listen(opts.RTMP)
		if err != nil {
			c.rtsp.Close()
			cancel()
			return nil, fmt.Errorf("fakecam: rtmp: %w", err)
		}
		c.rtmpAddr = addr
	}
	for _, s := range streams {
		c.goRun(func() error { return s.Run(ctx) })
	}
	c.goRun(func() error { return c.rtsp.Run(ctx) })
	if rs != nil {
		c.goRun(func() error { return rs.Run(ctx) })
		for name, path := range opts.Files {
			c.goRun(func() error { return rs.Publish(ctx, "live/"+name, mp4file.NewSource(path, mp4file.WithLogger(log))) })
		}
	}
	return c, nil
}

func (c *Camera) goRun(fn func() error) {
	c.wg.Add(1)
	go func() {
		defer c.wg.Done()
		if err := fn(); err != nil {
			c.errMu.Lock()
			if c.err == nil {
				c.err = err
			}
			c.errMu.Unlock()
		}
	}()
}

// RTSPAddr is the bound RTSP address.
func (c *Camera) RTSPAddr() net.Addr { return c.rtspAddr }

// RTMPAddr is the bound RTMP address, nil without RTMP.
func (c *Camera) RTMPAddr() net.Addr { return c.rtmpAddr }

// Err is the first error a part of the camera stopped with, if any.
func (c *Camera) Err() error {
	c.errMu.Lock()
	defer c.errMu.Unlock()
	return c.err
}

// Close stops serving and waits for every goroutine.
func (c *Camera) Close() {
	c.cancel()
	c.rtsp.Close()
	c.wg.Wait()
}
