package api

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"path"
	"strconv"
	"strings"
	"time"

	"github.com/lubo-edge/lubo/recorder"
	"github.com/lubo-edge/lubo/storage"
)

// Limits of GET /api/records.
const (
	defaultRecordsLimit = 100
	maxRecordsLimit     = 1000
)

// recordFilePath checks the {path} of GET /records/{path}: a finished
// recording or cover, relative to the records root. Files being written
// (.part), Finalize's temporary copies and anything outside the root are
// refused.
func recordFilePath(p string) (string, error) {
	switch {
	case p == "" || strings.ContainsAny(p, "\x00\\"):
		return "", errors.New("not a recording path")
	case path.IsAbs(p) || path.Clean(p) != p || p == ".." || strings.HasPrefix(p, "../"):
		return "", errors.New("not a clean relative path")
	case strings.HasSuffix(p, ".mp4"):
		return p, nil
	case strings.HasSuffix(p, ".jpg"):
		return p, nil
	}
	return "", errors.New("only finished recordings (.mp4) and covers (.jpg) are served")
}

// serveRecordFile serves a recording with Range support (players seek with
// it) from the records root.
func (s *Server) serveRecordFile(w http.ResponseWriter, r *http.Request) {
	rec := s.box.Recorder()
	if rec == nil {
		http.Error(w, "recording is off on this box", http.StatusNotFound)
		return
	}
	rel, err := recordFilePath(r.PathValue("path"))
	if err != nil {
		http.Error(w, "/records/"+r.PathValue("path")+": "+err.Error(), http.StatusNotFound)
		return
	}
	// OpenInRoot refuses any way out of the root, symlinks included.
	f, err := os.OpenInRoot(rec.Root(), rel)
	if err != nil {
		http.Error(w, "no recording "+quote(rel), http.StatusNotFound)
		return
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil || !st.Mode().IsRegular() {
		http.Error(w, "no recording "+quote(rel), http.StatusNotFound)
		return
	}
	h := w.Header()
	h.Set("Access-Control-Allow-Origin", "*")
	if strings.HasSuffix(rel, ".mp4") {
		h.Set("Content-Type", "video/mp4")
	} else {
		h.Set("Content-Type", "image/jpeg")
	}
	http.ServeContent(w, r, path.Base(rel), st.ModTime(), f)
}

// serveSnapshot serves GET /snapshots/{ch}.jpg, the channel's newest
// snapshot.
func (s *Server) serveSnapshot(w http.ResponseWriter, r *http.Request) {
	ch, ok := strings.CutSuffix(r.PathValue("file"), ".jpg")
	snaps := s.box.Snapshots()
	if !ok || snaps == nil {
		http.Error(w, "want /snapshots/{channel}.jpg", http.StatusNotFound)
		return
	}
	p, ok := snaps.Latest(ch)
	if !ok {
		http.Error(w, "no snapshot of channel "+quote(ch)+" yet", http.StatusNotFound)
		return
	}
	f, err := os.Open(p)
	if err != nil {
		http.Error(w, "no snapshot of channel "+quote(ch)+" yet", http.StatusNotFound)
		return
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "image/jpeg")
	w.Header().Set("Cache-Control", "no-cache")
	w.Header().Set("Access-Control-Allow-Origin", "*")
	http.ServeContent(w, r, ch+".jpg", st.ModTime(), f)
}

// parseRecordQuery reads the parameters of GET /api/records:
// channel, from and to (RFC 3339), state (comma-separated), limit (1-1000,
// default 100), offset, order (asc or desc, default desc: newest first).
func parseRecordQuery(v url.Values) (storage.RecordQuery, error) {
	q := storage.RecordQuery{Channel: v.Get("channel"), Limit: defaultRecordsLimit, Order: storage.OrderDesc}
	var problems []string
	for _, p := range []struct {
		name string
		dst  *time.Time
	}{{"from", &q.From}, {"to", &q.To}} {
		if s := v.Get(p.name); s != "" {
			t, err := time.Parse(time.RFC3339, s)
			if err != nil {
				problems = append(problems, fmt.Sprintf("%s %q is not an RFC 3339 time like 2026-11-23T10:30:00+08:00", p.name, s))
			}
			*p.dst = t
		}
	}
	if s := v.Get("state"); s != "" {
		for _, name := range strings.Split(s, ",") {
			st, err := storage.ParseState(strings.TrimSpace(name))
			if err != nil {
				problems = append(problems, err.Error())
				break
			}
			q.States = append(q.States, st)
		}
	}
	intParam := func(name string, lo, hi int, dst *int) {
		s := v.Get(name)
		if s == "" {
			return
		}
		n, err := strconv.Atoi(s)
		if err != nil || n < lo || n > hi {
			problems = append(problems, fmt.Sprintf("%s %q is not a whole number from %d to %d", name, s, lo, hi))
			return
		}
		*dst = n
	}
	intParam("limit", 1, maxRecordsLimit, &q.Limit)
	intParam("offset", 0, 1<<30, &q.Offset)
	if s := v.Get("order"); s != "" {
		q.Order = storage.Order(s)
	}
	if len(problems) == 0 {
		if err := q.Validate(); err != nil {
			problems = append(problems, err.Error())
		}
	}
	if len(problems) > 0 {
		return q, errors.New(strings.Join(problems, "; "))
	}
	return q, nil
}

func (s *Server) serveRecordsJSON(w http.ResponseWriter, r *http.Request) {
	rec := s.box.Recorder()
	if rec == nil {
		writeJSONError(w, http.StatusServiceUnavailable, "recording is off on this box")
		return
	}
	q, err := parseRecordQuery(r.URL.Query())
	if err != nil {
		writeJSONError(w, http.StatusBadRequest, err.Error())
		return
	}
	recs, total, err := rec.Records(q)
	if err != nil {
		writeJSONError(w, http.StatusInternalServerError, err.Error())
		return
	}
	sessions := rec.Sessions()
	writeJSON(w, http.StatusOK, map[string]any{"total": total, "records": RecordRows(recs, sessions), "sessions": sessions})
}

// serveRecordStart is POST /api/record/start?channel=c1&duration=45m.
func (s *Server) serveRecordStart(w http.ResponseWriter, r *http.Request) {
	rec, ch, ok := s.recordRequest(w, r, "POST /api/record/start?channel=c1&duration=45m")
	if !ok {
		return
	}
	dur, err := ParseManualDuration(r.FormValue("duration"))
	if err != nil {
		writeJSONError(w, http.StatusBadRequest, err.Error())
		return
	}
	id, err := rec.Start(ch, dur)
	if err != nil {
		writeJSONError(w, RecordErrorStatus(err), err.Error())
		return
	}
	s.log.Info("manual recording started", "channel", ch, "session", id, "duration", dur, "by", r.RemoteAddr)
	for _, st := range rec.Sessions() {
		if st.ID == id {
			writeJSON(w, http.StatusOK, map[string]any{"session": st})
			return
		}
	}
	writeJSON(w, http.StatusOK, map[string]any{"session": map[string]string{"id": id, "channel": ch}})
}

// serveRecordStop is POST /api/record/stop?channel=c1.
func (s *Server) serveRecordStop(w http.ResponseWriter, r *http.Request) {
	rec, ch, ok := s.recordRequest(w, r, "POST /api/record/stop?channel=c1")
	if !ok {
		return
	}
	if _, ok := s.box.LiveStream(ch); !ok {
		writeJSONError(w, http.StatusNotFound, "no channel "+quote(ch))
		return
	}
	if err := rec.Stop(ch); err != nil {
		writeJSONError(w, RecordErrorStatus(err), err.Error())
		return
	}
	s.log.Info("manual recording stopped", "channel", ch, "by", r.RemoteAddr)
	writeJSON(w, http.StatusOK, map[string]any{"channel": ch, "stopping": true})
}

// recordRequest takes the recorder and the channel of a manual recording
// request, or answers with what is wrong; usage shows the accepted form.
func (s *Server) recordRequest(w http.ResponseWriter, r *http.Request, usage string) (*recorder.Recorder, string, bool) {
	rec := s.box.Recorder()
	if rec == nil {
		writeJSONError(w, http.StatusServiceUnavailable, "recording is off on this box")
		return nil, "", false
	}
	ch := r.FormValue("channel")
	if ch == "" {
		writeJSONError(w, http.StatusBadRequest, "channel is required: "+usage)
		return nil, "", false
	}
	return rec, ch, true
}

// ParseManualDuration reads the duration of a manual recording, for the
// API and the dashboard alike: a Go duration from 1s (the recorder's own
// minimum) to recorder.MaxManualDuration; "" means
// recorder.DefaultManualDuration. The error says what is accepted.
func ParseManualDuration(s string) (time.Duration, error) {
	accepted := fmt.Sprintf("accepted: a duration like 45m or 1h30m from 1s to %v; leave it out for %v",
		recorder.MaxManualDuration, recorder.DefaultManualDuration)
	if s == "" {
		return recorder.DefaultManualDuration, nil
	}
	d, err := time.ParseDuration(s)
	if err != nil || d < time.Second || d > recorder.MaxManualDuration {
		return 0, fmt.Errorf("duration %q: %s", s, accepted)
	}
	return d, nil
}

// RecordErrorStatus maps the Recorder's errors to HTTP statuses (the
// dashboard's API answers alike).
func RecordErrorStatus(err error) int {
	switch {
	case errors.Is(err, recorder.ErrUnknownChannel):
		return http.StatusNotFound
	case errors.Is(err, recorder.ErrBadDuration):
		return http.StatusBadRequest
	case errors.Is(err, recorder.ErrAlreadyRecording), errors.Is(err, recorder.ErrNotRecording):
		return http.StatusConflict
	case errors.Is(err, recorder.ErrNotRunning):
		return http.StatusServiceUnavailable
	}
	return http.StatusInternalServerError
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-cache")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

func writeJSONError(w http.ResponseWriter, status int, msg string) {
	writeJSON(w, status, map[string]string{"error": msg})
}
