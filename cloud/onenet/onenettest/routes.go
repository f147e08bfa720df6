package onenettest

import (
	"net/http"
	"strconv"
	"strings"
)

// route answers one request as the platform would.
func (e *Emulator) route(w http.ResponseWriter, r *http.Request) {
	p := r.URL.Path
	switch {
	case p == "/devices":
		e.createDevice(w, r)
	case p == "/register_de":
		e.registerDevice(w, r)
	case p == "/ipc/video/device/QryChannel":
		e.queryChannels(w, r)
	case p == "/ipc/video/device/AddChannel":
		e.addChannel(w, r)
	case p == "/ipc/video/device/ModifyChannel":
		e.modifyChannel(w, r)
	case p == "/ipc/video/device/DelChannel":
		e.deleteChannel(w, r)
	case p == "/ipc/video/device/QryDevStatus":
		e.deviceStatus(w, r)
	case p == "/ipc/video/play_address":
		e.playAddress(w, r)
	case strings.HasPrefix(p, "/live/live_") && strings.HasSuffix(p, "/preload"):
		e.preload(w, r)
	case p == "/ipc/video/picture/upload":
		e.uploadPicture(w, r)
	case p == "/ipc/video/picture/get_info":
		e.pictureInfo(w, r)
	case p == "/ipc/video/picture/delete_pictrue":
		e.deletePicture(w, r)
	case p == "/ipc/video/record/record_video":
		e.recordVideo(w, r)
	case p == "/ipc/video/file/upload":
		e.uploadFile(w, r)
	case p == "/ipc/video/file/download":
		e.downloadFile(w, r)
	case p == "/ipc/video/file/list":
		e.listFiles(w, r)
	case p == "/ipc/video/file/delete":
		e.deleteFile(w, r)
	default:
		writeJSON(w, http.StatusNotFound, map[string]any{"errno": 404, "error": "resource not found"})
	}
}

// request is one video-API request being checked. Each check answers the
// refusal itself and returns false, so a handler reads as a list of rules.
type request struct {
	e   *Emulator
	w   http.ResponseWriter
	r   *http.Request
	who caller
}

// begin checks the method and api-key; callers hold e.mu for the whole
// handler.
func (e *Emulator) begin(w http.ResponseWriter, r *http.Request, method string) (*request, bool) {
	if r.Method != method {
		refuse(w, ErrnoInvalidParam, "method not allowed: want "+method)
		return nil, false
	}
	who, known := e.whoIs(r)
	if !known {
		refuse(w, ErrnoAuthFailed, "auth failed: missing or invalid api-key")
		return nil, false
	}
	return &request{e: e, w: w, r: r, who: who}, true
}

func (q *request) param(name string) (string, bool) {
	v := q.r.URL.Query().Get(name)
	if v == "" {
		refuse(q.w, ErrnoParamRequired, "parameter required: "+name)
		return "", false
	}
	return v, true
}

func (q *request) intParam(name string, lo, hi int) (int, bool) {
	v, ok := q.param(name)
	if !ok {
		return 0, false
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < lo || n > hi {
		refuse(q.w, ErrnoInvalidParam, "invalid parameter: "+name)
		return 0, false
	}
	return n, true
}

// device checks the device_id parameter: the key may act on it, and it
// exists.
func (q *request) device(param string) (*Device, bool) {
	id, ok := q.param(param)
	if !ok {
		return nil, false
	}
	if !q.who.mayActOn(id) {
		refuse(q.w, ErrnoAuthFailed, "auth failed: this key does not own device "+id)
		return nil, false
	}
	d, found := q.e.st.devices[id]
	if !found {
		refuse(q.w, ErrnoDeviceNotFound, "device not found")
		return nil, false
	}
	return d, true
}

// channel checks device_id and channel_id: both exist.
func (q *request) channel() (*Device, Channel, bool) {
	d, ok := q.device("device_id")
	if !ok {
		return nil, Channel{}, false
	}
	n, ok := q.intParam("channel_id", 0, 1<<31-1)
	if !ok {
		return nil, Channel{}, false
	}
	ch, found := q.e.st.channels[d.ID][n]
	if !found {
		refuse(q.w, ErrnoChannelNotFound, "This channel is not available under this device!")
		return nil, Channel{}, false
	}
	return d, ch, true
}

func (q *request) masterOnly() bool {
	if !q.who.master {
		refuse(q.w, ErrnoAuthFailed, "auth failed: the master key is required")
		return false
	}
	return true
}
