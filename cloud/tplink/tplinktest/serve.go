package tplinktest

import (
	"encoding/json"
	"io"
	"net/http"
	"strconv"
	"time"
)

// The API paths the emulator answers.
const (
	PathCreateTempCredential = "/tums/open/credentialManager/v1/createTempApplicationApiCredential"
	PathDevicesDeviceApp     = "/tums/open/deviceManager/v1/getDeviceListInDeviceApplication"
	PathDevicesProjectApp    = "/tums/open/deviceManager/v1/getDeviceListInProjectApplication"
	PathChannelList          = "/tums/open/deviceManager/v1/getChannelDeviceList"
	PathRequestStreamURL     = "/vms/open/webServer/v1/requestStreamUrl"
	PathRequestRelayURL      = "/vms/open/webServer/v1/requestRelayUrl"
	PathRequestRelayURLAgain = "/vms/open/webServer/v1/requestRelayUrlAgain"
	PathRenewRelayCookie     = "/vms/open/webServer/v1/renewRelayCookie"
	PathSearchYear           = "/vms/open/webServer/v1/searchYear"
	PathSearchVideo          = "/vms/open/webServer/v2/searchVideo"
	PathSearchHumanDetection = "/vms/open/webServer/v2/searchHumanDetectionVideo"
)

// Error codes the emulator answers (§1.2.2.4, §1.5).
const (
	codeGeneric         = -10000
	codeBadJSON         = -10100
	codeEmptyJSON       = -10101
	codeSignature       = -10301
	codeExpired         = -10302
	codeBadHeader       = -10303
	codeInvalidAK       = -10304
	codeDenied          = -10305
	codeSessionNotFound = -52202
	codeBadStart        = -80328
	codeBadLimit        = -80329
	codeURLNotReady     = -80703
	codeTokenGone       = -80731
	codeParam           = -82400
	codeNoPermission    = -82401
	codeNoSuchAPI       = -82433
	codeNotDeviceApp    = -88311
	codeNotProjectApp   = -88312
	codeNotInApp        = -88316
	codeTempLimit       = -88317

	maxTempKeys  = 10000 // §1.4.1.1: at most 10000 temporary pairs per application
	maxBodyBytes = 1 << 20
	maxNonces    = 1 << 20
)

// request is one authenticated call handed to a handler.
type request struct {
	path string
	body []byte
	r    *http.Request
	key  *key
}

// answer is what a handler returns.
type answer struct {
	code   int
	msg    string
	result any
	header http.Header
}

func ok(result any) answer { return answer{result: result} }

func fail(code int, msg string) answer { return answer{code: code, msg: msg} }

func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	path := r.URL.Path
	s.mu.Lock()
	s.calls[path]++
	s.mu.Unlock()
	w.Header().Set("Date", s.opts.Now().UTC().Format(http.TimeFormat))

	if r.Method != http.MethodPost {
		s.write(w, http.StatusMethodNotAllowed, fail(codeGeneric, "POST only"))
		return
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, maxBodyBytes+1))
	if err != nil || len(body) > maxBodyBytes {
		s.write(w, http.StatusOK, fail(codeBadJSON, "body unreadable or too large"))
		return
	}
	k, refusal := s.authenticate(r, body)
	if refusal != nil {
		s.write(w, http.StatusOK, *refusal)
		return
	}
	if f, found := s.nextFault(path); found {
		if f.Stall != nil {
			select {
			case <-f.Stall:
			case <-r.Context().Done():
				return
			}
		}
		if f.Body != nil {
			status := f.Status
			if status == 0 {
				status = http.StatusOK
			}
			w.WriteHeader(status)
			_, _ = w.Write(f.Body)
			return
		}
		if f.Code != 0 {
			s.write(w, http.StatusOK, answer{code: f.Code, msg: f.Msg, result: f.Result})
			return
		}
	}
	h := s.handler(path)
	if h == nil {
		s.write(w, http.StatusNotFound, fail(codeNoSuchAPI, "接口不存在"))
		return
	}
	a := h(request{path: path, body: body, r: r, key: k})
	for name, vs := range a.header {
		for _, v := range vs {
			w.Header().Add(name, v)
		}
	}
	s.write(w, http.StatusOK, a)
}

