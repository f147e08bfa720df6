// Package api is lubo's HTTP surface: live HTTP-FLV, HLS, snapshots,
// recordings and manual recording, health and metrics. It knows channels
// only through the Box interface, so the daemon that owns them can start,
// stop and reload channels underneath. The dashboard is package
// api/dashboard, mounted beside it; this package's web/ holds no page,
// only the npm manifest from which `make web` copies the browser players.
package api

import (
	"log/slog"
	"net/http"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/lubo-edge/lubo/configs"
	"github.com/lubo-edge/lubo/recorder"
	"github.com/lubo-edge/lubo/recorder/snapshot"
	"github.com/lubo-edge/lubo/relay"
	"github.com/lubo-edge/lubo/relay/rtsp"
)

// Box is what the HTTP surface needs from the running daemon.
type Box interface {
	// Channels lists the configured channels in config order.
	Channels() []ChannelInfo
	// LiveStream is the live stream of channel id as the camera sends it
	// (G.711 audio kept).
	LiveStream(id string) (*relay.Stream, bool)
	// WebStream is the live stream for web players: G.711 audio as AAC.
	WebStream(id string) (*relay.Stream, bool)
	// HLS is the HLS handler of channel id; asking for it counts as HLS
	// activity and keeps the channel's HLS session alive.
	HLS(id string) (http.Handler, bool)
	// Recorder records lessons and serves the records index; nil when the
	// box does not record.
	Recorder() *recorder.Recorder
	// Snapshots takes the channels' snapshots; nil when there are none.
	Snapshots() *snapshot.Snapshotter
	// Clouds is the state of each cloud the box talks to.
	Clouds() []CloudStatus
	// ConfigFile says whether the config file on disk is the one running.
	ConfigFile() configs.FileStatus
	// RTSPConns are the RTSP listener's connection counters (zero when off).
	RTSPConns() rtsp.ConnStats
}

// CloudStatus is one cloud connection as the dashboard and metrics show it.
type CloudStatus struct {
	Name     string    // "yunlubo", "onenet", …
	Server   string    // its address, redacted
	OK       bool      // the last attempt succeeded
	LastSync time.Time // the last success; zero: never
	Error    string    // the last failure, "" after a success; holds no secret
	Failures uint64    // failed attempts since start
	Detail   string    // one line for the dashboard, e.g. "gather 3: 12 channels, 40 courses"
}

// ChannelInfo is one channel as the dashboard and metrics see it.
type ChannelInfo struct {
	ID       string
	Name     string
	Origin   string // "" for the config file, else the overlay ("yunlubo", "api")
	Source   string // redacted: never holds a password
	OnDemand bool
	Main     *relay.Stream
	Live     *relay.Stream // == Main for a single-stream channel
	HLS      HLSStats
}

// HLSStats are the counters of a channel's HLS output.
type HLSStats struct {
	Active   bool
	Segments uint64
	Dropped  map[string]uint64 // frames TS cannot carry, by reason
}

// Server routes the HTTP paths of DESIGN.md.
type Server struct {
	box Box
	log *slog.Logger
	mux *http.ServeMux
	reg *prometheus.Registry
}

// NewServer builds the handler tree.
func NewServer(box Box, log *slog.Logger) *Server {
	reg := prometheus.NewRegistry()
	s := &Server{box: box, log: log, mux: http.NewServeMux(), reg: reg}
	reg.MustRegister(
		collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
		newChannelCollector(box),
		newRecordCollector(box),
		newCloudCollector(box),
	)
	s.mux.HandleFunc("GET /live/{file}", s.serveFLV)
	s.mux.HandleFunc("GET /hls/{ch}/{file}", s.serveHLS)
	s.mux.HandleFunc("GET /snapshots/{file}", s.serveSnapshot)
	s.mux.HandleFunc("GET /records/{path...}", s.serveRecordFile)
	s.mux.HandleFunc("GET /api/records", s.serveRecordsJSON)
	s.mux.HandleFunc("POST /api/record/start", s.serveRecordStart)
	s.mux.HandleFunc("POST /api/record/stop", s.serveRecordStop)
	s.mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		_, _ = w.Write([]byte("ok\n"))
	})
	s.mux.Handle("GET /metrics", promhttp.HandlerFor(reg, promhttp.HandlerOpts{}))
	return s
}

func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.mux.ServeHTTP(w, r) }

// Register adds collectors to /metrics (the outbox's and the pushes' own
// series, which live beside the daemon).
func (s *Server) Register(cs ...prometheus.Collector) error {
	for _, c := range cs {
		if err := s.reg.Register(c); err != nil {
			return err
		}
	}
	return nil
}

// Mount serves pattern with h beside the built-in paths (the box's
// /api/v1/ and /play/ pages are their own package).
func (s *Server) Mount(pattern string, h http.Handler) { s.mux.Handle(pattern, h) }
