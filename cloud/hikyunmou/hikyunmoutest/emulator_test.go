package hikyunmoutest

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/url"
	"testing"
	"time"
)

func do(t *testing.T, req *http.Request) (int, map[string]any) {
	t.Helper()
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var body map[string]any
	_ = json.NewDecoder(resp.Body).Decode(&body)
	return resp.StatusCode, body
}

func TestTokenEndpoint(t *testing.T) {
	clock := NewClock(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC))
	e := New(Config{Now: clock.Now, TokenTTL: time.Hour})
	defer e.Close()
	e.AddClient("id", "secret")
	token := func(form url.Values) (int, map[string]any) {
		req, _ := http.NewRequest(http.MethodPost, e.URL()+"/oauth/token", bytes.NewBufferString(form.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		return do(t, req)
	}
	for _, tc := range []struct {
		form   url.Values
		status int
		err    string
	}{
		{url.Values{"client_id": {"id"}, "client_secret": {"secret"}, "grant_type": {"password"}}, 400, "unsupported_grant_type"},
		{url.Values{"client_id": {"id"}, "client_secret": {"nope"}, "grant_type": {"client_credentials"}}, 401, "invalid_client"},
		{url.Values{"client_id": {"x"}, "client_secret": {"secret"}, "grant_type": {"client_credentials"}}, 401, "invalid_client"},
		{url.Values{"client_secret": {"secret"}, "grant_type": {"client_credentials"}}, 401, "invalid_client"},
	} {
		if status, body := token(tc.form); status != tc.status || body["error"] != tc.err {
			t.Errorf("%v: %d %v", tc.form, status, body)
		}
	}
	status, body := token(url.Values{"client_id": {"id"}, "client_secret": {"secret"}, "grant_type": {"client_credentials"}})
	if status != 200 || body["expires_in"] != float64(3600) || body["token_type"] != "bearer" {
		t.Fatalf("%d %v", status, body)
	}
	tok := body["access_token"].(string)
	e.AddDevice(Device{Serial: "S", ValidateCode: "V"})
	get := func(auth string) (int, map[string]any) {
		req, _ := http.NewRequest(http.MethodGet, e.URL()+"/v1/carrier/wing/endpoint/confirm/right/autoconfirm?deviceSerial=S", nil)
		if auth != "" {
			req.Header.Set("Authorization", auth)
		}
		return do(t, req)
	}
	if status, body := get(""); status != 401 || body["error"] != "unauthorized" {
		t.Errorf("no auth: %d %v", status, body)
	}
	if status, body := get("Bearer forged"); status != 401 || body["error"] != "invalid_token" {
		t.Errorf("forged: %d %v", status, body)
	}
	if status, body := get("Bearer " + tok); status != 200 || body["code"] != "200" {
		t.Errorf("valid: %d %v", status, body)
	}
	clock.Advance(time.Hour)
	if status, body := get("Bearer " + tok); status != 401 || body["error"] != "invalid_token" {
		t.Errorf("expired: %d %v", status, body)
	}
	req, _ := http.NewRequest(http.MethodPost, e.URL()+"/v1/carrier/wing/endpoint/confirm/right/autoconfirm", nil)
	if status, _ := do(t, req); status != http.StatusMethodNotAllowed {
		t.Errorf("POST to a GET call: %d", status)
	}
}

func TestConfirmStateMachine(t *testing.T) {
	clock := NewClock(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC))
	e := New(Config{Now: clock.Now})
	defer e.Close()
	e.AddClient("id", "secret")
	e.AddDevice(Device{Serial: "S", ValidateCode: "V", NeedsConfirm: true, Online: true})
	e.tokens["tok"] = clock.Now().Add(time.Hour)
	call := func(path string) string {
		req, _ := http.NewRequest(http.MethodGet, e.URL()+path+"?deviceSerial=S", nil)
		req.Header.Set("Authorization", "Bearer tok")
		_, body := do(t, req)
		return body["code"].(string)
	}
	register := func(body string) string {
		req, _ := http.NewRequest(http.MethodPost, e.URL()+"/api/v1/open/basic/devices/create", bytes.NewBufferString(body))
		req.Header.Set("Authorization", "Bearer tok")
		req.Header.Set("Content-Type", "application/json")
		_, b := do(t, req)
		return b["code"].(string)
	}
	const base = "/v1/carrier/wing/endpoint/confirm/right/"
	steps := []struct{ got, want string }{
		{register(`{"deviceSerial":"S","groupNo":"G"}`), CodeBadParameter},
		{register(`{"deviceSerial":"S","groupNo":"G","validateCode":"V"}`), CodeNeedsConfirm},
		{call(base + "autoconfirm"), CodeAutoConfirmFailed},
		{call(base + "onlineconfirm"), CodeNoOfflineConfirm},
		{call(base + "offlineconfirm"), CodeStillOnline},
	}
	e.SetOnlineAt("S", false, clock.Now().Add(5*time.Second))
	steps = append(steps, struct{ got, want string }{call(base + "offlineconfirm"), CodeStillOnline})
	clock.Advance(5 * time.Second)
	steps = append(steps,
		struct{ got, want string }{call(base + "offlineconfirm"), CodeOK},
		struct{ got, want string }{call(base + "onlineconfirm"), CodeNotOnline},
		struct{ got, want string }{register(`{"deviceSerial":"S","groupNo":"G","validateCode":"V"}`), CodeNeedsConfirm},
	)
	e.SetOnline("S", true)
	steps = append(steps,
		struct{ got, want string }{call(base + "onlineconfirm"), CodeOK},
		struct{ got, want string }{register(`{"deviceSerial":"S","groupNo":"G","validateCode":"V"}`), CodeOK},
		struct{ got, want string }{register(`{"deviceSerial":"S","groupNo":"G","validateCode":"V"}`), CodeAlreadyAdded},
	)
	for i, s := range steps {
		if s.got != s.want {
			t.Errorf("step %d: code %s, want %s", i+1, s.got, s.want)
		}
	}
	polls := e.Polls("S", "")
	if len(polls) != 7 || polls[4].Kind != PollOffline || !polls[4].OK || polls[5].OK || !polls[6].OK {
		t.Errorf("polls %+v", polls)
	}
}
