package segmenter

import (
	"bytes"
	"net/http"
	"os"
	"strconv"
	"strings"
	"time"
)

// PlaylistName is the playlist's file name in a channel's HLS folder.
const PlaylistName = "index.m3u8"

// ServeHTTP serves the channel's HLS folder; paths are relative to it (mount
// with http.StripPrefix): "index.m3u8", "seg{N}.ts" or "seg{N}.m4s", and the
// fMP4 init sections "init{N}.mp4". Unknown and expired segments are 404.
// Before the first segment is complete, a playlist request waits for it, up
// to 3 targets + 2 s or until the client goes away, then answers 503.
func (h *HLS) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	h.lastRequest.Store(time.Now().UnixNano())
	hdr := w.Header()
	hdr.Set("Access-Control-Allow-Origin", "*")
	switch r.Method {
	case http.MethodGet, http.MethodHead:
	case http.MethodOptions:
		hdr.Set("Access-Control-Allow-Methods", "GET, HEAD, OPTIONS")
		hdr.Set("Access-Control-Allow-Headers", "Range")
		w.WriteHeader(http.StatusNoContent)
		return
	default:
		hdr.Set("Allow", "GET, HEAD, OPTIONS")
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	name := strings.TrimPrefix(r.URL.Path, "/")
	if name == PlaylistName {
		h.servePlaylist(w, r)
		return
	}
	for _, ext := range []string{".ts", ".m4s"} {
		if seq, ok := parseNumbered(name, "seg", ext); ok {
			h.serveSegment(w, r, seq, ext)
			return
		}
	}
	if seq, ok := parseNumbered(name, "init", ".mp4"); ok {
		h.serveInit(w, r, seq)
		return
	}
	http.NotFound(w, r)
}

// parseSegmentName reads N from "seg{N}.ts".
func parseSegmentName(name string) (uint64, bool) { return parseNumbered(name, "seg", ".ts") }

// parseNumbered reads N from prefix{N}suffix, N in canonical decimal (no
// sign, no leading zero), so every file has exactly one name.
func parseNumbered(name, prefix, suffix string) (uint64, bool) {
	digits, ok := strings.CutPrefix(name, prefix)
	if !ok {
		return 0, false
	}
	digits, ok = strings.CutSuffix(digits, suffix)
	if !ok || digits == "" || digits[0] == '+' || (len(digits) > 1 && digits[0] == '0') {
		return 0, false
	}
	seq, err := strconv.ParseUint(digits, 10, 64)
	return seq, err == nil
}

func (h *HLS) servePlaylist(w http.ResponseWriter, r *http.Request) {
	wait := time.NewTimer(3*h.opts.Target + 2*time.Second)
	defer wait.Stop()
	select {
	case <-h.ready:
	case <-wait.C:
	case <-r.Context().Done():
	}
	h.mu.Lock()
	playlist, ended := h.playlist, h.ended
	h.mu.Unlock()
	if playlist == nil {
		if ended {
			http.Error(w, "the stream ended without a segment", http.StatusNotFound)
			return
		}
		w.Header().Set("Retry-After", "1")
		http.Error(w, "no segment yet", http.StatusServiceUnavailable)
		return
	}
	hdr := w.Header()
	hdr.Set("Content-Type", "application/vnd.apple.mpegurl")
	hdr.Set("Cache-Control", "no-cache")
	hdr.Set("Content-Length", strconv.Itoa(len(playlist)))
	if r.Method == http.MethodHead {
		return
	}
	_, _ = w.Write(playlist) // a client gone away is not our error
}

// contentTypes are the media types of segment files, by extension.
var contentTypes = map[string]string{".ts": "video/mp2t", ".m4s": "video/mp4", ".mp4": "video/mp4"}

func (h *HLS) serveSegment(w http.ResponseWriter, r *http.Request, seq uint64, ext string) {
	data, path := h.segmentData(seq, ext)
	var file *os.File
	if path != "" {
		// Opened under no lock; a segment expiring right now is still
		// readable through the open file.
		f, err := os.Open(path)
		if err == nil {
			file = f
			defer f.Close()
		}
	}
	if data == nil && file == nil {
		http.Error(w, "no such segment (expired or not yet made)", http.StatusNotFound)
		return
	}
	h.setSegmentHeaders(w, ext)
	if file != nil {
		// ServeContent over an *os.File lets the server use sendfile.
		http.ServeContent(w, r, "", time.Time{}, file)
		return
	}
	serveBytes(w, r, data)
}

// serveInit serves the fMP4 init section first used by segment seq, while a
// segment that uses it is held.
func (h *HLS) serveInit(w http.ResponseWriter, r *http.Request, seq uint64) {
	data := h.initData(initName(seq))
	if data == nil {
		http.Error(w, "no such init section (expired or not yet made)", http.StatusNotFound)
		return
	}
	h.setSegmentHeaders(w, ".mp4")
	serveBytes(w, r, data)
}

func (h *HLS) setSegmentHeaders(w http.ResponseWriter, ext string) {
	hdr := w.Header()
	hdr.Set("Content-Type", contentTypes[ext])
	// A segment never changes, but may be dropped after about keep
	// targets; caching longer than that buys nothing.
	hdr.Set("Cache-Control", "public, max-age="+strconv.Itoa(int(time.Duration(h.keep)*h.opts.Target/time.Second)))
}

// serveBytes answers with data, which is never modified.
func serveBytes(w http.ResponseWriter, r *http.Request, data []byte) {
	if r.Header.Get("Range") != "" {
		http.ServeContent(w, r, "", time.Time{}, bytes.NewReader(data))
		return
	}
	w.Header().Set("Content-Length", strconv.Itoa(len(data)))
	if r.Method == http.MethodHead {
		return
	}
	_, _ = w.Write(data) // a client gone away is not our error
}

// segmentData returns the bytes or the file of segment seq when it is held
// and has extension ext; both are empty otherwise.
func (h *HLS) segmentData(seq uint64, ext string) (data []byte, path string) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if len(h.segments) == 0 || seq < h.segments[0].seq {
		return nil, ""
	}
	i := seq - h.segments[0].seq
	if i >= uint64(len(h.segments)) || h.segments[i].ext != ext {
		return nil, ""
	}
	return h.segments[i].data, h.segments[i].path
}

// initData returns the init section called name when a held segment uses it.
func (h *HLS) initData(name string) []byte {
	h.mu.Lock()
	defer h.mu.Unlock()
	for _, s := range h.segments {
		if s.init != nil && s.init.name == name {
			return s.init.data
		}
	}
	return nil
}
