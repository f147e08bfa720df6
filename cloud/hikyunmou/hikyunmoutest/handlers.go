package hikyunmoutest

import (
	"crypto/subtle"
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
)

var messages = map[string]string{
	CodeOK:                "操作成功",
	CodeNeedsConfirm:      "设备需要确权",
	CodeBadParameter:      "参数错误",
	CodeNoDevice:          "设备不存在",
	CodeBadValidateCode:   "设备验证码错误",
	CodeAlreadyAdded:      "设备已添加",
	CodeAutoConfirmFailed: "自动确权失败",
	CodeStillOnline:       "设备未下线",
	CodeNotOnline:         "设备未上线",
	CodeNoOfflineConfirm:  "请先完成下线确认",
}

func writeJSON(w http.ResponseWriter, status int, body any) {
	w.Header().Set("Content-Type", "application/json;charset=UTF-8")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(body)
}

func writeCode(w http.ResponseWriter, code string, data any) {
	writeJSON(w, http.StatusOK, map[string]any{"code": code, "message": messages[code], "data": data})
}

func writeOAuthError(w http.ResponseWriter, status int, code, description string) {
	writeJSON(w, status, map[string]string{"error": code, "error_description": description})
}

// begin checks the method, records the call (and the poll, for 确权 calls),
// then applies a stall or queued fault. It returns false when it has answered.
func (e *Emulator) begin(w http.ResponseWriter, r *http.Request, method string, kind PollKind) bool {
	if r.Method != method {
		w.Header().Set("Allow", method)
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return false
	}
	r.Body = http.MaxBytesReader(w, r.Body, 64<<10)
	e.mu.Lock()
	now := e.cfg.Now()
	e.calls = append(e.calls, Call{Path: r.URL.Path, At: now})
	if kind != "" {
		if d := e.devices[r.URL.Query().Get("deviceSerial")]; d != nil {
			d.polls = append(d.polls, Poll{Kind: kind, At: now})
		}
	}
	var f *fault
	if q := e.faults[r.URL.Path]; len(q) > 0 {
		f, e.faults[r.URL.Path] = &q[0], q[1:]
	}
	st := e.stall
	e.mu.Unlock()
	if st != nil {
		st.once.Do(func() { close(st.arrived) })
		select {
		case <-st.release:
		case <-r.Context().Done():
			return false
		}
	}
	if f == nil {
		return true
	}
	if f.raw != "" {
		if f.status != 0 {
			w.WriteHeader(f.status)
		}
		_, _ = w.Write([]byte(f.raw))
		return false
	}
	msg := f.msg
	if msg == "" {
		msg = messages[f.code]
	}
	writeJSON(w, http.StatusOK, map[string]any{"code": f.code, "message": msg, "data": nil})
	return false
}

func (e *Emulator) handleToken(w http.ResponseWriter, r *http.Request) {
	if !e.begin(w, r, http.MethodPost, "") {
		return
	}
	if err := r.ParseForm(); err != nil {
		writeOAuthError(w, http.StatusBadRequest, "invalid_request", "malformed form")
		return
	}
	f := r.PostForm
	if gt := f.Get("grant_type"); gt != "client_credentials" {
		writeOAuthError(w, http.StatusBadRequest, "unsupported_grant_type", "Unsupported grant type: "+strconv.Quote(gt))
		return
	}
	id, secret := f.Get("client_id"), f.Get("client_secret")
	e.mu.Lock()
	defer e.mu.Unlock()
	want, ok := e.clients[id]
	if id == "" || !ok || subtle.ConstantTimeCompare([]byte(want), []byte(secret)) != 1 {
		writeOAuthError(w, http.StatusUnauthorized, "invalid_client", "Bad client credentials")
		return
	}
	tok := randomHex(8) + "-" + randomHex(4) + "-" + randomHex(4) + "-" + randomHex(4) + "-" + randomHex(12)
	e.tokens[tok] = e.cfg.Now().Add(e.cfg.TokenTTL)
	writeJSON(w, http.StatusOK, map[string]any{
		"access_token": tok, "token_type": "bearer", "expires_in": int64(e.cfg.TokenTTL.Seconds()), "scope": "app",
	})
}

