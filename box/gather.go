package box

import (
	"fmt"
	"log/slog"

	"github.com/lubo-edge/lubo/api"
	"github.com/lubo-edge/lubo/cloud/gather"
	"github.com/lubo-edge/lubo/cloud/yunlubo"
	"github.com/lubo-edge/lubo/configs"
	"github.com/lubo-edge/lubo/storage"
)

// startGather prepares the 云录播 gather sync when the config names a
// server: the stored copy of its last answer goes into the first config,
// so a box that boots without network records every lesson it knew. A
// sync that cannot be set up is logged and shown, never fatal: the file's
// channels and courses still run.
func startGather(y *configs.Yunlubo, db *storage.DB, log *slog.Logger, comp *composer, clouds *cloudSet) *gather.Sync {
	if y == nil {
		return nil
	}
	fail := func(err error) *gather.Sync {
		log.Error("云录播 sync is off", "err", err)
		clouds.add(func() api.CloudStatus {
			return api.CloudStatus{Name: gather.Origin, Server: y.URL, Error: err.Error()}
		})
		return nil
	}
	mac := y.MAC
	if mac == "" {
		var err error
		if mac, err = gather.MAC(y.Interface); err != nil {
			return fail(err)
		}
	}
	client, err := yunlubo.New(yunlubo.Options{
		BaseURL: y.URL, UnionID: yunlubo.Secret(string(y.UnionID)),
		Tokens: gather.TokenStore{Store: db}, Logger: log.With("cloud", gather.Origin),
	})
	if err != nil {
		return fail(err)
	}
	s, err := gather.NewSync(y.URL, gather.Options{
		Client: client, Store: db, MAC: mac, Vendor: y.Vendor, Interval: y.SyncInterval, Logger: log,
	})
	if err != nil {
		return fail(err)
	}
	if o, ok := s.Cached(); ok {
		comp.setInitial(o)
	}
	clouds.add(func() api.CloudStatus {
		st := s.Status()
		return api.CloudStatus{
			Name: gather.Origin, Server: st.Server, OK: st.Error == "" && !st.LastSync.IsZero(),
			LastSync: st.LastSync, Error: st.Error, Failures: st.Failures,
			Detail: fmt.Sprintf("gather %d: %d channels, %d courses", st.GatherID, st.Channels, st.Courses),
		}
	})
	log.Info("云录播 gather sync on", "server", s.Status().Server, "mac", mac, "interval", y.SyncInterval)
	return s
}
