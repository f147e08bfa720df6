package ezviztest

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"
)

// post sends a raw form and returns the answer's code.
func post(t *testing.T, e *Emulator, path string, form url.Values) (string, map[string]any) {
	t.Helper()
	resp, err := http.PostForm(e.URL()+path, form)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var body struct {
		Code string         `json:"code"`
		Data map[string]any `json:"data"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&body); err != nil {
		t.Fatal(err)
	}
	return body.Code, body.Data
}

func newEmu(t *testing.T) (*Emulator, *Clock, string) {
	clock := NewClock(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC))
	e := New(Config{Now: clock.Now, TokenTTL: time.Hour})
	t.Cleanup(e.Close)
	e.AddApp("key", "secret")
	e.AddDevice(Device{Serial: "S1", Channels: 2, Online: true, PTZ: true})
	code, data := post(t, e, "/api/lapp/token/get", url.Values{"appKey": {"key"}, "appSecret": {"secret"}})
	if code != "200" {
		t.Fatalf("token code %s", code)
	}
	if exp := int64(data["expireTime"].(float64)); exp != clock.Now().Add(time.Hour).UnixMilli() {
		t.Fatalf("expireTime %d", exp)
	}
	return e, clock, data["accessToken"].(string)
}

func TestParameterRefusals(t *testing.T) {
	e, clock, tok := newEmu(t)
	live := func(edit func(url.Values)) url.Values {
		v := url.Values{"accessToken": {tok}, "deviceSerial": {"S1"}, "channelNo": {"1"}, "protocol": {"3"}, "quality": {"1"}}
		edit(v)
		return v
	}
	cases := []struct {
		name string
		path string
		form url.Values
		code string
	}{
		{"ok", "/api/lapp/v2/live/address/get", live(func(url.Values) {}), "200"},
		{"token missing appSecret", "/api/lapp/token/get", url.Values{"appKey": {"key"}}, "10001"},
		{"no token", "/api/lapp/v2/live/address/get", live(func(v url.Values) { v.Del("accessToken") }), "10001"},
		{"forged token", "/api/lapp/v2/live/address/get", live(func(v url.Values) { v.Set("accessToken", "at.forged") }), "10002"},
		{"protocol 2", "/api/lapp/v2/live/address/get", live(func(v url.Values) { v.Set("protocol", "2") }), "10001"},
		{"no protocol", "/api/lapp/v2/live/address/get", live(func(v url.Values) { v.Del("protocol") }), "10001"},
		{"quality 3", "/api/lapp/v2/live/address/get", live(func(v url.Values) { v.Set("quality", "3") }), "10001"},
		{"no quality", "/api/lapp/v2/live/address/get", live(func(v url.Values) { v.Del("quality") }), "10001"},
		{"channel 0", "/api/lapp/v2/live/address/get", live(func(v url.Values) { v.Set("channelNo", "0") }), "10001"},
		{"channel 3", "/api/lapp/v2/live/address/get", live(func(v url.Values) { v.Set("channelNo", "3") }), "20001"},
		{"expire 29", "/api/lapp/v2/live/address/get", live(func(v url.Values) { v.Set("expireTime", "29") }), "10001"},
		{"expire 30", "/api/lapp/v2/live/address/get", live(func(v url.Values) { v.Set("expireTime", "30") }), "200"},
		{"playback no times", "/api/lapp/v2/live/address/get", live(func(v url.Values) { v.Set("type", "2") }), "10001"},
		{"playback reversed", "/api/lapp/v2/live/address/get", live(func(v url.Values) {
			v.Set("type", "3")
			v.Set("startTime", "2020-11-16 11:02:23")
			v.Set("stopTime", "2020-11-16 11:01:05")
		}), "10001"},
		{"playback ok", "/api/lapp/v2/live/address/get", live(func(v url.Values) {
			v.Set("type", "2")
			v.Set("startTime", "2020-11-16 11:01:05")
			v.Set("stopTime", "2020-11-16 11:02:23")
		}), "200"},
		{"type 4", "/api/lapp/v2/live/address/get", live(func(v url.Values) { v.Set("type", "4") }), "10001"},
		{"ptz no speed", "/api/lapp/device/ptz/start", live(func(v url.Values) { v.Set("direction", "0") }), "10001"},
		{"ptz direction 12", "/api/lapp/device/ptz/start", live(func(v url.Values) { v.Set("direction", "12"); v.Set("speed", "1") }), "10001"},
		{"ptz speed 3", "/api/lapp/device/ptz/start", live(func(v url.Values) { v.Set("direction", "1"); v.Set("speed", "3") }), "10001"},
		{"ptz ok", "/api/lapp/device/ptz/start", live(func(v url.Values) { v.Set("direction", "11"); v.Set("speed", "0") }), "200"},
		{"ptz stop without direction", "/api/lapp/device/ptz/stop", live(func(url.Values) {}), "200"},
		{"ptz stop direction x", "/api/lapp/device/ptz/stop", live(func(v url.Values) { v.Set("direction", "x") }), "10001"},
	}
	for _, tc := range cases {
		if code, _ := post(t, e, tc.path, tc.form); code != tc.code {
			t.Errorf("%s: code %s, want %s", tc.name, code, tc.code)
		}
	}
	clock.Advance(time.Hour)
	if code, _ := post(t, e, "/api/lapp/v2/live/address/get", live(func(url.Values) {})); code != "10002" {
		t.Errorf("expired token: code %s", code)
	}
}

func TestNotFormEncodedIsMissingParameters(t *testing.T) {
	e, _, tok := newEmu(t)
	body := strings.NewReader(`{"accessToken":"` + tok + `"}`)
	resp, err := http.Post(e.URL()+"/api/lapp/v2/live/address/get", "application/json", body)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var got struct{ Code string }
	if err := json.NewDecoder(resp.Body).Decode(&got); err != nil || got.Code != "10001" {
		t.Fatalf("code %q, %v", got.Code, err)
	}
	resp2, err := http.Get(e.URL() + "/api/lapp/token/get")
	if err != nil {
		t.Fatal(err)
	}
	resp2.Body.Close()
	if resp2.StatusCode != http.StatusMethodNotAllowed {
		t.Errorf("GET answered %d", resp2.StatusCode)
	}
}

func TestAddressValidRejectsForgery(t *testing.T) {
	e, _, tok := newEmu(t)
	_, data := post(t, e, "/api/lapp/v2/live/address/get", url.Values{"accessToken": {tok}, "deviceSerial": {"S1"}, "channelNo": {"1"}, "protocol": {"3"}, "quality": {"1"}})
	u := data["url"].(string)
	if !e.AddressValid(u) {
		t.Fatal("issued address invalid")
	}
	for _, bad := range []string{strings.Replace(u, "expire=", "expire=1", 1), strings.Replace(u, "S1_1_1", "S1_2_1", 1), "rtmp://x", u + "%zz"} {
		if e.AddressValid(bad) {
			t.Errorf("forged %q valid", bad)
		}
	}
}
