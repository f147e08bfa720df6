package onenettest_test

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/lubo-edge/lubo/cloud/onenet/onenettest"
)

const master = "master-key"

type answer struct {
	status int
	errno  int
	msg    string
	data   json.RawMessage
}

// send makes a raw request, bypassing the client's own checks, so the
// emulator's refusals are tested on their own.
func send(t *testing.T, method, u, key string, body []byte) answer {
	t.Helper()
	req, err := http.NewRequest(method, u, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if key != "" {
		req.Header.Set("api-key", key)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	var env struct {
		Errno *int            `json:"errno"`
		Error string          `json:"error"`
		Data  json.RawMessage `json:"data"`
	}
	if err := json.Unmarshal(raw, &env); err != nil || env.Errno == nil {
		t.Fatalf("%s %s: answer %q is not the platform's JSON", method, u, raw)
	}
	return answer{status: resp.StatusCode, errno: *env.Errno, msg: env.Error, data: env.Data}
}

func q(kv ...string) string {
	v := url.Values{}
	for i := 0; i+1 < len(kv); i += 2 {
		v.Set(kv[i], kv[i+1])
	}
	return "?" + v.Encode()
}

func TestEmulatorRefusals(t *testing.T) {
	e := onenettest.New(t, onenettest.Config{MasterKey: master, RegisterCodes: []string{"RC"}})
	dev, devKey := e.AddDevice("box")
	e.AddChannel(dev, onenettest.Channel{ID: 1, Title: "cam1"})
	api := e.URL()
	title := func(n int) []byte { return []byte(`{"title":"` + strings.Repeat("课", n) + `","protocol":"RTMP"}`) }

	cases := []struct {
		name, method, url, key string
		body                   []byte
		status, errno          int
	}{
		{"devices: no key", "POST", api + "/devices", "", title(1), 200, onenettest.ErrnoAuthFailed},
		{"devices: wrong key", "POST", api + "/devices", "nope", title(1), 200, onenettest.ErrnoAuthFailed},
		{"devices: device key", "POST", api + "/devices", devKey, title(1), 200, onenettest.ErrnoAuthFailed},
		{"devices: title 65", "POST", api + "/devices", master, title(65), 200, onenettest.ErrnoInvalidParam},
		{"devices: title 64", "POST", api + "/devices", master, title(64), 200, 0},
		{"devices: no title", "POST", api + "/devices", master, []byte(`{"protocol":"RTMP"}`), 200, onenettest.ErrnoParamRequired},
		{"devices: protocol EDP", "POST", api + "/devices", master, []byte(`{"title":"a","protocol":"EDP"}`), 200, onenettest.ErrnoInvalidParam},
		{"devices: not JSON", "POST", api + "/devices", master, []byte(`{`), 200, onenettest.ErrnoInvalidParam},
		{"devices: GET", "GET", api + "/devices", master, nil, 200, onenettest.ErrnoInvalidParam},
		{"register: bad code", "POST", api + "/register_de" + q("register_code", "X"), "", []byte(`{"sn":"a"}`), 200, onenettest.ErrnoAuthFailed},
		{"register: sn and mac", "POST", api + "/register_de" + q("register_code", "RC"), "", []byte(`{"sn":"a","mac":"b"}`), 200, onenettest.ErrnoInvalidParam},
		{"register: sn 513", "POST", api + "/register_de" + q("register_code", "RC"), "", []byte(`{"sn":"` + strings.Repeat("s", 513) + `"}`), 200, onenettest.ErrnoInvalidParam},
		{"register: title 33", "POST", api + "/register_de" + q("register_code", "RC"), "", []byte(`{"sn":"a","title":"` + strings.Repeat("t", 33) + `"}`), 200, onenettest.ErrnoInvalidParam},
		{"channel: title 65", "POST", api + "/ipc/video/device/AddChannel" + q("device_id", dev, "channel_id", "2", "title", strings.Repeat("a", 65)), master, nil, 200, onenettest.ErrnoInvalidParam},
		{"channel: title 64", "POST", api + "/ipc/video/device/AddChannel" + q("device_id", dev, "channel_id", "2", "title", strings.Repeat("a", 64)), master, nil, 200, 0},
		{"channel: title underscore", "POST", api + "/ipc/video/device/AddChannel" + q("device_id", dev, "channel_id", "3", "title", "a_b"), master, nil, 200, onenettest.ErrnoInvalidParam},
		{"channel: no title", "POST", api + "/ipc/video/device/AddChannel" + q("device_id", dev, "channel_id", "3"), master, nil, 200, onenettest.ErrnoParamRequired},
		{"channel: exists", "POST", api + "/ipc/video/device/AddChannel" + q("device_id", dev, "channel_id", "1", "title", "a"), master, nil, 200, 16},
		{"channel: modify missing", "POST", api + "/ipc/video/device/ModifyChannel" + q("device_id", dev, "channel_id", "9", "title", "a"), master, nil, 200, 17},
		{"channel: unknown device", "GET", api + "/ipc/video/device/QryChannel" + q("device_id", "1"), master, nil, 200, onenettest.ErrnoDeviceNotFound},
		{"status: 31 ids", "GET", api + "/ipc/video/device/QryDevStatus" + q("devIds", strings.Repeat("1,", 30)+"1"), master, nil, 200, onenettest.ErrnoInvalidParam},
		{"status: 501 chars", "GET", api + "/ipc/video/device/QryDevStatus" + q("devIds", strings.Repeat("9", 501)), master, nil, 200, onenettest.ErrnoInvalidParam},
		{"play: protocol 3", "GET", api + "/ipc/video/play_address" + q("device_id", dev, "channel_id", "1", "protocol_type", "3"), master, nil, 200, onenettest.ErrnoInvalidParam},
		{"picture: gif", "PUT", api + "/ipc/video/picture/upload" + q("device_id", dev, "channel_id", "1", "name", "n", "format", "gif"), master, []byte("x"), 200, onenettest.ErrnoInvalidParam},
		{"picture: no name", "PUT", api + "/ipc/video/picture/upload" + q("device_id", dev, "channel_id", "1", "format", "jpg"), master, []byte("x"), 200, onenettest.ErrnoParamRequired},
		{"record: action 2", "GET", api + "/ipc/video/record/record_video" + q("product_id", "7355", "device_id", dev, "channel_id", "1", "action", "2"), master, nil, 200, onenettest.ErrnoInvalidParam},
		{"file: no key", "PUT", api + "/ipc/video/file/upload" + q("product_id", "7355", "name", "a"), "", []byte("x"), 401, 401},
		{"file: device key", "PUT", api + "/ipc/video/file/upload" + q("product_id", "7355", "name", "a"), devKey, []byte("x"), 403, 403},
		{"file: other product", "PUT", api + "/ipc/video/file/upload" + q("product_id", "1", "name", "a"), master, []byte("x"), 404, 404},
		{"file: no name", "PUT", api + "/ipc/video/file/upload" + q("product_id", "7355"), master, []byte("x"), 400, 400},
		{"file: name 257", "PUT", api + "/ipc/video/file/upload" + q("product_id", "7355", "name", strings.Repeat("n", 257)), master, []byte("x"), 400, 1002},
		{"file: name with space", "PUT", api + "/ipc/video/file/upload" + q("product_id", "7355", "name", "a b"), master, []byte("x"), 400, 1001},
		{"file: desc 1025", "PUT", api + "/ipc/video/file/upload" + q("product_id", "7355", "name", "a", "desc", strings.Repeat("描", 1025)), master, []byte("x"), 400, 1003},
		{"file: 8 MiB + 1", "PUT", api + "/ipc/video/file/upload" + q("product_id", "7355", "name", "big"), master, make([]byte, onenettest.MaxFileSize+1), 413, 413},
		{"file: 8 MiB", "PUT", api + "/ipc/video/file/upload" + q("product_id", "7355", "name", "big"), master, make([]byte, onenettest.MaxFileSize), 200, 200},
		{"file: same name", "PUT", api + "/ipc/video/file/upload" + q("product_id", "7355", "name", "big"), master, []byte("x"), 400, 400},
		{"file: POST", "POST", api + "/ipc/video/file/upload" + q("product_id", "7355", "name", "c"), master, []byte("x"), 405, 405},
		{"unknown path", "GET", api + "/nothing", master, nil, 404, 404},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			a := send(t, tc.method, tc.url, tc.key, tc.body)
			if a.status != tc.status || a.errno != tc.errno {
				t.Fatalf("HTTP %d errno %d (%s), want HTTP %d errno %d", a.status, a.errno, a.msg, tc.status, tc.errno)
			}
		})
	}
	if files := e.Files(); len(files) != 1 || len(files[0].Data) != onenettest.MaxFileSize {
		t.Fatalf("files = %d", len(files))
	}
}

