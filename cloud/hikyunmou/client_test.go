package hikyunmou_test

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

	"github.com/lubo-edge/lubo/cloud/hikyunmou"
	"github.com/lubo-edge/lubo/cloud/hikyunmou/hikyunmoutest"
	"github.com/lubo-edge/lubo/internal/testkit"
)

const (
	clientID     = "3ad9ce8c8c3f4bbd8d3b1e5c4c1b9f10"
	clientSecret = "cs-9b1c2d3e4f5a6b7c"
	serial       = "E12345678"
	validateCode = "ABCDEF"
	group        = "G001"
)

var start = time.Date(2026, 3, 4, 8, 0, 0, 0, time.UTC)

type fixture struct {
	clock  *hikyunmoutest.Clock
	emu    *hikyunmoutest.Emulator
	client *hikyunmou.Client
	logs   *lockedBuffer
	events []hikyunmou.Progress
	mu     sync.Mutex
}

// lockedBuffer is the shared thread-safe log buffer.
type lockedBuffer = testkit.LogBuffer

func setup(t *testing.T, emuCfg hikyunmoutest.Config, edit func(*hikyunmou.Config)) *fixture {
	t.Helper()
	f := &fixture{clock: hikyunmoutest.NewClock(start), logs: &lockedBuffer{}}
	emuCfg.Now = f.clock.Now
	f.emu = hikyunmoutest.New(emuCfg)
	t.Cleanup(f.emu.Close)
	f.emu.AddClient(clientID, clientSecret)
	cfg := hikyunmou.Config{
		BaseURL:      f.emu.URL(),
		ClientID:     clientID,
		ClientSecret: clientSecret,
		Now:          f.clock.Now,
		Sleep:        f.clock.Sleep,
		Logger:       slog.New(slog.NewTextHandler(f.logs, nil)),
	}
	if edit != nil {
		edit(&cfg)
	}
	c, err := hikyunmou.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	f.client = c
	return f
}

func (f *fixture) record(p hikyunmou.Progress) {
	f.mu.Lock()
	f.events = append(f.events, p)
	f.mu.Unlock()
}

func (f *fixture) states() []hikyunmou.State {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []hikyunmou.State
	for _, e := range f.events {
		if len(out) == 0 || out[len(out)-1] != e.State {
			out = append(out, e.State)
		}
	}
	return out
}

func device() hikyunmou.Device {
	return hikyunmou.Device{Serial: serial, GroupNo: group, ValidateCode: validateCode}
}

func wantCode(t *testing.T, err error, code string) *hikyunmou.Error {
	t.Helper()
	var e *hikyunmou.Error
	if !errors.As(err, &e) || e.Code != code {
		t.Fatalf("err = %v, want *hikyunmou.Error code %s", err, code)
	}
	return e
}

func TestRegisterDirect(t *testing.T) {
	f := setup(t, hikyunmoutest.Config{}, nil)
	f.emu.AddDevice(hikyunmoutest.Device{Serial: serial, ValidateCode: validateCode, Online: true})
	reg, err := f.client.Enroll(context.Background(), device(), f.record)
	if err != nil {
		t.Fatal(err)
	}
	if reg.DeviceSerial != serial || reg.DeviceID == "" || !f.emu.Registered(serial) {
		t.Fatalf("registration %+v", reg)
	}
	if got := fmt.Sprint(f.states()); got != "[registering registered]" {
		t.Errorf("states %s", got)
	}
	if len(f.emu.Polls(serial, "")) != 0 {
		t.Error("确权 calls for a device that did not need them")
	}
	// Registering again is refused by the cloud, surfaced as is.
	_, err = f.client.Register(context.Background(), device())
	wantCode(t, err, hikyunmoutest.CodeAlreadyAdded)
}

