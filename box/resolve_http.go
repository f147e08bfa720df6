package box

import (
	"net/http"
	"time"

	"github.com/lubo-edge/lubo/internal/redact"
	"github.com/lubo-edge/lubo/relay/sources"
)

// resolveHandler is GET /api/cloud/resolve?source=ezviz://SERIAL/1?quality=1:
// the play address a cloud gives for one of its cameras, as the box
// resolves it for its own channels, for a cloud player that asks the box.
// The address carries the cloud's signature: like every other path, this
// one belongs on the school LAN.
func resolveHandler(reg *sources.Registry) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		src := r.URL.Query().Get("source")
		if src == "" {
			writeJSON(w, http.StatusBadRequest, map[string]string{"error": "source is required, e.g. /api/cloud/resolve?source=ezviz://D12345678/1?quality=1 (percent-encoded)"})
			return
		}
		a, err := reg.Resolve(r.Context(), src)
		if err != nil {
			writeJSON(w, http.StatusBadGateway, map[string]string{"error": redact.Text(err.Error())})
			return
		}
		out := map[string]string{"source": redact.URL(src), "url": a.URL}
		if !a.Expires.IsZero() {
			out["expires_at"] = a.Expires.Format(time.RFC3339)
		}
		writeJSON(w, http.StatusOK, out)
	})
}