func TestEmulatorPreloadRules(t *testing.T) {
	e := onenettest.New(t, onenettest.Config{MasterKey: master})
	dev, _ := e.AddDevice("box")
	e.AddChannel(dev, onenettest.Channel{ID: 2, Title: "cam2"})
	a := send(t, "GET", e.URL()+"/ipc/video/play_address"+q("device_id", dev, "channel_id", "2", "protocol_type", "1"), master, nil)
	var data struct {
		Addr  string `json:"addr"`
		Token string `json:"accessToken"`
	}
	if a.errno != 0 || json.Unmarshal(a.data, &data) != nil || data.Addr != e.Addr() || data.Token == "" {
		t.Fatalf("play_address: %+v", a)
	}
	preload := "http://" + data.Addr + "/live/live_" + dev + "_2/preload"
	for _, tc := range []struct {
		query string
		key   string
		errno int
	}{
		{q("token", data.Token, "idle_time", "121"), master, onenettest.ErrnoInvalidParam},
		{q("token", data.Token, "idle_time", "0"), master, onenettest.ErrnoInvalidParam},
		{q("token", data.Token), master, onenettest.ErrnoParamRequired},
		{q("token", "other", "idle_time", "60"), master, onenettest.ErrnoAuthFailed},
		{q("idle_time", "60"), master, onenettest.ErrnoParamRequired},
		{q("token", data.Token, "idle_time", "60"), "", onenettest.ErrnoAuthFailed},
		{q("token", data.Token, "idle_time", "120"), master, 0},
	} {
		if a := send(t, "GET", preload+tc.query, tc.key, nil); a.errno != tc.errno {
			t.Errorf("preload %s: errno %d (%s), want %d", tc.query, a.errno, a.msg, tc.errno)
		}
	}
	if p := e.Preloads(); len(p) != 1 || p[0].IdleTime != 120 {
		t.Fatalf("preloads = %+v", p)
	}
}

