package boxapi

import (
	"context"
	"embed"
	"errors"
	"fmt"
	"html/template"
	"io/fs"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/lubo-edge/lubo/cloud/yunlubo"
	"github.com/lubo-edge/lubo/relay"
	"github.com/lubo-edge/lubo/relay/flv"
	"github.com/lubo-edge/lubo/storage"
)

// web holds the play page and, once `make web` copied them, the players
// (web/vendor/mpegts.js, web/vendor/hls.min.js).
//
//go:embed web
var web embed.FS

var playTmpl = template.Must(template.ParseFS(web, "web/play.html"))

// Default and largest play window (§3.31: 850×550 by default).
const (
	defaultWidth, defaultHeight = 850, 550
	maxSide                     = 8192
)

// HeartbeatInterval is how often a play page says it is still open (§3.31).
const HeartbeatInterval = 12 * time.Second

// firstFrameWait bounds how long a live page's stream waits for a picture.
const firstFrameWait = 20 * time.Second

// writeTimeout ends a viewer whose connection stopped taking data.
const writeTimeout = 15 * time.Second

var (
	pageIDPattern = regexp.MustCompile(`^[A-Za-z0-9]{8,64}$`)
	assetName     = regexp.MustCompile(`^[a-z0-9][a-z0-9._-]{0,63}$`)
)

// windowSize reads width and height (§3.31, §3.32): missing is the
// default, anything but a whole number 1-8192 is 1010.
func windowSize(c *call) (w, h int, ref *refusal) {
	w, h = defaultWidth, defaultHeight
	for _, f := range []struct {
		key string
		dst *int
	}{{"width", &w}, {"height", &h}} {
		if !c.p.Has(f.key) {
			continue
		}
		v, err := strconv.Atoi(strings.TrimSpace(c.p.Get(f.key)))
		if err != nil || v < 1 || v > maxSide {
			return 0, 0, refuseWhy(yunlubo.CodeNoID, fmt.Sprintf("没有编号, 请确认参数 (%s: a whole number of pixels 1-%d)", f.key, maxSide))
		}
		*f.dst = v
	}
	return w, h, nil
}

type playAnswer struct {
	ErrCode int    `json:"err_code"`
	ErrMsg  string `json:"err_msg"`
	PlayURL string `json:"play_url"`
}

// playCamera is §3.31: a page on the box that plays the channel live.
func (h *Handler) playCamera(c *call) (any, *refusal) {
	cam, ref := h.cameraByNumber(c, "camera_id")
	if ref != nil {
		return nil, ref
	}
	w, ht, ref := windowSize(c)
	if ref != nil {
		return nil, ref
	}
	t := h.tickets.sign(ticket{kind: kindLive, target: cam.ID, expires: h.opts.Now().Add(h.opts.TicketTTL)})
	h.click("camera " + cam.ID)
	return playAnswer{0, "OK", fmt.Sprintf("%s/play/%s/%s/?width=%d&height=%d", c.base, kindLive, t, w, ht)}, nil
}

// playRecord is §3.32: a page on the box that plays the record's MP4.
func (h *Handler) playRecord(c *call) (any, *refusal) {
	n, _ := yunlubo.ParseID(c.p.Get("record_id"))
	r, err := h.opts.Records.BySeq(uint64(n))
	if errors.Is(err, storage.ErrNotFound) {
		return nil, refuseWhy(yunlubo.CodeNoID, fmt.Sprintf("没有编号, 请确认参数 (no record_id %d on this box)", n))
	}
	if err != nil {
		return nil, h.storeFailed(c, err)
	}
	w, ht, ref := windowSize(c)
	if ref != nil {
		return nil, ref
	}
	t := h.tickets.sign(ticket{kind: kindRecord, target: strconv.FormatUint(r.Seq, 10), expires: h.opts.Now().Add(h.opts.TicketTTL)})
	h.click("record " + r.ID)
	return playAnswer{0, "OK", fmt.Sprintf("%s/play/%s/%s/?width=%d&height=%d", c.base, kindRecord, t, w, ht)}, nil
}

