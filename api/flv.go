package api

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"time"

	"github.com/lubo-edge/lubo/relay"
	"github.com/lubo-edge/lubo/relay/flv"
)

// firstFrameWait bounds how long a viewer waits for a source to deliver its
// first frame (an on-demand camera has to be dialed first).
const firstFrameWait = 20 * time.Second

// writeTimeout ends a viewer whose connection stopped taking data.
const writeTimeout = 15 * time.Second

func (s *Server) serveFLV(w http.ResponseWriter, r *http.Request) {
	file := r.PathValue("file")
	id, ok := strings.CutSuffix(file, ".flv")
	if !ok {
		http.Error(w, "want /live/{channel}.flv", http.StatusNotFound)
		return
	}
	// Web players (mpegts.js, flv.js) cannot play G.711: by default they
	// get it as AAC; ?audio=g711 keeps the camera's sound as it is.
	pick := s.box.WebStream
	switch a := r.URL.Query().Get("audio"); a {
	case "", "aac":
	case "g711":
		pick = s.box.LiveStream
	default:
		http.Error(w, "audio="+quote(a)+": want aac (the default) or g711", http.StatusBadRequest)
		return
	}
	// H.265 goes out with FLV codec id 12 (what Chinese players read) unless
	// the player asks for enhanced FLV (FourCC hvc1: ffmpeg 6.1+, OBS).
	// H.264 channels are written the same either way.
	hevc, err := flv.ParseHEVCMode(r.URL.Query().Get("hevc"))
	if err != nil {
		http.Error(w, "hevc="+quote(r.URL.Query().Get("hevc"))+": want 12 (the default) or enhanced", http.StatusBadRequest)
		return
	}
	st, ok := pick(id)
	if !ok {
		http.Error(w, "no channel "+quote(id), http.StatusNotFound)
		return
	}
	rd, err := st.AddReader("flv " + r.RemoteAddr)
	if err != nil {
		http.Error(w, "channel "+quote(id)+" is stopping", http.StatusServiceUnavailable)
		return
	}
	defer rd.Close()
	log := s.log.With("channel", id, "viewer", r.RemoteAddr)

	wait, cancel := context.WithTimeout(r.Context(), firstFrameWait)
	first, err := rd.Read(wait)
	cancel()
	if err != nil {
		msg := "channel " + quote(id) + " has no picture yet"
		if e := st.LastError(); e != "" {
			msg += ": " + e
		}
		http.Error(w, msg, http.StatusGatewayTimeout)
		return
	}

	h := w.Header()
	h.Set("Content-Type", "video/x-flv")
	h.Set("Access-Control-Allow-Origin", "*")
	h.Set("Cache-Control", "no-cache")
	w.WriteHeader(http.StatusOK)
	rc := http.NewResponseController(w)
	fw := flv.NewWriter(w, first.Tracks, flv.WithHEVCMode(hevc))
	log.Info("flv viewer joined", "hevc", hevc.String())
	f := first
	for {
		_ = rc.SetWriteDeadline(time.Now().Add(writeTimeout))
		if err := fw.WriteFrame(f); err != nil {
			log.Info("flv viewer left", "err", err, "dropped", rd.Dropped())
			return
		}
		// Flush once the queue is drained, so a burst (the cached GOP) goes
		// out in few packets and a steady stream still leaves at once.
		if rd.Pending() == 0 {
			if err := rc.Flush(); err != nil {
				log.Info("flv viewer left", "err", err, "dropped", rd.Dropped())
				return
			}
		}
		f, err = rd.Read(r.Context())
		if err != nil {
			if errors.Is(err, relay.ErrReaderClosed) {
				_ = fw.EndSequence()
				log.Info("flv viewer closed: channel stopped")
			} else {
				log.Info("flv viewer left", "dropped", rd.Dropped())
			}
			return
		}
	}
}

func quote(s string) string { return "\"" + s + "\"" }
