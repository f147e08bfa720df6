package dashboard

import (
	"net/http"
	"time"

	"github.com/lubo-edge/lubo/api"
	"github.com/lubo-edge/lubo/configs"
)

// statusJSON is the status bar: what an IT person checks first.
type statusJSON struct {
	Version  string             `json:"version"`
	Now      time.Time          `json:"now"`
	Started  time.Time          `json:"started"`
	UptimeS  int64              `json:"uptime_s"`
	Timezone string             `json:"timezone"`
	Running  bool               `json:"running"` // the daemon runs (false while it starts)
	Disk     *diskJSON          `json:"disk,omitempty"`
	Clouds   []api.CloudStatus  `json:"clouds"`
	Config   configs.FileStatus `json:"config"`
}

// diskJSON is the records disk and the retention rules.
type diskJSON struct {
	Free      uint64 `json:"free"`  // bytes; 0 before the first retention pass
	Total     uint64 `json:"total"` // bytes
	MinFree   string `json:"min_free"`
	MaxAge    string `json:"max_age,omitempty"`
	Recording int    `json:"recording"` // channels writing a slice now
}

func (h *Handler) serveStatus(w http.ResponseWriter, _ *http.Request) {
	now := h.opts.Now()
	cfg := h.opts.Config()
	st := statusJSON{Version: h.opts.Version, Now: now, Started: h.started, UptimeS: int64(now.Sub(h.started) / time.Second),
		Timezone: cfg.Location().String(), Clouds: []api.CloudStatus{}}
	if b := h.opts.Box(); b != nil {
		st.Running = true
		if cs := b.Clouds(); cs != nil {
			st.Clouds = cs
		}
		st.Config = b.ConfigFile()
		if rec := b.Recorder(); rec != nil {
			rs := rec.Stats()
			st.Disk = &diskJSON{Free: rs.DiskFree, Total: rs.DiskTotal, MinFree: cfg.Record.MinFree, Recording: len(rs.Recording)}
			if cfg.Record.MaxAge > 0 {
				st.Disk.MaxAge = cfg.Record.MaxAge.String()
			}
		}
	}
	writeJSON(w, http.StatusOK, st)
}
