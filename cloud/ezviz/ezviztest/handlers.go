package ezviztest

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// Messages of the document's code table (and the public reference for the token call).
var messages = map[string]string{
	"10001": "参数错误",
	"10002": "accessToken异常或过期",
	"10005": "appKey异常",
	"10017": "appKey不存在",
	"10029": "个人版接口调用超限",
	"10030": "appKey和appSecret不匹配",
	"20001": "摄像头不存在",
	"20002": "设备不存在",
	"20007": "设备离线",
	"20018": "该用户不拥有该设备",
	"49999": "数据异常",
	"50000": "系统错误",
	"60000": "设备不支持云台控制",
	"60019": "设备已加密",
}

var chinaTime = time.FixedZone("CST", 8*3600)

const cloudTimeLayout = "2006-01-02 15:04:05"

// refusal is an Ezviz code answer.
type refusal string

func writeJSON(w http.ResponseWriter, code, msg string, data any) {
	w.Header().Set("Content-Type", "application/json;charset=UTF-8")
	body := map[string]any{"code": code, "msg": msg}
	if data != nil {
		body["data"] = data
	}
	_ = json.NewEncoder(w).Encode(body)
}

func writeRefusal(w http.ResponseWriter, code refusal) {
	writeJSON(w, string(code), messages[string(code)], nil)
}

func writeOK(w http.ResponseWriter, data any) { writeJSON(w, "200", "Operation succeeded", data) }

// begin records the call, applies a queued fault or stall, and parses the form.
// It returns false when the request has been answered already.
func (e *Emulator) begin(w http.ResponseWriter, r *http.Request) (url.Values, bool) {
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", http.MethodPost)
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return nil, false
	}
	r.Body = http.MaxBytesReader(w, r.Body, 64<<10)
	var form url.Values
	if strings.HasPrefix(r.Header.Get("Content-Type"), "application/x-www-form-urlencoded") {
		if err := r.ParseForm(); err == nil {
			form = r.PostForm
		}
	}
	if form == nil {
		form = url.Values{} // not form-encoded: every parameter is missing
	}
	e.mu.Lock()
	e.calls = append(e.calls, Call{Path: r.URL.Path, Form: form, At: e.cfg.Now()})
	var f *fault
	if q := e.faults[r.URL.Path]; len(q) > 0 {
		f, e.faults[r.URL.Path] = &q[0], q[1:]
	}
	stall := e.stall
	e.mu.Unlock()
	if stall != nil {
		stall.once.Do(func() { close(stall.arrived) })
		select {
		case <-stall.release:
		case <-r.Context().Done():
			return nil, false
		}
	}
	if f != nil {
		switch {
		case f.raw != "":
			if f.status != 0 {
				w.WriteHeader(f.status)
			}
			_, _ = w.Write([]byte(f.raw))
		default:
			msg := f.msg
			if msg == "" {
				msg = messages[f.code]
			}
			writeJSON(w, f.code, msg, nil)
		}
		return nil, false
	}
	return form, true
}

