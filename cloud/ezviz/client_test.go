package ezviz_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/lubo-edge/lubo/cloud/ezviz"
	"github.com/lubo-edge/lubo/cloud/ezviz/ezviztest"
)

const (
	appKey    = "26810f3acd794862b608b6cfbc32a6b8"
	appSecret = "S3cr3t-e8bf2b6a0e2f4e1a"
	serial    = "D12345678"
)

var start = time.Date(2026, 3, 4, 10, 30, 0, 0, time.UTC)

type fixture struct {
	clock  *ezviztest.Clock
	emu    *ezviztest.Emulator
	client *ezviz.Client
	logs   *bytes.Buffer
}

func setup(t *testing.T, edit func(*ezviz.Config)) *fixture {
	t.Helper()
	clock := ezviztest.NewClock(start)
	emu := ezviztest.New(ezviztest.Config{Now: clock.Now, TokenTTL: 7 * 24 * time.Hour, StreamBase: "rtmp://127.0.0.1:19350/v3"})
	t.Cleanup(emu.Close)
	emu.AddApp(appKey, appSecret)
	emu.AddDevice(ezviztest.Device{Serial: serial, Channels: 4, Online: true, PTZ: true})
	logs := &bytes.Buffer{}
	cfg := ezviz.Config{
		BaseURL:   emu.URL(),
		AppKey:    appKey,
		AppSecret: appSecret,
		Now:       clock.Now,
		Sleep:     clock.Sleep,
		Logger:    slog.New(slog.NewTextHandler(&lockedWriter{w: logs}, &slog.HandlerOptions{Level: slog.LevelDebug})),
	}
	if edit != nil {
		edit(&cfg)
	}
	c, err := ezviz.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return &fixture{clock: clock, emu: emu, client: c, logs: logs}
}

type lockedWriter struct {
	mu sync.Mutex
	w  *bytes.Buffer
}

func (l *lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}

func wantCode(t *testing.T, err error, code string) *ezviz.Error {
	t.Helper()
	var e *ezviz.Error
	if !errors.As(err, &e) {
		t.Fatalf("err = %v, want *ezviz.Error with code %s", err, code)
	}
	if e.Code != code {
		t.Fatalf("code = %s (%v), want %s", e.Code, err, code)
	}
	return e
}

