package onenettest

import (
	"encoding/json"
	"io"
	"net/http"
	"strconv"
	"strings"
	"unicode/utf8"
)

// readJSON reads a bounded JSON body into v, refusing what does not decode.
func readJSON(w http.ResponseWriter, r *http.Request, v any) bool {
	b, err := io.ReadAll(io.LimitReader(r.Body, maxJSONBody+1))
	if err != nil || len(b) > maxJSONBody || json.Unmarshal(b, v) != nil {
		refuse(w, ErrnoInvalidParam, "invalid JSON body")
		return false
	}
	return true
}

// createDevice is 1.1 POST /devices: master key only.
func (e *Emulator) createDevice(w http.ResponseWriter, r *http.Request) {
	e.mu.Lock()
	defer e.mu.Unlock()
	q, allowed := e.begin(w, r, http.MethodPost)
	if !allowed || !q.masterOnly() {
		return
	}
	var body struct {
		Title    *string         `json:"title"`
		Desc     string          `json:"desc"`
		Protocol string          `json:"protocol"`
		AuthInfo json.RawMessage `json:"auth_info"`
	}
	if !readJSON(w, r, &body) {
		return
	}
	switch {
	case body.Title == nil || *body.Title == "":
		refuse(w, ErrnoParamRequired, "parameter required: title")
		return
	case utf8.RuneCountInString(*body.Title) > maxDeviceTitle:
		refuse(w, ErrnoInvalidParam, "invalid parameter: title longer than 64 characters")
		return
	case !strings.EqualFold(body.Protocol, "RTMP"):
		refuse(w, ErrnoInvalidParam, "invalid parameter: protocol must be RTMP")
		return
	}
	auth := ""
	if len(body.AuthInfo) > 0 && string(body.AuthInfo) != "null" {
		var s string
		if json.Unmarshal(body.AuthInfo, &s) != nil {
			s = string(body.AuthInfo) // an object: kept as its JSON
		}
		auth = s
		for _, d := range e.st.devices {
			if d.AuthInfo == auth {
				refuse(w, ErrnoAuthInfoExists, "auth_info already exists in this product")
				return
			}
		}
	}
	d := e.newDevice(Device{Title: *body.Title, Desc: body.Desc, AuthInfo: auth})
	ok(w, map[string]any{"data": map[string]any{"device_id": d.ID}})
}

// registerDevice is 1.2 POST /register_de: the register code is the
// credential. The same sn or mac under a code finds the device made
// before (so a box whose answer was lost can register again).
func (e *Emulator) registerDevice(w http.ResponseWriter, r *http.Request) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if r.Method != http.MethodPost {
		refuse(w, ErrnoInvalidParam, "method not allowed: want POST")
		return
	}
	code := r.URL.Query().Get("register_code")
	if code == "" {
		refuse(w, ErrnoParamRequired, "parameter required: register_code")
		return
	}
	if !e.st.registerCodes[code] {
		refuse(w, ErrnoAuthFailed, "auth failed: invalid register_code")
		return
	}
	var body struct {
		SN    string `json:"sn"`
		MAC   string `json:"mac"`
		Title string `json:"title"`
		Area  any    `json:"area"`
	}
	if !readJSON(w, r, &body) {
		return
	}
	switch {
	case (body.SN == "") == (body.MAC == ""):
		refuse(w, ErrnoInvalidParam, "invalid parameter: exactly one of sn and mac")
		return
	case utf8.RuneCountInString(body.SN) > maxSNMAC || utf8.RuneCountInString(body.MAC) > maxSNMAC:
		refuse(w, ErrnoInvalidParam, "invalid parameter: sn/mac longer than 512")
		return
	case utf8.RuneCountInString(body.Title) > maxRegisterTitle:
		refuse(w, ErrnoInvalidParam, "invalid parameter: title longer than 32")
		return
	}
	for _, d := range e.st.devices {
		if (body.SN != "" && d.SN == body.SN) || (body.MAC != "" && d.MAC == body.MAC) {
			e.answerRegistration(w, d)
			return
		}
	}
	title := body.Title
	if title == "" {
		title = body.SN + body.MAC
	}
	d := e.newDevice(Device{Title: title, SN: body.SN, MAC: body.MAC})
	e.answerRegistration(w, d)
}

func (e *Emulator) answerRegistration(w http.ResponseWriter, d *Device) {
	id, _ := strconv.Atoi(d.ID)
	ok(w, map[string]any{"data": map[string]any{"key": d.Key, "device_id": id}})
}

// deviceStatus is 8 QryDevStatus: 1-30 ids, at most 500 characters.
// Unknown ids are left out of the answer.
func (e *Emulator) deviceStatus(w http.ResponseWriter, r *http.Request) {
	e.mu.Lock()
	defer e.mu.Unlock()
	q, ok1 := e.begin(w, r, http.MethodGet)
	if !ok1 {
		return
	}
	raw, ok1 := q.param("devIds")
	if !ok1 {
		return
	}
	ids := strings.Split(raw, ",")
	if len(ids) > maxStatusIDs || len(raw) > maxStatusIDsLen {
		refuse(w, ErrnoInvalidParam, "invalid parameter: devIds (at most 30 ids, 500 characters)")
		return
	}
	devices := []map[string]any{}
	for _, id := range ids {
		if !q.who.mayActOn(id) {
			refuse(w, ErrnoAuthFailed, "auth failed: this key does not own device "+id)
			return
		}
		if d, found := e.st.devices[id]; found {
			devices = append(devices, map[string]any{"id": d.ID, "online": d.Online})
		}
	}
	ok(w, map[string]any{"result": map[string]any{"total_count": len(devices), "devices": devices}})
}