func TestRegisterRefusals(t *testing.T) {
	f := setup(t, hikyunmoutest.Config{}, nil)
	f.emu.AddDevice(hikyunmoutest.Device{Serial: serial, ValidateCode: validateCode, Online: true})
	ctx := context.Background()
	_, err := f.client.Register(ctx, hikyunmou.Device{Serial: "NOPE", GroupNo: group, ValidateCode: "X"})
	wantCode(t, err, hikyunmoutest.CodeNoDevice)
	_, err = f.client.Register(ctx, hikyunmou.Device{Serial: serial, GroupNo: group, ValidateCode: "WRONG"})
	wantCode(t, err, hikyunmoutest.CodeBadValidateCode)
	calls := len(f.emu.Calls(""))
	for _, d := range []hikyunmou.Device{
		{GroupNo: group, ValidateCode: "X"},
		{Serial: serial, ValidateCode: "X"},
		{Serial: serial, GroupNo: group},
		{Serial: "a\nb", GroupNo: group, ValidateCode: "X"},
	} {
		if _, err := f.client.Register(ctx, d); err == nil {
			t.Errorf("%+v accepted", d)
		}
	}
	if len(f.emu.Calls("")) != calls {
		t.Error("an invalid device reached the cloud")
	}
	f.emu.FailNext(hikyunmou.DefaultPaths.Register, 1, "400", "参数错误")
	wantCode(t, func() error { _, err := f.client.Register(ctx, device()); return err }(), "400")
}

func TestWrongClientCredentials(t *testing.T) {
	for name, edit := range map[string]func(*hikyunmou.Config){
		"secret": func(c *hikyunmou.Config) { c.ClientSecret = "wrong" },
		"id":     func(c *hikyunmou.Config) { c.ClientID = "unknown" },
	} {
		t.Run(name, func(t *testing.T) {
			f := setup(t, hikyunmoutest.Config{}, edit)
			f.emu.AddDevice(hikyunmoutest.Device{Serial: serial, ValidateCode: validateCode})
			_, err := f.client.Enroll(context.Background(), device(), f.record)
			e := wantCode(t, err, hikyunmou.CodeInvalidClient)
			if e.HTTPStatus != http.StatusUnauthorized || !strings.Contains(err.Error(), "client_id or client_secret is wrong") {
				t.Errorf("err %v", err)
			}
			if n := len(f.emu.Calls(hikyunmou.DefaultPaths.Token)); n != 1 {
				t.Errorf("%d token calls: a refusal is not retried", n)
			}
			if s := f.states(); s[len(s)-1] != hikyunmou.StateFailed {
				t.Errorf("states %v", s)
			}
		})
	}
}

func TestTokenCacheAndRenewal(t *testing.T) {
	f := setup(t, hikyunmoutest.Config{TokenTTL: time.Hour}, nil)
	f.emu.AddDevice(hikyunmoutest.Device{Serial: serial, ValidateCode: validateCode, Online: true})
	ctx := context.Background()
	for range 3 {
		_ = f.client.Confirm(ctx, serial, nil) // not needed: auto-confirm answers 200
	}
	tokens := f.emu.Calls(hikyunmou.DefaultPaths.Token)
	if len(tokens) != 1 {
		t.Fatalf("%d token calls for 3 calls", len(tokens))
	}
	if got := f.client.TokenRenewal(); !got.Equal(start.Add(55 * time.Minute)) {
		t.Errorf("renewal at %s", got)
	}
	f.clock.Advance(55*time.Minute - time.Second)
	_ = f.client.Confirm(ctx, serial, nil)
	if n := len(f.emu.Calls(hikyunmou.DefaultPaths.Token)); n != 1 {
		t.Fatalf("renewed early")
	}
	f.clock.Advance(time.Second)
	_ = f.client.Confirm(ctx, serial, nil)
	if n := len(f.emu.Calls(hikyunmou.DefaultPaths.Token)); n != 2 {
		t.Fatalf("%d token calls, want a renewal 5 min before expiry", n)
	}
}

