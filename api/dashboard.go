package api

import (
	"embed"
	"encoding/json"
	"html/template"
	"io/fs"
	"net/http"
	"time"

	"github.com/lubo-edge/lubo/recorder"
)

// web holds the dashboard page and, once `make web` has fetched them from
// the npm registry, the player scripts in web/vendor.
//
//go:embed web
var web embed.FS

var pageTmpl = template.Must(template.ParseFS(web, "web/index.html"))

// dashboard serves the page at / and the vendored scripts under /assets/.
func dashboard(version string) http.Handler {
	vendor, _ := fs.Sub(web, "web/vendor")
	_, hlsErr := fs.Stat(vendor, "hls.min.js")
	assets := http.StripPrefix("/assets/", http.FileServerFS(vendor))
	mux := http.NewServeMux()
	mux.Handle("GET /assets/", assets)
	mux.HandleFunc("GET /{$}", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		_ = pageTmpl.Execute(w, map[string]any{"Version": version, "HasPlayer": hlsErr == nil})
	})
	return mux
}

// channelJSON is one row of the dashboard's channel table.
type channelJSON struct {
	ID        string `json:"id"`
	Name      string `json:"name"`
	Source    string `json:"source"`
	OnDemand  bool   `json:"on_demand"`
	Up        bool   `json:"up"`
	Tracks    string `json:"tracks"`
	Readers   int    `json:"readers"`
	Sessions  uint64 `json:"sessions"`
	Reconnect uint64 `json:"reconnects"`
	Dropped   uint64 `json:"dropped_frames"`
	BytesIn   uint64 `json:"bytes_received"`
	LastError string `json:"last_error,omitempty"`
	FLV       string `json:"flv"`
	HLS       string `json:"hls"`
	Snapshot  string `json:"snapshot,omitempty"`
	// Recording is the channel's recording session, nil when none runs.
	Recording *recorder.SessionStatus `json:"recording,omitempty"`
}

func (s *Server) serveChannelsJSON(w http.ResponseWriter, _ *http.Request) {
	var rows []channelJSON
	recording := map[string]*recorder.SessionStatus{}
	if rec := s.box.Recorder(); rec != nil {
		for _, st := range rec.Sessions() {
			if cur := recording[st.Channel]; cur == nil || cur.Phase == recorder.PhaseWaiting {
				recording[st.Channel] = &st
			}
		}
	}
	snaps := s.box.Snapshots()
	for _, c := range s.box.Channels() {
		st := c.Live.Stats()
		rows = append(rows, channelJSON{
			ID: c.ID, Name: c.Name, Source: c.Source, OnDemand: c.OnDemand,
			Up: st.Up.Load(), Tracks: c.Live.Tracks().String(), Readers: c.Live.ReaderCount(),
			Sessions: st.Sessions.Load(), Reconnect: st.Reconnects.Load(), Dropped: st.Dropped.Load(),
			BytesIn: st.BytesIn.Load(), LastError: c.Live.LastError(),
			FLV: "/live/" + c.ID + ".flv", HLS: "/hls/" + c.ID + "/index.m3u8",
			Recording: recording[c.ID],
		})
		if snaps != nil {
			if _, ok := snaps.Latest(c.ID); ok {
				rows[len(rows)-1].Snapshot = "/snapshots/" + c.ID + ".jpg"
			}
		}
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-cache")
	clouds := s.box.Clouds()
	if clouds == nil {
		clouds = []CloudStatus{}
	}
	_ = json.NewEncoder(w).Encode(map[string]any{"time": time.Now().Format(time.RFC3339), "channels": rows, "clouds": clouds, "config": s.box.ConfigFile()})
}