// authorized checks the bearer token. Call with e.mu held; false means answered.
func (e *Emulator) authorized(w http.ResponseWriter, r *http.Request) bool {
	tok, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	if !ok || tok == "" {
		writeOAuthError(w, http.StatusUnauthorized, "unauthorized", "Full authentication is required to access this resource")
		return false
	}
	exp, known := e.tokens[tok]
	switch {
	case e.rejectTokens > 0:
		e.rejectTokens--
		writeOAuthError(w, http.StatusUnauthorized, "invalid_token", "Invalid access token")
		return false
	case !known:
		writeOAuthError(w, http.StatusUnauthorized, "invalid_token", "Invalid access token")
		return false
	case !e.cfg.Now().Before(exp):
		writeOAuthError(w, http.StatusUnauthorized, "invalid_token", "Access token expired")
		return false
	}
	return true
}

func (e *Emulator) handleRegister(w http.ResponseWriter, r *http.Request) {
	if !e.begin(w, r, http.MethodPost, "") {
		return
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	if !e.authorized(w, r) {
		return
	}
	var req struct {
		DeviceSerial string `json:"deviceSerial"`
		GroupNo      string `json:"groupNo"`
		ValidateCode string `json:"validateCode"`
	}
	if !strings.HasPrefix(r.Header.Get("Content-Type"), "application/json") ||
		json.NewDecoder(r.Body).Decode(&req) != nil || req.DeviceSerial == "" || req.GroupNo == "" || req.ValidateCode == "" {
		writeCode(w, CodeBadParameter, nil)
		return
	}
	d := e.devices[req.DeviceSerial]
	switch {
	case d == nil:
		writeCode(w, CodeNoDevice, nil)
	case subtle.ConstantTimeCompare([]byte(d.ValidateCode), []byte(req.ValidateCode)) != 1:
		writeCode(w, CodeBadValidateCode, nil)
	case d.NeedsConfirm && !d.confirmed:
		writeCode(w, CodeNeedsConfirm, nil)
	case d.registered:
		writeCode(w, CodeAlreadyAdded, nil)
	default:
		d.registered = true
		writeCode(w, CodeOK, map[string]any{"deviceId": "dev-" + d.Serial, "deviceSerial": d.Serial, "deviceName": "IPC-" + d.Serial, "groupNo": req.GroupNo})
	}
}

func (e *Emulator) confirmHandler(kind PollKind) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if !e.begin(w, r, http.MethodGet, kind) {
			return
		}
		e.mu.Lock()
		defer e.mu.Unlock()
		if !e.authorized(w, r) {
			return
		}
		serial := r.URL.Query().Get("deviceSerial")
		if serial == "" {
			writeCode(w, CodeBadParameter, nil)
			return
		}
		d := e.devices[serial]
		if d == nil {
			writeCode(w, CodeNoDevice, nil)
			return
		}
		code := CodeOK
		switch kind {
		case PollAuto:
			if d.NeedsConfirm && !d.confirmed {
				if d.AutoConfirm {
					d.confirmed = true
				} else {
					code = CodeAutoConfirmFailed
				}
			}
		case PollOffline:
			if e.online(d) {
				code = CodeStillOnline
			} else {
				d.offlineConfirmed = true
			}
		case PollOnline:
			switch {
			case !d.offlineConfirmed:
				code = CodeNoOfflineConfirm
			case !e.online(d):
				code = CodeNotOnline
			default:
				d.confirmed = true
			}
		}
		if code == CodeOK && len(d.polls) > 0 {
			d.polls[len(d.polls)-1].OK = true
		}
		writeCode(w, code, nil)
	}
}