func TestLiveAddress(t *testing.T) {
	f := setup(t, nil)
	f.emu.SetAddressTTL(20 * time.Second)
	a, err := f.client.LiveAddress(context.Background(), ezviz.LiveRequest{Serial: serial, Channel: 2, Quality: ezviz.QualitySD, Expire: 300 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(a.URL, "rtmp://127.0.0.1:19350/v3/openlive/D12345678_2_2?") {
		t.Errorf("url = %s", a.URL)
	}
	if !a.ExpiresAt.Equal(start.Add(20 * time.Second)) {
		t.Errorf("expires at %s, want %s", a.ExpiresAt, start.Add(20*time.Second))
	}
	if a.ID == "" || !f.emu.AddressValid(a.URL) {
		t.Errorf("address %v not valid at the emulator", a)
	}
	f.clock.Advance(20 * time.Second)
	if f.emu.AddressValid(a.URL) {
		t.Error("address still valid after its expiry")
	}
	calls := f.emu.Calls(ezviz.AddressPath)
	if len(calls) != 1 {
		t.Fatalf("%d address calls", len(calls))
	}
	form := calls[0].Form
	for k, want := range map[string]string{"deviceSerial": serial, "channelNo": "2", "protocol": "3", "quality": "2", "expireTime": "300"} {
		if got := form.Get(k); got != want {
			t.Errorf("%s = %q, want %q", k, got, want)
		}
	}
	if form.Get("accessToken") == "" {
		t.Error("no accessToken sent")
	}
	tok := f.emu.Calls(ezviz.TokenPath)
	if len(tok) != 1 || tok[0].Form.Get("appKey") != appKey || tok[0].Form.Get("appSecret") != appSecret {
		t.Fatalf("token calls %+v", tok)
	}
}

func TestResolveURIDefaults(t *testing.T) {
	f := setup(t, nil)
	a, err := f.client.Resolve(context.Background(), "ezviz://"+serial)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(a.URL, "/openlive/D12345678_1_1?") {
		t.Errorf("url = %s", a.URL)
	}
	// The emulator's default validity is 86400 s.
	if !a.ExpiresAt.Equal(start.Add(24 * time.Hour)) {
		t.Errorf("expires %s", a.ExpiresAt)
	}
	if _, err := f.client.Resolve(context.Background(), "ezviz://"+serial+"/1?quality=7"); err == nil {
		t.Error("quality 7 accepted")
	}
	if n := len(f.emu.Calls("")); n != 2 {
		t.Errorf("%d calls, want 2 (token + one address)", n)
	}
}

func TestStreamBaseAndDeviceURL(t *testing.T) {
	f := setup(t, nil)
	f.emu.AddDevice(ezviztest.Device{Serial: "CAM2", Online: true, StreamURL: "rtsp://127.0.0.1:8555/cam"})
	a, err := f.client.LiveAddress(context.Background(), ezviz.LiveRequest{Serial: "CAM2", Channel: 1})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(a.URL, "rtsp://127.0.0.1:8555/cam?") || !f.emu.AddressValid(a.URL) {
		t.Errorf("url = %s", a.URL)
	}
	f.emu.SetBareURLs(true)
	a, err = f.client.LiveAddress(context.Background(), ezviz.LiveRequest{Serial: "CAM2", Channel: 1})
	if err != nil || a.URL != "rtsp://127.0.0.1:8555/cam" {
		t.Fatalf("bare url = %v, %v", a, err)
	}
	f.emu.SetStreamBase("rtmp://10.0.0.1/base/")
	a, err = f.client.LiveAddress(context.Background(), ezviz.LiveRequest{Serial: serial, Channel: 1})
	if err != nil || !strings.HasPrefix(a.URL, "rtmp://10.0.0.1/base/openlive/D12345678_1_1?") {
		t.Fatalf("url = %v, %v", a, err)
	}
}

func TestPlaybackAddress(t *testing.T) {
	f := setup(t, nil)
	from := time.Date(2020, 11, 16, 3, 1, 5, 0, time.UTC) // 11:01:05 in UTC+8
	for _, src := range []ezviz.PlaybackSource{ezviz.PlaybackLocal, ezviz.PlaybackCloud} {
		a, err := f.client.PlaybackAddress(context.Background(), ezviz.PlaybackRequest{Serial: serial, Channel: 1, Source: src, Start: from, Stop: from.Add(78 * time.Second)})
		if err != nil {
			t.Fatal(err)
		}
		rec := map[ezviz.PlaybackSource]string{ezviz.PlaybackLocal: "rec=local", ezviz.PlaybackCloud: "rec=cloud"}[src]
		if !strings.Contains(a.URL, "/openpb/") || !strings.Contains(a.URL, "begin=20201116110105") || !strings.Contains(a.URL, "end=20201116110223") || !strings.Contains(a.URL, rec) {
			t.Errorf("url = %s", a.URL)
		}
	}
	calls := f.emu.Calls(ezviz.AddressPath)
	form := calls[0].Form
	if form.Get("type") != "2" || form.Get("startTime") != "2020-11-16 11:01:05" || form.Get("stopTime") != "2020-11-16 11:02:23" || form.Get("quality") != "" {
		t.Errorf("form %v", form)
	}
	if calls[1].Form.Get("type") != "3" {
		t.Errorf("cloud type %q", calls[1].Form.Get("type"))
	}
	if _, err := f.client.PlaybackAddress(context.Background(), ezviz.PlaybackRequest{Serial: serial, Channel: 1, Start: from, Stop: from}); err == nil {
		t.Error("empty range accepted")
	}
	if _, err := f.client.PlaybackAddress(context.Background(), ezviz.PlaybackRequest{Serial: serial, Channel: 1, Source: 4, Start: from, Stop: from.Add(time.Minute)}); err == nil {
		t.Error("source 4 accepted")
	}
}

func TestTokenCachedAndRenewedBeforeExpiry(t *testing.T) {
	f := setup(t, nil)
	ctx := context.Background()
	req := ezviz.LiveRequest{Serial: serial, Channel: 1}
	for range 3 {
		if _, err := f.client.LiveAddress(ctx, req); err != nil {
			t.Fatal(err)
		}
	}
	if n := len(f.emu.Calls(ezviz.TokenPath)); n != 1 {
		t.Fatalf("%d token calls for 3 addresses, want 1", n)
	}
	if got, want := f.client.TokenExpiry(), start.Add(7*24*time.Hour-5*time.Minute); !got.Equal(want) {
		t.Errorf("renew at %s, want %s", got, want)
	}
	f.clock.Advance(7*24*time.Hour - 5*time.Minute - time.Second)
	if _, err := f.client.LiveAddress(ctx, req); err != nil {
		t.Fatal(err)
	}
	if n := len(f.emu.Calls(ezviz.TokenPath)); n != 1 {
		t.Fatalf("renewed %d times before the renewal time", n-1)
	}
	f.clock.Advance(time.Second)
	if _, err := f.client.LiveAddress(ctx, req); err != nil {
		t.Fatal(err)
	}
	if n := len(f.emu.Calls(ezviz.TokenPath)); n != 2 {
		t.Fatalf("%d token calls, want a renewal 5 min before expiry", n)
	}
}

func TestShortTokenRenewsHalfway(t *testing.T) {
	clock := ezviztest.NewClock(start)
	emu := ezviztest.New(ezviztest.Config{Now: clock.Now, TokenTTL: 4 * time.Minute})
	defer emu.Close()
	emu.AddApp(appKey, appSecret)
	emu.AddDevice(ezviztest.Device{Serial: serial, Online: true})
	c, err := ezviz.New(ezviz.Config{BaseURL: emu.URL(), AppKey: appKey, AppSecret: appSecret, Now: clock.Now, Sleep: clock.Sleep})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.Resolve(context.Background(), "ezviz://"+serial+"/1"); err != nil {
		t.Fatal(err)
	}
	if got := c.TokenExpiry(); !got.Equal(start.Add(2 * time.Minute)) {
		t.Errorf("renew at %s, want halfway", got)
	}
}

func TestExpiredTokenRenewedOnceAndRetried(t *testing.T) {
	f := setup(t, nil)
	ctx := context.Background()
	if _, err := f.client.Resolve(ctx, "ezviz://"+serial+"/1"); err != nil {
		t.Fatal(err)
	}
	f.emu.ExpireTokens() // the cloud expires it early; the client's cache still trusts it
	a, err := f.client.Resolve(ctx, "ezviz://"+serial+"/1")
	if err != nil {
		t.Fatal(err)
	}
	if !f.emu.AddressValid(a.URL) {
		t.Error("invalid address")
	}
	if n := len(f.emu.Calls(ezviz.TokenPath)); n != 2 {
		t.Errorf("%d token calls, want 2", n)
	}
	if n := len(f.emu.Calls(ezviz.AddressPath)); n != 3 {
		t.Errorf("%d address calls, want 3 (ok, 10002, retry)", n)
	}
}

func TestTokenRefusedTwiceIsNotALoop(t *testing.T) {
	f := setup(t, nil)
	f.emu.FailNext(ezviz.AddressPath, 5, "10002", "")
	_, err := f.client.Resolve(context.Background(), "ezviz://"+serial+"/1")
	e := wantCode(t, err, ezviz.CodeTokenExpired)
	if e.Op != "live address" {
		t.Errorf("op = %q", e.Op)
	}
	if n := len(f.emu.Calls(ezviz.AddressPath)); n != 2 {
		t.Errorf("%d address calls, want exactly 2", n)
	}
	if n := len(f.emu.Calls(ezviz.TokenPath)); n != 2 {
		t.Errorf("%d token calls, want exactly 2", n)
	}
}

func TestRefusals(t *testing.T) {
	cases := []struct {
		name string
		edit func(*ezviz.Config)
		emu  func(*ezviztest.Emulator)
		uri  string
		code string
		hint string
	}{
		{name: "unknown app key", edit: func(c *ezviz.Config) { c.AppKey = "nope" }, code: "10017", hint: "app_key is not known"},
		{name: "wrong secret", edit: func(c *ezviz.Config) { c.AppSecret = "wrong" }, code: "10030", hint: "app_secret does not belong"},
		{name: "frozen app", emu: func(e *ezviztest.Emulator) { e.FreezeApp(appKey) }, code: "10005", hint: "frozen"},
		{name: "no device", uri: "ezviz://NOSUCH/1", code: "20002", hint: "no device with this serial"},
		{name: "no camera", uri: "ezviz://" + serial + "/9", code: "20001", hint: "no such channel"},
		{name: "offline", emu: func(e *ezviztest.Emulator) { e.SetOnline(serial, false) }, code: "20007", hint: "offline"},
		{name: "encrypted", emu: func(e *ezviztest.Emulator) {
			e.AddDevice(ezviztest.Device{Serial: serial, Online: true, Encrypted: true})
		}, code: "60019", hint: "encryption"},
		{name: "not owner", emu: func(e *ezviztest.Emulator) {
			e.AddDevice(ezviztest.Device{Serial: serial, Online: true, Owner: "another-app"})
		}, code: "20018", hint: "not bound to this Ezviz account"},
		{name: "data error", emu: func(e *ezviztest.Emulator) { e.FailNext(ezviz.AddressPath, 1, "49999", "") }, code: "49999", hint: "retry later"},
		{name: "system error", emu: func(e *ezviztest.Emulator) { e.FailNext(ezviz.AddressPath, 1, "50000", "") }, code: "50000", hint: "retry later"},
		{name: "parameter error", emu: func(e *ezviztest.Emulator) { e.FailNext(ezviz.AddressPath, 1, "10001", "") }, code: "10001", hint: "parameter error"},
		{name: "unknown code", emu: func(e *ezviztest.Emulator) { e.FailNext(ezviz.AddressPath, 1, "12345", "\x00weird\nmsg") }, code: "12345", hint: "unknown Ezviz code"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			f := setup(t, tc.edit)
			if tc.emu != nil {
				tc.emu(f.emu)
			}
			uri := tc.uri
			if uri == "" {
				uri = "ezviz://" + serial + "/1"
			}
			_, err := f.client.Resolve(context.Background(), uri)
			wantCode(t, err, tc.code)
			if !strings.Contains(err.Error(), tc.hint) {
				t.Errorf("error %q does not say %q", err, tc.hint)
			}
			if strings.ContainsAny(err.Error(), "\x00\n") {
				t.Errorf("control characters in %q", err)
			}
		})
	}
}

func TestRetriesTransportAnd5xxOnly(t *testing.T) {
	t.Run("5xx then ok", func(t *testing.T) {
		f := setup(t, nil)
		f.emu.FailHTTP(ezviz.TokenPath, 2, http.StatusBadGateway)
		before := f.clock.Now()
		if _, err := f.client.Resolve(context.Background(), "ezviz://"+serial+"/1"); err != nil {
			t.Fatal(err)
		}
		if n := len(f.emu.Calls(ezviz.TokenPath)); n != 3 {
			t.Errorf("%d token calls, want 3", n)
		}
		// Two backoffs: 250-500 ms and 500-1000 ms on the fake clock.
		if waited := f.clock.Now().Sub(before); waited < 750*time.Millisecond || waited > 1500*time.Millisecond {
			t.Errorf("backoff total %s outside 750ms-1.5s", waited)
		}
	})
	t.Run("5xx gives up", func(t *testing.T) {
		f := setup(t, func(c *ezviz.Config) { c.Retries = 4; c.RetryMax = 2 * time.Second })
		f.emu.FailHTTP(ezviz.AddressPath, 10, http.StatusServiceUnavailable)
		before := f.clock.Now()
		_, err := f.client.Resolve(context.Background(), "ezviz://"+serial+"/1")
		if err == nil || !strings.Contains(err.Error(), "503") {
			t.Fatalf("err = %v", err)
		}
		if n := len(f.emu.Calls(ezviz.AddressPath)); n != 5 {
			t.Errorf("%d address calls, want 5", n)
		}
		// 0.5 + 1 + 2 + 2 s at most (capped), at least half of that.
		if waited := f.clock.Now().Sub(before); waited < 2750*time.Millisecond || waited > 5500*time.Millisecond {
			t.Errorf("backoff total %s", waited)
		}
	})
	t.Run("4xx not retried", func(t *testing.T) {
		f := setup(t, nil)
		f.emu.FailHTTP(ezviz.AddressPath, 1, http.StatusForbidden)
		_, err := f.client.Resolve(context.Background(), "ezviz://"+serial+"/1")
		if err == nil || !strings.Contains(err.Error(), "403") {
			t.Fatalf("err = %v", err)
		}
		if n := len(f.emu.Calls(ezviz.AddressPath)); n != 1 {
			t.Errorf("%d address calls, want 1", n)
		}
	})
	t.Run("refusal not retried", func(t *testing.T) {
		f := setup(t, nil)
		f.emu.FailNext(ezviz.AddressPath, 1, "50000", "")
		_, err := f.client.Resolve(context.Background(), "ezviz://"+serial+"/1")
		wantCode(t, err, "50000")
		if n := len(f.emu.Calls(ezviz.AddressPath)); n != 1 {
			t.Errorf("%d address calls, want 1", n)
		}
	})
	t.Run("transport error retried", func(t *testing.T) {
		f := setup(t, nil)
		f.emu.Close()
		_, err := f.client.Resolve(context.Background(), "ezviz://"+serial+"/1")
		if err == nil || !strings.Contains(f.logs.String(), "retrying") {
			t.Fatalf("err = %v, logs %s", err, f.logs)
		}
	})
}

func TestGarbageAnswers(t *testing.T) {
	for _, body := range []string{
		"<html>busy</html>",
		`{"code":"200","msg":"ok","data":{"accessToken":"","expireTime":1}}`,
		`{"code":"200","data":{"accessToken":"at.x","expireTime":"soon"}}`,
		`{"msg":"no code"}`,
		`{"code":{"x":1}}`,
		strings.Repeat("x", 2<<20),
	} {
		f := setup(t, nil)
		f.emu.Garbage(ezviz.TokenPath, 1, body)
		_, err := f.client.Resolve(context.Background(), "ezviz://"+serial+"/1")
		if err == nil {
			t.Errorf("body %.40q accepted", body)
		}
		if n := len(f.emu.Calls(ezviz.TokenPath)); n != 1 {
			t.Errorf("body %.40q: %d token calls, garbage is not retried", body, n)
		}
	}
	for _, body := range []string{
		`{"code":"200","data":{"url":"","expireTime":"2020-11-13 21:53:13"}}`,
		`{"code":"200","data":{"url":"not a url"}}`,
		`{"code":"200","data":null}`,
		`[1,2,3]`,
	} {
		f := setup(t, nil)
		f.emu.Garbage(ezviz.AddressPath, 1, body)
		if a, err := f.client.Resolve(context.Background(), "ezviz://"+serial+"/1"); err == nil {
			t.Errorf("body %q gave %v", body, a)
		}
	}
}

func TestSlowCloudTimesOut(t *testing.T) {
	f := setup(t, func(c *ezviz.Config) { c.CallTimeout = 100 * time.Millisecond; c.Retries = -1 })
	release, _ := f.emu.Stall()
	defer release()
	_, err := f.client.Resolve(context.Background(), "ezviz://"+serial+"/1")
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("err = %v, want a deadline", err)
	}
}

