package onenettest

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/hex"
	"encoding/json"
	"net/http"
)

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// ok answers errno 0 with extra fields merged in.
func ok(w http.ResponseWriter, extra map[string]any) {
	body := map[string]any{"errno": 0, "error": "succ"}
	for k, v := range extra {
		body[k] = v
	}
	writeJSON(w, http.StatusOK, body)
}

// refuse answers a video-API refusal: HTTP 200 with a non-zero errno.
func refuse(w http.ResponseWriter, errno int, msg string) {
	writeJSON(w, http.StatusOK, map[string]any{"errno": errno, "error": msg})
}

// storageAnswer answers an object-storage call with a code of the table
// in section 15: the same number as HTTP status and errno, except the
// 1001-1003 name codes, which travel with HTTP 400.
func storageAnswer(w http.ResponseWriter, code int, msg string) {
	status := code
	if code >= 1000 {
		status = http.StatusBadRequest
	}
	writeJSON(w, status, map[string]any{"errno": code, "error": msg})
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

func sameKey(a, b string) bool {
	return len(a) == len(b) && subtle.ConstantTimeCompare([]byte(a), []byte(b)) == 1
}

// caller is who an api-key belongs to.
type caller struct {
	master bool
	device string // device id of a device key
}

// whoIs resolves the api-key header; ok is false for a missing or unknown
// key. Callers hold e.mu.
func (e *Emulator) whoIs(r *http.Request) (caller, bool) {
	key := r.Header.Get("api-key")
	if key == "" {
		return caller{}, false
	}
	if sameKey(key, e.cfg.MasterKey) {
		return caller{master: true}, true
	}
	for _, d := range e.st.devices {
		if sameKey(key, d.Key) {
			return caller{device: d.ID}, true
		}
	}
	return caller{}, false
}

// mayActOn: the master key acts on every device, a device key on its own.
func (c caller) mayActOn(deviceID string) bool { return c.master || c.device == deviceID }