func TestEmulatorControls(t *testing.T) {
	e := onenettest.New(t, onenettest.Config{MasterKey: master})
	dev, _ := e.AddDevice("box")
	u := e.URL() + "/ipc/video/device/QryChannel" + q("device_id", dev)

	e.FailNext(1, 502, 0)
	if a := send(t, "GET", u, master, nil); a.status != 502 || a.errno != onenettest.ErrnoInternal {
		t.Fatalf("FailNext: %+v", a)
	}
	e.SetDown(true)
	if a := send(t, "GET", u, master, nil); a.status != 503 {
		t.Fatalf("down: %+v", a)
	}
	e.SetDown(false)
	addr := e.Addr()
	e.Disconnect()
	if _, err := http.Get(u); err == nil {
		t.Fatal("a disconnected emulator answered")
	}
	if err := e.Reconnect(); err != nil {
		t.Fatal(err)
	}
	if e.Addr() != addr {
		t.Fatalf("reconnected on %s, was %s", e.Addr(), addr)
	}
	if a := send(t, "GET", u, master, nil); a.errno != 0 {
		t.Fatalf("after reconnect: %+v", a)
	}
	e.SetLatency(time.Millisecond)
	if a := send(t, "GET", u, master, nil); a.errno != 0 {
		t.Fatalf("with latency: %+v", a)
	}
	e.SetLatency(0)
	if n := e.Requests(); n != 4 {
		t.Fatalf("Requests() = %d, want 4 (the refused connection is not one)", n)
	}
}
