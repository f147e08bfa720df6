package onenettest

import (
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
)

// playAddress is 4.1: the media server is the emulator itself.
func (e *Emulator) playAddress(w http.ResponseWriter, r *http.Request) {
	e.mu.Lock()
	defer e.mu.Unlock()
	q, ok1 := e.begin(w, r, http.MethodGet)
	if !ok1 {
		return
	}
	d, ch, ok1 := q.channel()
	if !ok1 {
		return
	}
	proto, ok1 := q.intParam("protocol_type", 0, 2)
	if !ok1 {
		return
	}
	token := "tk" + randomHex(16)
	e.st.tokens[token] = playGrant{chanKey: chanKey{d.ID, ch.ID}, hls: proto != 0}
	typ := e.cfg.RTMPType
	switch proto {
	case 1:
		typ = "hls"
	case 2:
		typ = "https-hls"
	}
	ok(w, map[string]any{"data": map[string]any{"addr": e.addr, "accessToken": token, "type": typ}})
}

// preload is 4.2 GET /live/live_{DEVICE_ID}_{CHANNEL_ID}/preload with the
// token of an HLS play address for that channel and idle_time <= 120.
func (e *Emulator) preload(w http.ResponseWriter, r *http.Request) {
	e.mu.Lock()
	defer e.mu.Unlock()
	q, ok1 := e.begin(w, r, http.MethodGet)
	if !ok1 {
		return
	}
	middle := strings.TrimSuffix(strings.TrimPrefix(r.URL.Path, "/live/live_"), "/preload")
	dev, chText, found := strings.Cut(middle, "_")
	chID, err := strconv.Atoi(chText)
	if !found || err != nil || chID < 0 {
		refuse(w, ErrnoInvalidParam, "invalid stream name")
		return
	}
	if !q.who.mayActOn(dev) {
		refuse(w, ErrnoAuthFailed, "auth failed: this key does not own device "+dev)
		return
	}
	if _, exists := e.st.channels[dev][chID]; !exists {
		refuse(w, ErrnoChannelNotFound, "This channel is not available under this device!")
		return
	}
	token, ok1 := q.param("token")
	if !ok1 {
		return
	}
	grant, valid := e.st.tokens[token]
	if !valid || !grant.hls || grant.chanKey != (chanKey{dev, chID}) {
		refuse(w, ErrnoAuthFailed, "auth failed: invalid play token")
		return
	}
	idle, ok1 := q.intParam("idle_time", 1, maxIdleTime)
	if !ok1 {
		return
	}
	e.st.preloads = append(e.st.preloads, Preload{DeviceID: dev, ChannelID: chID, IdleTime: idle, At: e.cfg.Now()})
	ok(w, nil)
}

func (e *Emulator) findPicture(dev string, ch int, name string) int {
	for i, p := range e.st.pictures {
		if p.DeviceID == dev && p.ChannelID == ch && p.Name == name {
			return i
		}
	}
	return -1
}

// uploadPicture is 5.1 PUT picture/upload: a name already used on the
// channel is refused.
func (e *Emulator) uploadPicture(w http.ResponseWriter, r *http.Request) {
	e.mu.Lock()
	defer e.mu.Unlock()
	q, ok1 := e.begin(w, r, http.MethodPut)
	if !ok1 {
		return
	}
	d, ch, ok1 := q.channel()
	if !ok1 {
		return
	}
	format, ok1 := q.param("format")
	if !ok1 {
		return
	}
	if format != "jpg" && format != "png" {
		refuse(w, ErrnoInvalidParam, "invalid parameter: format must be jpg or png")
		return
	}
	name, ok1 := q.param("name")
	if !ok1 {
		return
	}
	if e.findPicture(d.ID, ch.ID, name) >= 0 {
		refuse(w, ErrnoPictureExists, "picture name already exists")
		return
	}
	if r.ContentLength > maxPictureSize {
		refuse(w, ErrnoInvalidParam, "picture too large")
		return
	}
	data, err := io.ReadAll(io.LimitReader(r.Body, maxPictureSize+1))
	if err != nil || len(data) > maxPictureSize {
		refuse(w, ErrnoInvalidParam, "picture unreadable or too large")
		return
	}
	if len(data) == 0 {
		refuse(w, ErrnoParamRequired, "picture content required")
		return
	}
	e.st.pictures = append(e.st.pictures, Picture{DeviceID: d.ID, ChannelID: ch.ID, Name: name,
		Desc: r.URL.Query().Get("desc"), Format: format, Data: data, At: e.cfg.Now()})
	ok(w, nil)
}

// pictureInfo is 5.3 get_info.
func (e *Emulator) pictureInfo(w http.ResponseWriter, r *http.Request) {
	e.mu.Lock()
	defer e.mu.Unlock()
	q, ok1 := e.begin(w, r, http.MethodGet)
	if !ok1 {
		return
	}
	d, ch, ok1 := q.channel()
	if !ok1 {
		return
	}
	name, ok1 := q.param("name")
	if !ok1 {
		return
	}
	i := e.findPicture(d.ID, ch.ID, name)
	if i < 0 {
		refuse(w, ErrnoPictureNotFound, "picture not found")
		return
	}
	p := e.st.pictures[i]
	ok(w, map[string]any{"data": map[string]any{"format": p.Format, "size": len(p.Data), "date": p.At.Unix(),
		"name": p.Name, "desc": p.Desc, "url": fmt.Sprintf("http://%s/pictures/%s/%d/%s", e.addr, p.DeviceID, p.ChannelID, p.Name)}})
}

// deletePicture is 5.4 delete_pictrue.
func (e *Emulator) deletePicture(w http.ResponseWriter, r *http.Request) {
	e.mu.Lock()
	defer e.mu.Unlock()
	q, ok1 := e.begin(w, r, http.MethodDelete)
	if !ok1 {
		return
	}
	d, ch, ok1 := q.channel()
	if !ok1 {
		return
	}
	name, ok1 := q.param("name")
	if !ok1 {
		return
	}
	i := e.findPicture(d.ID, ch.ID, name)
	if i < 0 {
		refuse(w, ErrnoPictureNotFound, "picture not found")
		return
	}
	e.st.pictures = append(e.st.pictures[:i], e.st.pictures[i+1:]...)
	ok(w, nil)
}

// recordVideo is 12 record_video: product_id, device_id, channel_id and
// action 0/1 are all required.
func (e *Emulator) recordVideo(w http.ResponseWriter, r *http.Request) {
	e.mu.Lock()
	defer e.mu.Unlock()
	q, ok1 := e.begin(w, r, http.MethodGet)
	if !ok1 {
		return
	}
	product, ok1 := q.param("product_id")
	if !ok1 {
		return
	}
	if product != e.cfg.ProductID {
		refuse(w, ErrnoInvalidParam, "invalid parameter: product_id")
		return
	}
	d, ch, ok1 := q.channel()
	if !ok1 {
		return
	}
	action, ok1 := q.intParam("action", 0, 1)
	if !ok1 {
		return
	}
	k := chanKey{d.ID, ch.ID}
	e.st.recording[k] = action == 1
	e.st.events = append(e.st.events, RecordingEvent{DeviceID: d.ID, ChannelID: ch.ID, Start: action == 1, At: e.cfg.Now()})
	ok(w, nil)
}