func (h *Handler) routePlay(mux *http.ServeMux) {
	vendor, _ := fs.Sub(web, "web/vendor")
	assets := http.FileServerFS(vendor)
	mux.HandleFunc("GET /play/assets/{name}", func(w http.ResponseWriter, r *http.Request) {
		// Only the players' plain names: the file server answers 500 for
		// names fs.ValidPath refuses (invalid UTF-8).
		if !assetName.MatchString(r.PathValue("name")) {
			http.Error(w, "no such asset", http.StatusNotFound)
			return
		}
		r2 := r.Clone(r.Context())
		r2.URL.Path, r2.URL.RawPath = "/"+r.PathValue("name"), ""
		w.Header().Set("Cache-Control", "max-age=86400")
		assets.ServeHTTP(w, r2)
	})
	for _, kind := range []string{kindLive, kindRecord} {
		mux.HandleFunc("GET /play/"+kind+"/{ticket}/{$}", h.ticketed(h.servePage))
		mux.HandleFunc("POST /play/"+kind+"/{ticket}/heartbeat", h.ticketed(h.serveHeartbeat))
		mux.HandleFunc("POST /play/"+kind+"/{ticket}/bye", h.serveBye)
	}
	mux.HandleFunc("GET /play/live/{ticket}/stream.flv", h.ticketed(h.serveFLV))
	mux.HandleFunc("GET /play/live/{ticket}/hls/{file}", h.ticketed(h.serveHLS))
	mux.HandleFunc("GET /play/record/{ticket}/video.mp4", h.ticketed(h.serveMP4))
	mux.HandleFunc("/play/", func(w http.ResponseWriter, _ *http.Request) {
		http.Error(w, "no such play page; play_camera and play_record give the address of one", http.StatusNotFound)
	})
}

// ticketed checks the path's ticket before next runs: signed by this box,
// of the path's kind, and either not expired or kept alive by a page's
// heartbeats. A refusal is a 403 with a sentence a person can act on.
func (h *Handler) ticketed(next func(w http.ResponseWriter, r *http.Request, t ticket)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		text := r.PathValue("ticket")
		t, err := h.tickets.parse(text)
		if err == nil {
			kind, _, _ := strings.Cut(strings.TrimPrefix(r.URL.Path, "/play/"), "/")
			if t.kind != kind {
				err = errTicketBad
			}
		}
		if err == nil && !h.opts.Now().Before(t.expires) && !h.leased(text) {
			err = errTicketExpired
		}
		if err != nil {
			w.Header().Set("Cache-Control", "no-store")
			http.Error(w, err.Error(), http.StatusForbidden)
			return
		}
		next(w, r, t)
	}
}

// servePage is the play page: a video element of the asked size, mpegts.js
// (HTTP-FLV) or hls.js for a live channel, the plain MP4 for a record.
func (h *Handler) servePage(w http.ResponseWriter, r *http.Request, t ticket) {
	q := r.URL.Query()
	size := func(key string, def int) int {
		if v, err := strconv.Atoi(q.Get(key)); err == nil && v >= 1 && v <= maxSide {
			return v
		}
		return def
	}
	title := "回放"
	if t.kind == kindLive {
		title = "直播"
	}
	hd := w.Header()
	hd.Set("Content-Type", "text/html; charset=utf-8")
	hd.Set("Cache-Control", "no-store")
	hd.Set("Referrer-Policy", "no-referrer")
	err := playTmpl.Execute(w, map[string]any{
		"Live":      t.kind == kindLive,
		"Title":     title,
		"Width":     size("width", defaultWidth),
		"Height":    size("height", defaultHeight),
		"Heartbeat": HeartbeatInterval.Milliseconds(),
	})
	if err != nil {
		h.log.Debug("boxapi: play page not delivered", "err", err)
	}
}