func TestCallerCancel(t *testing.T) {
	f := setup(t, nil)
	release, arrived := f.emu.Stall()
	defer release()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		_, err := f.client.Resolve(ctx, "ezviz://"+serial+"/1")
		done <- err
	}()
	<-arrived
	cancel()
	if err := <-done; !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v", err)
	}
}

func TestConcurrentCallsShareOneToken(t *testing.T) {
	f := setup(t, nil)
	var wg sync.WaitGroup
	errs := make(chan error, 16)
	for range 16 {
		wg.Go(func() {
			_, err := f.client.Resolve(context.Background(), "ezviz://"+serial+"/1")
			errs <- err
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	if n := len(f.emu.Calls(ezviz.TokenPath)); n != 1 {
		t.Errorf("%d token calls for 16 concurrent callers", n)
	}
}

func TestPTZ(t *testing.T) {
	f := setup(t, nil)
	ctx := context.Background()
	if err := f.client.PTZStart(ctx, serial, 1, ezviz.Left, ezviz.SpeedMedium); err != nil {
		t.Fatal(err)
	}
	if st := f.emu.PTZ(serial, 1); !st.Moving || st.Direction != 2 || st.Speed != 1 {
		t.Fatalf("ptz %+v", st)
	}
	if err := f.client.PTZStop(ctx, serial, 1, ezviz.Left); err != nil {
		t.Fatal(err)
	}
	if st := f.emu.PTZ(serial, 1); st.Moving || st.Stops != 1 {
		t.Fatalf("ptz %+v", st)
	}
	stop := f.emu.Calls(ezviz.PTZStopPath)[0].Form
	if stop.Get("direction") != "2" || stop.Get("channelNo") != "1" || stop.Get("deviceSerial") != serial {
		t.Errorf("stop form %v", stop)
	}
	calls := len(f.emu.Calls(""))
	if err := f.client.PTZStart(ctx, serial, 1, ezviz.Direction(12), ezviz.SpeedFast); err == nil {
		t.Error("direction 12 accepted")
	}
	if err := f.client.PTZStart(ctx, serial, 1, ezviz.Up, ezviz.Speed(3)); err == nil {
		t.Error("speed 3 accepted")
	}
	if err := f.client.PTZStart(ctx, "bad serial!", 1, ezviz.Up, ezviz.SpeedFast); err == nil {
		t.Error("bad serial accepted")
	}
	if n := len(f.emu.Calls("")); n != calls {
		t.Errorf("invalid requests reached the cloud")
	}
	f.emu.AddDevice(ezviztest.Device{Serial: "FIXED1", Online: true})
	wantCode(t, f.client.PTZStart(ctx, "FIXED1", 1, ezviz.Up, ezviz.SpeedSlow), ezviz.CodeNoPTZ)
	f.emu.FailNext(ezviz.PTZStartPath, 1, "10029", "")
	err := f.client.PTZStart(ctx, serial, 1, ezviz.Up, ezviz.SpeedSlow)
	wantCode(t, err, ezviz.CodeQuotaExceeded)
	if !strings.Contains(err.Error(), "enterprise edition") {
		t.Errorf("err %v", err)
	}
	f.emu.SetOnline(serial, false)
	wantCode(t, f.client.PTZStop(ctx, serial, 1, ezviz.Up), ezviz.CodeDeviceOffline)
}

func TestNewRejectsBadConfig(t *testing.T) {
	for _, cfg := range []ezviz.Config{
		{AppKey: "k"},
		{AppSecret: "s"},
		{BaseURL: "ftp://x", AppKey: "k", AppSecret: "s"},
		{BaseURL: "http://", AppKey: "k", AppSecret: "s"},
	} {
		if _, err := ezviz.New(cfg); err == nil {
			t.Errorf("config %+v accepted", cfg)
		} else if strings.Contains(err.Error(), "s\"") {
			t.Errorf("secret in %v", err)
		}
	}
}

func TestSecretsNeverPrinted(t *testing.T) {
	f := setup(t, nil)
	a, err := f.client.Resolve(context.Background(), "ezviz://"+serial+"/1")
	if err != nil {
		t.Fatal(err)
	}
	tokenForm := f.emu.Calls(ezviz.AddressPath)[0].Form.Get("accessToken")
	signature := a.URL[strings.Index(a.URL, "t=")+2:]
	signature, _, _ = strings.Cut(signature, "&")
	if tokenForm == "" || len(signature) < 16 {
		t.Fatalf("token %q signature %q", tokenForm, signature)
	}
	cfg := ezviz.Config{AppKey: appKey, AppSecret: appSecret}

	var out bytes.Buffer
	for _, v := range []any{cfg, &cfg, f.client, *a, a, ezviz.Secret(tokenForm)} {
		fmt.Fprintf(&out, "%v %+v %#v %s\n", v, v, v, v)
	}
	logger := slog.New(slog.NewJSONHandler(&out, nil))
	logger.Info("x", "cfg", cfg, "client", f.client, "addr", a, "addr2", *a, "secret", cfg.AppSecret)
	slog.New(slog.NewTextHandler(&out, nil)).Info("x", "cfg", cfg, "addr", a, "secret", cfg.AppSecret)

	// Errors from failing calls: refusal, wrong secret, transport.
	f.emu.FailNext(ezviz.AddressPath, 1, "20007", "")
	_, err = f.client.Resolve(context.Background(), "ezviz://"+serial+"/1")
	fmt.Fprintln(&out, err)
	bad := setup(t, func(c *ezviz.Config) { c.AppSecret = "wrong-" + appSecret })
	_, err = bad.client.Resolve(context.Background(), "ezviz://"+serial+"/1")
	fmt.Fprintln(&out, err)
	f.emu.FailHTTP(ezviz.AddressPath, 3, 500)
	f.emu.ExpireTokens()
	_, err = f.client.Resolve(context.Background(), "ezviz://"+serial+"/1")
	fmt.Fprintln(&out, err)
	f.emu.Close()
	_, err = f.client.Resolve(context.Background(), "ezviz://"+serial+"/1")
	fmt.Fprintln(&out, err)
	out.WriteString(f.logs.String())
	out.WriteString(bad.logs.String())

	for _, secret := range []string{appSecret, tokenForm, signature} {
		if strings.Contains(out.String(), secret) {
			t.Errorf("secret %q printed in:\n%s", secret, out.String())
		}
	}
	if !strings.Contains(out.String(), "******") {
		t.Error("no redaction marker at all: the test printed nothing useful")
	}
}