func TestExpiredTokenRenewedOnce(t *testing.T) {
	f := setup(t, hikyunmoutest.Config{}, nil)
	f.emu.AddDevice(hikyunmoutest.Device{Serial: serial, ValidateCode: validateCode, Online: true})
	ctx := context.Background()
	if err := f.client.Confirm(ctx, serial, nil); err != nil {
		t.Fatal(err)
	}
	f.emu.ExpireTokens()
	if _, err := f.client.Register(ctx, device()); err != nil {
		t.Fatal(err)
	}
	if n := len(f.emu.Calls(hikyunmou.DefaultPaths.Token)); n != 2 {
		t.Errorf("%d token calls", n)
	}
	if n := len(f.emu.Calls(hikyunmou.DefaultPaths.Register)); n != 2 {
		t.Errorf("%d register calls, want 2 (401, retry)", n)
	}
	// A token refused twice is an error, not a loop.
	f.emu.RejectTokens(5)
	_, err := f.client.Register(ctx, device())
	wantCode(t, err, hikyunmou.CodeInvalidToken)
	if n := len(f.emu.Calls(hikyunmou.DefaultPaths.Register)); n != 4 {
		t.Errorf("%d register calls, want exactly 2 more", n)
	}
	if n := len(f.emu.Calls(hikyunmou.DefaultPaths.Token)); n != 3 {
		t.Errorf("%d token calls, want exactly 1 more", n)
	}
}

func TestRetriesAndGarbage(t *testing.T) {
	t.Run("5xx then ok", func(t *testing.T) {
		f := setup(t, hikyunmoutest.Config{}, nil)
		f.emu.AddDevice(hikyunmoutest.Device{Serial: serial, ValidateCode: validateCode})
		f.emu.FailHTTP(hikyunmou.DefaultPaths.Token, 2, http.StatusServiceUnavailable)
		if _, err := f.client.Register(context.Background(), device()); err != nil {
			t.Fatal(err)
		}
		if n := len(f.emu.Calls(hikyunmou.DefaultPaths.Token)); n != 3 {
			t.Errorf("%d token calls", n)
		}
	})
	t.Run("5xx gives up", func(t *testing.T) {
		f := setup(t, hikyunmoutest.Config{}, func(c *hikyunmou.Config) { c.Retries = 3 })
		f.emu.FailHTTP(hikyunmou.DefaultPaths.Token, 9, http.StatusBadGateway)
		_, err := f.client.Register(context.Background(), device())
		if err == nil || !strings.Contains(err.Error(), "502") {
			t.Fatalf("err = %v", err)
		}
		if n := len(f.emu.Calls(hikyunmou.DefaultPaths.Token)); n != 4 {
			t.Errorf("%d token calls, want 4", n)
		}
	})
	t.Run("4xx without body not retried", func(t *testing.T) {
		f := setup(t, hikyunmoutest.Config{}, nil)
		f.emu.FailHTTP(hikyunmou.DefaultPaths.Token, 1, http.StatusForbidden)
		_, err := f.client.Register(context.Background(), device())
		if e := wantCode(t, err, "http"); e.HTTPStatus != 403 {
			t.Errorf("status %d", e.HTTPStatus)
		}
		if n := len(f.emu.Calls(hikyunmou.DefaultPaths.Token)); n != 1 {
			t.Errorf("%d token calls", n)
		}
	})
	for _, body := range []string{
		"<html>",
		`{"access_token":"","expires_in":10}`,
		`{"access_token":"a b","expires_in":10}`,
		`{"access_token":"ab","expires_in":"soon"}`,
		`{"access_token":"ab","expires_in":10,"token_type":"mac"}`,
		`{}`,
		strings.Repeat("{", 2<<20),
	} {
		f := setup(t, hikyunmoutest.Config{}, nil)
		f.emu.Garbage(hikyunmou.DefaultPaths.Token, 1, body)
		if _, err := f.client.Register(context.Background(), device()); err == nil {
			t.Errorf("token answer %.30q accepted", body)
		}
	}
	f := setup(t, hikyunmoutest.Config{}, nil)
	f.emu.AddDevice(hikyunmoutest.Device{Serial: serial, ValidateCode: validateCode})
	f.emu.Garbage(hikyunmou.DefaultPaths.Register, 1, `{"code":"200","data":"not an object"}`)
	if _, err := f.client.Register(context.Background(), device()); err == nil {
		t.Error("garbage data accepted")
	}
}

