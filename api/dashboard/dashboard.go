// Package dashboard is the page a school's IT staff run the box from, and
// its JSON API under /api/dash/: state at a glance, live tiles with record
// controls, the weekly timetable, the channel editor and the recordings.
//
// Reads for any signed-in user are GET /api/dash/...; reads only an admin
// may make are GET /api/dash/admin/...; every change is a non-GET request
// under /api/dash/. The sign-in guard (api/auth) enforces who may call what
// by these paths; this package trusts it and only names the user in logs.
//
// Channels and courses added here are stored in bbolt (storage.DashChannel,
// storage.DashCourse) and join the running config as the overlay with
// Origin "dashboard": the YAML stays the installer's, human-edited file.
package dashboard

import (
	"context"
	"embed"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"net/http"
	"sync"
	"time"

	"github.com/lubo-edge/lubo/api"
	"github.com/lubo-edge/lubo/configs"
	"github.com/lubo-edge/lubo/media"
	"github.com/lubo-edge/lubo/relay/push"
	"github.com/lubo-edge/lubo/storage"
)

// web is the page and its scripts; web/vendor holds hls.js and mpegts.js
// once `make web` has fetched them.
//
//go:embed web
var web embed.FS

// Options configure a Handler. DB and Config are required.
type Options struct {
	// Box is the running daemon; it returns nil until the daemon runs, and
	// the endpoints that need it answer 503 meanwhile.
	Box func() api.Box
	// Config is the running configuration: the file with every overlay.
	Config func() *configs.Config
	// DB stores the dashboard's channels and courses.
	DB *storage.DB
	// Changed is called after the dashboard's channels or courses changed,
	// so the box composes them into the running config. Default: nothing.
	Changed func()
	// Probe opens a source and returns its tracks (what `lubo probe`
	// prints). Default: probing is off (the test button says so).
	Probe func(ctx context.Context, source string) (*media.Tracks, error)
	// User names the signed-in user of a request (auth.UserFrom), for log
	// lines. nil while sign-in is off.
	User func(r *http.Request) (name, role string, ok bool)
	// Pushes is the state of the channels' RTMP pushes. Default: none.
	Pushes func() []push.Status
	// Version is shown in the status bar.
	Version string
	// Logger receives the log lines. Default slog.Default().
	Logger *slog.Logger
	// Now is the clock. Default time.Now.
	Now func() time.Time
}

// Handler serves the page and /api/dash/.
type Handler struct {
	opts    Options
	log     *slog.Logger
	mux     *http.ServeMux
	started time.Time
	edit    sync.Mutex    // one change of channels or courses at a time
	probes  chan struct{} // bounds the probes running at once
}

// Patterns are the method patterns to mount the Handler on beside the
// rest of the HTTP surface (per method, so they do not clash with "GET /").
func Patterns() []string {
	return []string{"GET /{$}", "GET /assets/", "GET /api/dash/", "POST /api/dash/", "PUT /api/dash/", "DELETE /api/dash/"}
}

// New checks the options and builds the routes.
func New(opts Options) (*Handler, error) {
	if opts.DB == nil || opts.Config == nil {
		return nil, errors.New("dashboard: DB and Config are required")
	}
	if opts.Box == nil {
		opts.Box = func() api.Box { return nil }
	}
	if opts.Changed == nil {
		opts.Changed = func() {}
	}
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	h := &Handler{opts: opts, log: opts.Logger, mux: http.NewServeMux(), started: opts.Now(), probes: make(chan struct{}, 2)}
	root, err := fs.Sub(web, "web")
	if err != nil {
		return nil, err
	}
	h.mux.HandleFunc("GET /{$}", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "no-cache")
		http.ServeFileFS(w, r, root, "index.html")
	})
	assets := http.StripPrefix("/assets/", http.FileServerFS(root))
	h.mux.HandleFunc("GET /assets/", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "no-cache")
		assets.ServeHTTP(w, r)
	})
	h.mux.HandleFunc("GET /api/dash/status", h.serveStatus)
	h.mux.HandleFunc("GET /api/dash/channels", h.serveChannels)
	h.mux.HandleFunc("POST /api/dash/record/start", h.serveRecordStart)
	h.mux.HandleFunc("POST /api/dash/record/stop", h.serveRecordStop)
	h.mux.HandleFunc("GET /api/dash/timetable", h.serveTimetable)
	h.mux.HandleFunc("POST /api/dash/courses", h.serveCourseAdd)
	h.mux.HandleFunc("PUT /api/dash/courses/{id}", h.serveCourseEdit)
	h.mux.HandleFunc("DELETE /api/dash/courses/{id}", h.serveCourseDelete)
	h.mux.HandleFunc("GET /api/dash/records", h.serveRecords)
	h.mux.HandleFunc("GET /api/dash/admin/channels/{id}", h.serveChannelEditor)
	h.mux.HandleFunc("POST /api/dash/channels", h.serveChannelAdd)
	h.mux.HandleFunc("PUT /api/dash/channels/{id}", h.serveChannelEdit)
	h.mux.HandleFunc("DELETE /api/dash/channels/{id}", h.serveChannelDelete)
	h.mux.HandleFunc("POST /api/dash/probe", h.serveProbe)
	h.mux.HandleFunc("/api/dash/", func(w http.ResponseWriter, r *http.Request) {
		writeError(w, http.StatusNotFound, "no such dashboard endpoint: "+r.Method+" "+r.URL.Path)
	})
	return h, nil
}

func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) { h.mux.ServeHTTP(w, r) }

// who names the user of r for a log line ("" while sign-in is off).
func (h *Handler) who(r *http.Request) string {
	if h.opts.User == nil {
		return ""
	}
	if name, _, ok := h.opts.User(r); ok {
		return name
	}
	return ""
}

// maxBody bounds a request body: every body here is a small JSON object.
const maxBody = 64 << 10

// readJSON decodes r's JSON body into dst, refusing unknown fields,
// trailing data and bodies over maxBody.
func readJSON(w http.ResponseWriter, r *http.Request, dst any) error {
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, maxBody))
	dec.DisallowUnknownFields()
	if err := dec.Decode(dst); err != nil {
		return fmt.Errorf("the request body is not the expected JSON object: %w", err)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return errors.New("the request body has data after its JSON object")
	}
	return nil
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// Problem is one thing wrong with a channel or course the page sent: the
// field ("" for the whole), the 云录播 code for timetable problems
// (1010-1013; 0 otherwise) and what is wrong.
type Problem struct {
	Field string `json:"field,omitempty"`
	Code  int    `json:"code,omitempty"`
	Msg   string `json:"msg"`
}

// errorBody is every error answer: a sentence, and the problems when the
// request was refused for its content.
type errorBody struct {
	Error    string    `json:"error"`
	Code     int       `json:"code,omitempty"`
	Problems []Problem `json:"problems,omitempty"`
}

func writeError(w http.ResponseWriter, status int, msg string) {
	writeJSON(w, status, errorBody{Error: msg})
}

func writeProblems(w http.ResponseWriter, status int, what string, ps []Problem) {
	b := errorBody{Error: what, Problems: ps}
	for _, p := range ps {
		if p.Code != 0 {
			b.Code = p.Code
			break
		}
	}
	writeJSON(w, status, b)
}

// running is the daemon, or a 503 answer while it starts.
func (h *Handler) running(w http.ResponseWriter) api.Box {
	b := h.opts.Box()
	if b == nil {
		writeError(w, http.StatusServiceUnavailable, "the box is starting; try again in a moment")
	}
	return b
}
