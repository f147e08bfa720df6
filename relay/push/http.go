package push

import (
	"encoding/json"
	"errors"
	"net/http"
)

// Handler serves the push API:
//
//	POST /api/push/start?channel=C&url=U   start (idempotent): 200 {"push": Status}
//	POST /api/push/stop?channel=C&url=U    stop: 200 {"stopped": Status}
//	GET  /api/push                         200 {"pushes": [Status…]}
//
// Errors are {"error": "…"}: 400 for a missing channel, a URL that is not
// rtmp://host[:port]/app/stream[?query] or too many pushes; 404 for an
// unknown channel or push. The URL may also come as a form field of the
// POST body, which keeps the key out of access logs.
func (m *Manager) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("POST /api/push/start", m.serveStart)
	mux.HandleFunc("POST /api/push/stop", m.serveStop)
	mux.HandleFunc("GET /api/push", m.serveList)
	return mux
}

// maxFormBytes bounds a POST body carrying the parameters.
const maxFormBytes = 16 << 10

func params(w http.ResponseWriter, r *http.Request) (channel, url string, ok bool) {
	r.Body = http.MaxBytesReader(w, r.Body, maxFormBytes)
	if err := r.ParseForm(); err != nil {
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": "bad form: " + err.Error()})
		return "", "", false
	}
	channel, url = r.FormValue("channel"), r.FormValue("url")
	if channel == "" {
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": "channel is required (a channel id)"})
		return "", "", false
	}
	if url == "" {
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": "url is required: rtmp://host[:port]/app/stream[?query]"})
		return "", "", false
	}
	return channel, url, true
}

func (m *Manager) serveStart(w http.ResponseWriter, r *http.Request) {
	channel, url, ok := params(w, r)
	if !ok {
		return
	}
	if err := m.Start(channel, url); err != nil {
		writeError(w, err)
		return
	}
	st, _ := m.status(channel, url)
	writeJSON(w, http.StatusOK, map[string]Status{"push": st})
}

func (m *Manager) serveStop(w http.ResponseWriter, r *http.Request) {
	channel, url, ok := params(w, r)
	if !ok {
		return
	}
	st, found := m.status(channel, url)
	if err := m.Stop(channel, url); err != nil {
		writeError(w, err)
		return
	}
	if found {
		st.State = Stopped
	}
	writeJSON(w, http.StatusOK, map[string]Status{"stopped": st})
}

func (m *Manager) serveList(w http.ResponseWriter, _ *http.Request) {
	writeJSON(w, http.StatusOK, map[string][]Status{"pushes": m.List()})
}

// status is the Status of one push.
func (m *Manager) status(channel, url string) (Status, bool) {
	t, err := parseTarget(url)
	if err != nil {
		t = target{raw: url}
	}
	m.mu.Lock()
	e, ok := m.pushes[key{channel, t.raw}]
	var st Status
	if ok {
		st = Status{Channel: channel, URL: e.label, Origin: e.origin()}
	}
	m.mu.Unlock()
	if ok {
		e.c.fill(&st)
	}
	return st, ok
}

func writeError(w http.ResponseWriter, err error) {
	code := http.StatusInternalServerError
	var ue *URLError
	switch {
	case errors.As(err, &ue), errors.Is(err, ErrNoChannel), errors.Is(err, ErrTooMany):
		code = http.StatusBadRequest
	case errors.Is(err, ErrUnknownChannel), errors.Is(err, ErrUnknownPush):
		code = http.StatusNotFound
	}
	writeJSON(w, code, map[string]string{"error": err.Error()})
}

func writeJSON(w http.ResponseWriter, code int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(code)
	_ = json.NewEncoder(w).Encode(v) // the client is gone if this fails
}