func TestSlowCloud(t *testing.T) {
	f := setup(t, hikyunmoutest.Config{}, func(c *hikyunmou.Config) { c.CallTimeout = 100 * time.Millisecond; c.Retries = -1 })
	release, _ := f.emu.Stall()
	defer release()
	_, err := f.client.Register(context.Background(), device())
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("err = %v", err)
	}

	g := setup(t, hikyunmoutest.Config{}, nil)
	release2, arrived := g.emu.Stall()
	defer release2()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { _, err := g.client.Register(ctx, device()); done <- err }()
	<-arrived
	cancel()
	if err := <-done; !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v", err)
	}
}

func TestNewRejectsBadConfig(t *testing.T) {
	for _, cfg := range []hikyunmou.Config{
		{ClientID: "x"},
		{ClientSecret: "x"},
		{BaseURL: "ftp://h", ClientID: "x", ClientSecret: "s"},
		{BaseURL: "http://u:p@h", ClientID: "x", ClientSecret: "s"},
		{ClientID: "x", ClientSecret: "s", Paths: hikyunmou.Paths{Register: "relative"}},
		{ClientID: "x", ClientSecret: "s", Paths: hikyunmou.Paths{Token: "/t?x=1"}},
	} {
		if _, err := hikyunmou.New(cfg); err == nil {
			t.Errorf("%+v accepted", cfg)
		}
	}
}

func TestSecretsNeverPrinted(t *testing.T) {
	f := setup(t, hikyunmoutest.Config{}, nil)
	f.emu.AddDevice(hikyunmoutest.Device{Serial: serial, ValidateCode: validateCode, NeedsConfirm: true})
	_, err := f.client.Enroll(context.Background(), device(), f.record)
	var out bytes.Buffer
	fmt.Fprintln(&out, err)
	cfg := hikyunmou.Config{ClientID: clientID, ClientSecret: clientSecret}
	d := device()
	for _, v := range []any{cfg, &cfg, f.client, d, &d} {
		fmt.Fprintf(&out, "%v %+v %#v %s\n", v, v, v, v)
	}
	slog.New(slog.NewJSONHandler(&out, nil)).Info("x", "cfg", cfg, "device", d, "client", f.client)
	slog.New(slog.NewTextHandler(&out, nil)).Info("x", "cfg", cfg, "device", d)
	for _, p := range f.events {
		fmt.Fprintf(&out, "%+v\n", p)
		slog.New(slog.NewJSONHandler(&out, nil)).Info("p", "progress", p)
	}
	bad := setup(t, hikyunmoutest.Config{}, func(c *hikyunmou.Config) { c.ClientSecret = "bad-" + clientSecret })
	_, err = bad.client.Register(context.Background(), device())
	fmt.Fprintln(&out, err)
	f.emu.ExpireTokens()
	f.emu.Close()
	_, err = f.client.Register(context.Background(), device())
	fmt.Fprintln(&out, err)
	out.WriteString(f.logs.String())
	out.WriteString(bad.logs.String())

	secrets := append([]string{clientSecret, validateCode}, f.emu.IssuedTokens()...)
	if len(secrets) < 3 {
		t.Fatal("no token was issued: the test checked nothing")
	}
	for _, secret := range secrets {
		if strings.Contains(out.String(), secret) {
			t.Errorf("secret %q printed:\n%s", secret, out.String())
		}
	}
	if !strings.Contains(out.String(), "******") {
		t.Error("no redaction marker: the test printed nothing useful")
	}
}