func (s *Server) handler(path string) func(request) answer {
	switch path {
	case PathCreateTempCredential:
		return s.createTempCredential
	case PathDevicesDeviceApp:
		return s.listDevices(false)
	case PathDevicesProjectApp:
		return s.listDevices(true)
	case PathChannelList:
		return s.listChannels
	case PathRequestStreamURL:
		return s.requestStreamURL
	case PathRequestRelayURL:
		return s.requestRelayURL
	case PathRequestRelayURLAgain:
		return s.requestRelayURLAgain
	case PathRenewRelayCookie:
		return s.renewRelayCookie
	case PathSearchYear:
		return s.searchYear
	case PathSearchVideo:
		return s.searchVideo(false)
	case PathSearchHumanDetection:
		return s.searchVideo(true)
	}
	return nil
}

func (s *Server) nextFault(path string) (Fault, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, p := range []string{path, ""} {
		if q := s.faults[p]; len(q) > 0 {
			s.faults[p] = q[1:]
			return q[0], true
		}
	}
	return Fault{}, false
}

// authenticate checks the X-Authorization header the way §1.2.2 describes.
// It returns the key that signed, or the refusal.
func (s *Server) authenticate(r *http.Request, body []byte) (*key, *answer) {
	a, err := ParseAuthorization(r.Header.Get("X-Authorization"))
	if err != nil {
		return nil, &answer{code: codeBadHeader, msg: "X-Authorization字段值有误: " + err.Error()}
	}
	now := s.opts.Now()
	s.mu.Lock()
	defer s.mu.Unlock()
	k := s.keys[a.AccessKey]
	if k == nil || (k.temp && !now.Before(k.expires)) {
		return nil, &answer{code: codeInvalidAK, msg: "无效的AK"}
	}
	if k.disabled {
		return nil, &answer{code: codeDenied, msg: "AK被禁用"}
	}
	if d := now.Sub(time.Unix(a.Timestamp, 0)); d > s.opts.SkewWindow || d < -s.opts.SkewWindow {
		return nil, &answer{code: codeExpired, msg: "请求已过期"}
	}
	// The path is signed without its query (decision in seeds/README.md).
	want := expectedSignature(k.sk, a.Timestamp, r.Method, r.URL.EscapedPath(), body)
	if a.Signature != want {
		return nil, &answer{code: codeSignature, msg: "签名校验不通过"}
	}
	for n, seen := range s.nonces {
		if now.Sub(seen) >= s.opts.NonceWindow {
			delete(s.nonces, n)
		}
	}
	if seen, used := s.nonces[a.Nonce]; used && now.Sub(seen) < s.opts.NonceWindow {
		return nil, &answer{code: codeBadHeader, msg: "Nonce在5分钟内重复使用"}
	}
	if len(s.nonces) >= maxNonces {
		return nil, &answer{code: -10201, msg: "该用户请求次数过多"}
	}
	s.nonces[a.Nonce] = now
	return k, nil
}

// write sends the §1.3.3 envelope.
func (s *Server) write(w http.ResponseWriter, status int, a answer) {
	env := map[string]any{"error_code": a.code}
	if a.code != 0 && a.msg != "" {
		env["msg"] = a.msg
	}
	if a.result != nil {
		env["result"] = a.result
	}
	b, err := json.Marshal(env)
	if err != nil {
		b = []byte(`{"error_code":-10000,"msg":"emulator could not encode its answer"}`)
	}
	w.Header().Set("Content-Type", "application/json;charset=UTF-8")
	w.WriteHeader(status)
	_, _ = w.Write(b)
}

// decode reads a JSON body into v, answering -10101 for an empty body and
// -10100 for one that does not parse.
func decode(body []byte, v any) *answer {
	if len(body) == 0 {
		a := fail(codeEmptyJSON, "JSON 消息体为空")
		return &a
	}
	if err := json.Unmarshal(body, v); err != nil {
		a := fail(codeBadJSON, "JSON 消息体格式错误")
		return &a
	}
	return nil
}

func itoa(n int) string { return strconv.Itoa(n) }
