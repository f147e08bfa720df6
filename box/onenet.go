package box

import (
	"context"
	"fmt"
	"log/slog"
	"sync"

	"github.com/lubo-edge/lubo/api"
	"github.com/lubo-edge/lubo/cloud/onenet"
	"github.com/lubo-edge/lubo/cloud/onenetreg"
	"github.com/lubo-edge/lubo/cloud/setup"
	"github.com/lubo-edge/lubo/configs"
	"github.com/lubo-edge/lubo/storage"
)

// newOneNET makes the OneNET client and the registrar that keeps the box
// registered (device and channels, lesson preloads, platform recording);
// run it with runOneNET. Nils when OneNET is not configured or cannot be
// set up (logged and shown, never fatal).
func newOneNET(cfg *configs.Config, db *storage.DB, clouds *cloudSet, log *slog.Logger) (*onenet.Client, *onenetreg.Registrar) {
	o := cfg.Cloud.OneNET
	if o == nil {
		return nil, nil
	}
	fail := func(err error) (*onenet.Client, *onenetreg.Registrar) {
		log.Error("OneNET is off", "err", err)
		clouds.add(func() api.CloudStatus { return api.CloudStatus{Name: "onenet", Server: o.API, Error: err.Error()} })
		return nil, nil
	}
	client, err := setup.OneNET(o, setup.Options{Logger: log})
	if err != nil {
		return fail(err)
	}
	reg, err := onenetreg.New(onenetreg.Options{
		Client: client, Store: db, DeviceID: o.DeviceID, PreloadLead: o.PreloadLead, Record: o.Record, Logger: log,
	})
	if err != nil {
		return fail(err)
	}
	clouds.add(func() api.CloudStatus {
		st := reg.Status()
		return api.CloudStatus{
			Name: "onenet", Server: o.API, OK: st.Error == "" && !st.LastOK.IsZero(), LastSync: st.LastOK,
			Error: st.Error, Failures: st.Failures, Detail: fmt.Sprintf("device %s: %d channels", st.DeviceID, st.Channels),
		}
	})
	return client, reg
}

// runOneNET runs the registrar while ctx lasts, following the channel set.
func runOneNET(ctx context.Context, wg *sync.WaitGroup, reg *onenetreg.Registrar, comp *composer) {
	if reg == nil {
		return
	}
	updates := comp.subscribe()
	wg.Add(1)
	go func() { defer wg.Done(); _ = reg.Run(ctx, comp.latest(), updates) }()
}