func (e *Emulator) handleToken(w http.ResponseWriter, r *http.Request) {
	form, ok := e.begin(w, r)
	if !ok {
		return
	}
	key, secret := form.Get("appKey"), form.Get("appSecret")
	if key == "" || secret == "" {
		writeRefusal(w, "10001")
		return
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	a := e.apps[key]
	switch {
	case a == nil:
		writeRefusal(w, "10017")
		return
	case !hmac.Equal([]byte(a.secret), []byte(secret)):
		writeRefusal(w, "10030")
		return
	case a.frozen:
		writeRefusal(w, "10005")
		return
	}
	tok := "at." + randomHex(16) + "-" + randomHex(5)
	exp := e.cfg.Now().Add(e.cfg.TokenTTL)
	e.tokens[tok] = issuedToken{appKey: key, expires: exp}
	writeOK(w, map[string]any{"accessToken": tok, "expireTime": exp.UnixMilli()})
}

// appFor checks the accessToken and returns the app it belongs to. Call with e.mu held.
func (e *Emulator) appFor(form url.Values) (string, refusal) {
	tok := form.Get("accessToken")
	if tok == "" {
		return "", "10001"
	}
	t, ok := e.tokens[tok]
	if !ok || !e.cfg.Now().Before(t.expires) {
		return "", "10002"
	}
	return t.appKey, ""
}

// channel finds a device channel the app may use. Call with e.mu held.
func (e *Emulator) channel(appKey string, form url.Values) (Device, int, refusal) {
	serial := form.Get("deviceSerial")
	ch, err := strconv.Atoi(form.Get("channelNo"))
	if serial == "" || err != nil || ch < 1 {
		return Device{}, 0, "10001"
	}
	d, ok := e.devices[serial]
	switch {
	case !ok:
		return d, 0, "20002"
	case d.Owner != "" && d.Owner != appKey:
		return d, 0, "20018"
	case ch > d.Channels:
		return d, 0, "20001"
	case !d.Online:
		return d, 0, "20007"
	}
	return d, ch, ""
}

func (e *Emulator) handleAddress(w http.ResponseWriter, r *http.Request) {
	form, ok := e.begin(w, r)
	if !ok {
		return
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	appKey, bad := e.appFor(form)
	if bad != "" {
		writeRefusal(w, bad)
		return
	}
	kind := form.Get("type") // absent: live (the document's live request has no type)
	if form.Get("protocol") != "3" || (kind != "" && kind != "1" && kind != "2" && kind != "3") {
		writeRefusal(w, "10001")
		return
	}
	playback := kind == "2" || kind == "3"
	var begin, end time.Time
	quality := form.Get("quality")
	if playback {
		var err1, err2 error
		begin, err1 = time.ParseInLocation(cloudTimeLayout, form.Get("startTime"), chinaTime)
		end, err2 = time.ParseInLocation(cloudTimeLayout, form.Get("stopTime"), chinaTime)
		if err1 != nil || err2 != nil || !end.After(begin) {
			writeRefusal(w, "10001")
			return
		}
	} else if quality != "1" && quality != "2" {
		writeRefusal(w, "10001")
		return
	}
	ttl := 86400 * time.Second
	if s := form.Get("expireTime"); s != "" {
		sec, err := strconv.Atoi(s)
		if err != nil || sec < 30 || sec > 720*24*3600 {
			writeRefusal(w, "10001")
			return
		}
		ttl = time.Duration(sec) * time.Second
	}
	d, ch, bad := e.channel(appKey, form)
	if bad == "" && d.Encrypted {
		bad = "60019"
	}
	if bad != "" {
		writeRefusal(w, bad)
		return
	}
	if e.addressTTL > 0 {
		ttl = e.addressTTL
	}
	e.nextID++
	id := strconv.FormatInt(e.nextID, 10)
	exp := e.cfg.Now().Add(ttl).Truncate(time.Second)

	base := d.StreamURL
	if base == "" {
		kindPath := "openlive"
		if playback {
			kindPath = "openpb"
		}
		stream := fmt.Sprintf("%s_%d_%s", d.Serial, ch, quality)
		if playback {
			stream = fmt.Sprintf("%s_%d_1", d.Serial, ch)
		}
		base = strings.TrimSuffix(e.cfg.StreamBase, "/") + "/" + kindPath + "/" + stream
	}
	addr := base
	if d.StreamURL == "" || !e.bareURLs {
		q := url.Values{}
		if playback {
			q.Set("begin", begin.In(chinaTime).Format("20060102150405"))
			q.Set("end", end.In(chinaTime).Format("20060102150405"))
			q.Set("rec", map[string]string{"2": "local", "3": "cloud"}[kind])
		}
		q.Set("expire", strconv.FormatInt(exp.Unix(), 10))
		q.Set("id", id)
		q.Set("ev", "100")
		q.Set("t", e.sign(base, exp.Unix(), id))
		sep := "?"
		if strings.Contains(base, "?") {
			sep = "&"
		}
		addr = base + sep + q.Encode()
	}
	writeOK(w, map[string]any{"id": id, "url": addr, "expireTime": exp.In(chinaTime).Format(cloudTimeLayout)})
}

func (e *Emulator) sign(base string, expire int64, id string) string {
	m := hmac.New(sha256.New, e.key)
	fmt.Fprintf(m, "%s\n%d\n%s", base, expire, id)
	return hex.EncodeToString(m.Sum(nil))
}

// AddressValid says whether addr is an address this emulator issued whose
// expiry has not passed on the emulator's clock: a test camera can use it to
// refuse stale or forged addresses.
func (e *Emulator) AddressValid(addr string) bool {
	base, rawQuery, ok := strings.Cut(addr, "?")
	if !ok {
		return false
	}
	q, err := url.ParseQuery(rawQuery)
	if err != nil {
		return false
	}
	exp, err := strconv.ParseInt(q.Get("expire"), 10, 64)
	if err != nil {
		return false
	}
	want := e.sign(base, exp, q.Get("id"))
	if !hmac.Equal([]byte(want), []byte(q.Get("t"))) {
		return false
	}
	return e.cfg.Now().Before(time.Unix(exp, 0))
}

func (e *Emulator) handlePTZStart(w http.ResponseWriter, r *http.Request) {
	e.handlePTZ(w, r, true)
}

func (e *Emulator) handlePTZStop(w http.ResponseWriter, r *http.Request) {
	e.handlePTZ(w, r, false)
}

func (e *Emulator) handlePTZ(w http.ResponseWriter, r *http.Request, start bool) {
	form, ok := e.begin(w, r)
	if !ok {
		return
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	appKey, bad := e.appFor(form)
	if bad != "" {
		writeRefusal(w, bad)
		return
	}
	dir, dirErr := strconv.Atoi(form.Get("direction"))
	speed, speedErr := strconv.Atoi(form.Get("speed"))
	switch {
	case start && (dirErr != nil || dir < 0 || dir > 11 || speedErr != nil || speed < 0 || speed > 2):
		writeRefusal(w, "10001")
		return
	case !start && form.Get("direction") != "" && (dirErr != nil || dir < 0 || dir > 11):
		writeRefusal(w, "10001")
		return
	}
	d, ch, bad := e.channel(appKey, form)
	if bad == "" && !d.PTZ {
		bad = "60000"
	}
	if bad != "" {
		writeRefusal(w, bad)
		return
	}
	k := chanKey{d.Serial, ch}
	st := e.ptz[k]
	if start {
		st.Moving, st.Direction, st.Speed = true, dir, speed
		st.Starts++
	} else {
		st.Moving = false
		st.Stops++
	}
	e.ptz[k] = st
	writeOK(w, nil)
}
