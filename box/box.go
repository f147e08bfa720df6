// Package box is the running lubo as a whole: it opens the store, starts
// the daemon (channels, recording, HTTP, RTSP) and the clouds it talks to
// (the 云录播 gather sync, cloud camera resolvers), and feeds the daemon
// the config file merged with what the clouds supply. The daemon never
// imports a cloud; this package is where they meet.
package box

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"path/filepath"
	"reflect"
	"sync"

	"github.com/lubo-edge/lubo/api"
	"github.com/lubo-edge/lubo/api/auth"
	"github.com/lubo-edge/lubo/api/boxapi"
	"github.com/lubo-edge/lubo/configs"
	"github.com/lubo-edge/lubo/daemon"
	"github.com/lubo-edge/lubo/recorder/snapshot"
	"github.com/lubo-edge/lubo/relay/sources"
	"github.com/lubo-edge/lubo/storage"
	"github.com/prometheus/client_golang/prometheus"
)

// Options configure Run.
type Options struct {
	// Config is the loaded config file. Required.
	Config *configs.Config
	// ConfigPath is watched for edits; "" (the demo) watches nothing.
	ConfigPath string
	Logger     *slog.Logger
	Version    string
	// Ready, when set, is called once the listeners are bound, with the
	// daemon (tests read its addresses).
	Ready func(*daemon.Daemon)
}

// Run serves until ctx ends.
func Run(ctx context.Context, opts Options) error {
	cfg, log := opts.Config, opts.Logger
	if log == nil {
		log = slog.Default()
	}
	db, err := storage.Open(filepath.Join(cfg.DataDir, "lubo.db"), storage.Options{Logger: log})
	if err != nil {
		return fmt.Errorf("data_dir %s: %w", cfg.DataDir, err)
	}
	defer db.Close()

	comp := newComposer(cfg, log)
	clouds := &cloudSet{}
	reg := sources.Builtin()
	if err := addResolvers(reg, cfg.Cloud, log); err != nil {
		log.Error("cloud cameras cannot be resolved", "err", err)
	}
	gsync := startGather(cfg.Cloud.Yunlubo, db, log, comp, clouds)

	handlers := map[string]http.Handler{"GET /api/cloud/resolve": resolveHandler(reg)}
	var apiHandler *boxapi.Handler
	var view *boxView
	if cfg.API != nil {
		var err error
		if apiHandler, view, err = newBoxAPI(cfg, db, comp, gsync, opts.Version, log); err != nil {
			return err
		}
		// Method patterns: the dashboard owns "GET /", and a bare "/api/v1/"
		// would clash with it. The play page ends its lease with a POST beacon.
		for _, p := range []string{"GET /api/v1/", "GET /play/", "POST /play/"} {
			handlers[p] = apiHandler
		}
	}
	onenetClient, onenetReg := newOneNET(cfg, db, clouds, log)
	ups, err := newUploads(cfg, db, onenetClient, onenetReg, log)
	if err != nil {
		log.Error("uploads are off", "err", err)
	}
	var onSnap func(snapshot.Taken)
	var onCover func(string)
	var collectors []prometheus.Collector
	if ups != nil {
		onSnap, onCover = ups.snapshot, ups.cover
		collectors = append(collectors, newOutboxCollector(ups.q, ups.dropped.Load))
		clouds.add(ups.status)
		ups.handlers(handlers)
	}
	// --- dashboard (api/dashboard; box/dashboard.go): the page at / and
	// /api/dash/, its channels and courses as the "dashboard" overlay.
	ready, err := startDashboard(cfg, db, comp, reg, opts.Version, log, handlers, opts.Ready)
	if err != nil {
		return err
	}
	opts.Ready = ready
	// --- end dashboard

	var watcher *configs.Watcher
	var fileStatus func() configs.FileStatus
	if opts.ConfigPath != "" {
		watcher = configs.NewWatcher(opts.ConfigPath, log)
		fileStatus = watcher.Status
	}
	// With auth on, the guard keeps data_dir/cli.token: the lubo CLI verbs
	// (record, push, outbox) run on the box send it as admin.
	guard, err := auth.New(auth.Options{Config: cfg.Auth, DB: db, Logger: log, Secure: cfg.HTTP.TLS != nil,
		CLITokenPath: filepath.Join(cfg.DataDir, auth.CLITokenFile)})
	if err != nil {
		return fmt.Errorf("auth: %w", err)
	}
	if cfg.Auth == nil {
		log.Warn("sign-in is off: anyone who reaches this box can watch, record and change it; add auth: to the config (see lubo passwd)")
	}
	d, err := daemon.New(comp.current(), daemon.Options{
		Logger: log, DB: db, Sources: reg, Clouds: clouds.statuses, ConfigFile: fileStatus,
		Handlers: handlers, OnSnapshot: onSnap, OnCover: onCover, Collectors: collectors, WrapHTTP: guard.Wrap,
	})
	if err == nil {
		err = d.Listen()
	}
	if err != nil {
		return err
	}
	if view != nil {
		view.d.Store(d)
	}
	if opts.Ready != nil {
		opts.Ready(d)
	}

	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var wg sync.WaitGroup
	defer wg.Wait()
	if w := watcher; w != nil {
		wg.Add(2)
		go func() {
			defer wg.Done()
			if err := w.Run(ctx); err != nil {
				log.Error("config watcher stopped; edits are no longer applied", "err", err)
			}
		}()
		go func() {
			defer wg.Done()
			for {
				select {
				case <-ctx.Done():
					return
				case next := <-w.Updates():
					warnRestartOnly(log, cfg, next)
					comp.setBase(next)
				}
			}
		}()
	}
	if gsync != nil {
		wg.Add(1)
		go func() { defer wg.Done(); _ = gsync.Run(ctx, comp.setOverlay) }()
	}
	if apiHandler != nil {
		wg.Add(1)
		go func() { defer wg.Done(); _ = apiHandler.Run(ctx) }()
	}
	runOneNET(ctx, &wg, onenetReg, comp)
	if ups != nil {
		ups.run(ctx, &wg)
	}
	err = d.Run(ctx, comp.out)
	if ups != nil {
		ups.finish() // after the daemon: a cover made while it stopped is still queued
	}
	return err
}

// warnRestartOnly logs edits the running box does not take up.
func warnRestartOnly(log *slog.Logger, running, next *configs.Config) {
	// DeepEqual, not the printed form: secrets print as ****** and TLS is
	// a pointer, so printing would miss a new password and flag every
	// reload with TLS on.
	if !reflect.DeepEqual(running.Cloud, next.Cloud) || (running.API == nil) != (next.API == nil) {
		log.Warn("config reload: cloud and api settings change only on restart; keeping the old ones")
	}
	if !reflect.DeepEqual(running.Auth, next.Auth) || !reflect.DeepEqual(running.HTTP, next.HTTP) {
		log.Warn("config reload: auth and http settings change only on restart; keeping the old ones")
	}
}

// cloudSet collects the status functions of the running clouds.
type cloudSet struct {
	mu  sync.Mutex
	fns []func() api.CloudStatus
}

func (c *cloudSet) add(fn func() api.CloudStatus) {
	c.mu.Lock()
	c.fns = append(c.fns, fn)
	c.mu.Unlock()
}

func (c *cloudSet) statuses() []api.CloudStatus {
	c.mu.Lock()
	defer c.mu.Unlock()
	out := make([]api.CloudStatus, 0, len(c.fns))
	for _, fn := range c.fns {
		out = append(out, fn())
	}
	return out
}
