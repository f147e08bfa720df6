package api

import (
	"net/http"
)

func (s *Server) serveHLS(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("ch")
	h, ok := s.box.HLS(id)
	if !ok {
		http.Error(w, "no channel "+quote(id), http.StatusNotFound)
		return
	}
	// The muxer serves paths relative to the channel's folder.
	r2 := r.Clone(r.Context())
	r2.URL.Path = r.PathValue("file")
	h.ServeHTTP(w, r2)
}