// serveHeartbeat extends the page's lease (and holds a live channel).
func (h *Handler) serveHeartbeat(w http.ResponseWriter, r *http.Request, t ticket) {
	page := r.URL.Query().Get("page")
	if !pageIDPattern.MatchString(page) {
		http.Error(w, "page: 8-64 letters and digits", http.StatusBadRequest)
		return
	}
	if t.kind == kindRecord {
		if _, err := h.recordOf(t); err != nil {
			http.Error(w, err.Error(), http.StatusNotFound)
			return
		}
	}
	if err := h.beat(r.PathValue("ticket"), t, page); err != nil {
		http.Error(w, err.Error(), http.StatusServiceUnavailable)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	_, _ = fmt.Fprintf(w, `{"ok":true,"next_ms":%d}`, HeartbeatInterval.Milliseconds())
}

// serveBye ends a page's lease: the page is closing. It needs no valid
// ticket (ending one's own lease is harmless) but only ends an existing one.
func (h *Handler) serveBye(w http.ResponseWriter, r *http.Request) {
	page := r.URL.Query().Get("page")
	if pageIDPattern.MatchString(page) && len(r.PathValue("ticket")) <= maxTicketLen {
		h.bye(r.PathValue("ticket"), page)
	}
	w.WriteHeader(http.StatusNoContent)
}

// serveFLV streams the channel as HTTP-FLV, for mpegts.js.
func (h *Handler) serveFLV(w http.ResponseWriter, r *http.Request, t ticket) {
	st, ok := h.opts.Box.LiveStream(t.target)
	if !ok {
		http.Error(w, "channel "+t.target+" does not exist any more", http.StatusNotFound)
		return
	}
	rd, err := st.AddReader("play page " + r.RemoteAddr)
	if err != nil {
		http.Error(w, "channel "+t.target+" is stopping", http.StatusServiceUnavailable)
		return
	}
	defer rd.Close()
	wait, cancel := context.WithTimeout(r.Context(), firstFrameWait)
	f, err := rd.Read(wait)
	cancel()
	if err != nil {
		http.Error(w, "channel "+t.target+" has no picture yet", http.StatusGatewayTimeout)
		return
	}
	hd := w.Header()
	hd.Set("Content-Type", "video/x-flv")
	hd.Set("Cache-Control", "no-store")
	w.WriteHeader(http.StatusOK)
	rc := http.NewResponseController(w)
	fw := flv.NewWriter(w, f.Tracks)
	for {
		_ = rc.SetWriteDeadline(time.Now().Add(writeTimeout))
		if err := fw.WriteFrame(f); err != nil {
			return
		}
		if rd.Pending() == 0 {
			if err := rc.Flush(); err != nil {
				return
			}
		}
		if f, err = rd.Read(r.Context()); err != nil {
			if !errors.Is(err, relay.ErrReaderClosed) && r.Context().Err() == nil {
				h.log.Debug("boxapi: flv viewer ended", "channel", t.target, "err", err)
			}
			return
		}
	}
}

// serveHLS hands the channel's HLS files (the hls.js fallback) to the
// channel's HLS handler, which serves names relative to its folder.
func (h *Handler) serveHLS(w http.ResponseWriter, r *http.Request, t ticket) {
	hls, ok := h.opts.Box.HLS(t.target)
	if !ok {
		http.Error(w, "channel "+t.target+" has no HLS output", http.StatusNotFound)
		return
	}
	r2 := r.Clone(r.Context())
	r2.URL.Path = r.PathValue("file")
	r2.URL.RawPath = ""
	hls.ServeHTTP(w, r2)
}

func (h *Handler) recordOf(t ticket) (*storage.Record, error) {
	seq, err := strconv.ParseUint(t.target, 10, 64)
	if err != nil {
		return nil, errTicketBad
	}
	r, err := h.opts.Records.BySeq(seq)
	if err != nil {
		return nil, errors.New("this record was deleted")
	}
	return r, nil
}

// serveMP4 serves the record's file with Range support, so the page seeks.
func (h *Handler) serveMP4(w http.ResponseWriter, r *http.Request, t ticket) {
	rec, err := h.recordOf(t)
	if err != nil {
		http.Error(w, err.Error(), http.StatusNotFound)
		return
	}
	f, err := h.opts.Records.Open(rec)
	if err != nil {
		h.log.Warn("boxapi: record file", "record", rec.ID, "err", err)
		http.Error(w, "the record's file is missing", http.StatusNotFound)
		return
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil || !fi.Mode().IsRegular() {
		http.Error(w, "the record's file is missing", http.StatusNotFound)
		return
	}
	w.Header().Set("Content-Type", "video/mp4")
	http.ServeContent(w, r, "video.mp4", fi.ModTime(), f)
}
