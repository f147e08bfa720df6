package box

import (
	"log/slog"
	"net/http"
	"sync/atomic"

	"github.com/lubo-edge/lubo/api"
	"github.com/lubo-edge/lubo/api/auth"
	"github.com/lubo-edge/lubo/api/dashboard"
	"github.com/lubo-edge/lubo/configs"
	"github.com/lubo-edge/lubo/daemon"
	"github.com/lubo-edge/lubo/relay/push"
	"github.com/lubo-edge/lubo/relay/sources"
	"github.com/lubo-edge/lubo/storage"
)

// dashWiring joins the dashboard to the running box: its channels and
// courses are the "dashboard" overlay of the composer, and its handler is
// mounted beside the rest of the HTTP surface.
type dashWiring struct {
	d atomic.Pointer[daemon.Daemon]
}

// startDashboard reads the dashboard's overlay into the composer, mounts
// the page and its API into handlers, and returns the Ready hook that
// hands it the daemon once it runs (wrapping next, the caller's hook).
func startDashboard(cfg *configs.Config, db *storage.DB, comp *composer, reg *sources.Registry, version string,
	log *slog.Logger, handlers map[string]http.Handler, next func(*daemon.Daemon)) (func(*daemon.Daemon), error) {
	o, err := dashboard.Overlay(db)
	if err != nil {
		return nil, err
	}
	comp.setInitial(o)
	wi := &dashWiring{}
	h, err := dashboard.New(dashboard.Options{
		Box: func() api.Box {
			if d := wi.d.Load(); d != nil {
				return d
			}
			return nil
		},
		Config: comp.latest,
		DB:     db,
		Changed: func() {
			o, err := dashboard.Overlay(db)
			if err != nil {
				log.Error("reading the dashboard's channels and courses", "err", err)
				return
			}
			comp.setOverlay(o)
		},
		Probe: dashboard.SourceProbe(reg, log),
		Pushes: func() []push.Status {
			if d := wi.d.Load(); d != nil {
				return d.Pushes()
			}
			return nil
		},
		User:    auth.UserFrom,
		Version: version,
		Logger:  log,
	})
	if err != nil {
		return nil, err
	}
	for _, p := range dashboard.Patterns() {
		handlers[p] = h
	}
	return func(d *daemon.Daemon) {
		wi.d.Store(d)
		if next != nil {
			next(d)
		}
	}, nil
}
