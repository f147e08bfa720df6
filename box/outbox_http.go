package box

import (
	"encoding/json"
	"errors"
	"net/http"
	"strconv"

	"github.com/lubo-edge/lubo/storage"
)

// The outbox's operator API, for `lubo outbox` (the database has one
// owner, the running lubo, so the command asks it over HTTP):
//
//	GET  /api/outbox                      every item, in queue order
//	POST /api/outbox/retry?id=N|all       retry now
//	POST /api/outbox/drop?id=N            drop one item
func (u *uploads) handlers(h map[string]http.Handler) {
	h["GET /api/outbox"] = http.HandlerFunc(u.serveList)
	h["POST /api/outbox/retry"] = http.HandlerFunc(u.serveRetry)
	h["POST /api/outbox/drop"] = http.HandlerFunc(u.serveDrop)
}

func (u *uploads) serveList(w http.ResponseWriter, _ *http.Request) {
	items, err := u.q.List(storage.OutboxFilter{})
	if err != nil {
		writeJSON(w, http.StatusInternalServerError, map[string]string{"error": err.Error()})
		return
	}
	stats, _ := u.q.Stats()
	if items == nil {
		items = []*storage.OutboxItem{}
	}
	writeJSON(w, http.StatusOK, map[string]any{"items": items, "targets": stats})
}

func (u *uploads) serveRetry(w http.ResponseWriter, r *http.Request) {
	if r.FormValue("id") == "all" {
		n, err := u.q.RetryAll("")
		if err != nil {
			writeJSON(w, http.StatusInternalServerError, map[string]string{"error": err.Error()})
			return
		}
		writeJSON(w, http.StatusOK, map[string]int{"retrying": n})
		return
	}
	id, ok := itemID(w, r)
	if !ok {
		return
	}
	if err := u.q.RetryNow(id); err != nil {
		writeOutboxError(w, id, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]uint64{"retrying": id})
}

func (u *uploads) serveDrop(w http.ResponseWriter, r *http.Request) {
	id, ok := itemID(w, r)
	if !ok {
		return
	}
	if err := u.q.Drop(id); err != nil {
		writeOutboxError(w, id, err)
		return
	}
	u.log.Info("outbox item dropped by the operator", "id", id, "by", r.RemoteAddr)
	writeJSON(w, http.StatusOK, map[string]uint64{"dropped": id})
}

func itemID(w http.ResponseWriter, r *http.Request) (uint64, bool) {
	id, err := strconv.ParseUint(r.FormValue("id"), 10, 64)
	if err != nil || id == 0 {
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": "id " + strconv.Quote(r.FormValue("id")) + ": want an item id from `lubo outbox list` (a positive number), or all to retry"})
		return 0, false
	}
	return id, true
}

func writeOutboxError(w http.ResponseWriter, id uint64, err error) {
	code := http.StatusInternalServerError
	if errors.Is(err, storage.ErrNotFound) {
		code = http.StatusNotFound
	}
	writeJSON(w, code, map[string]string{"error": "item " + strconv.FormatUint(id, 10) + ": " + err.Error()})
}

func writeJSON(w http.ResponseWriter, code int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	_ = json.NewEncoder(w).Encode(v)
}
