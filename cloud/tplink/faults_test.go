package tplink_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/lubo-edge/lubo/cloud/tplink"
	"github.com/lubo-edge/lubo/cloud/tplink/tplinktest"
)

func TestGarbageAnswers(t *testing.T) {
	for _, tc := range []struct {
		name string
		f    tplinktest.Fault
		want string
	}{
		{"not json", tplinktest.Fault{Body: []byte("<html>oops</html>")}, "not the documented JSON"},
		{"http 502", tplinktest.Fault{Body: []byte("bad gateway"), Status: 502}, "HTTP status 502"},
		{"no error_code", tplinktest.Fault{Body: []byte(`{"result":{}}`)}, "no error_code"},
		{"result wrong type", tplinktest.Fault{Body: []byte(`{"error_code":0,"result":[1,2]}`)}, "not the documented JSON"},
		{"no result", tplinktest.Fault{Body: []byte(`{"error_code":0}`)}, "no result"},
		{"huge", tplinktest.Fault{Body: bytes.Repeat([]byte(" "), tplink.DefaultMaxBodyBytes+10)}, "larger than"},
		{"busy", tplinktest.Fault{Code: tplink.CodeCloudBusy, Msg: "云端繁忙"}, "error_code -20003"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t, tplinktest.Options{}, nil)
			e.cloud.InjectFault(tplinktest.PathDevicesDeviceApp, tc.f)
			_, err := e.client.ListDevices(context.Background(), tplink.ListOptions{})
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err %v, want %q", err, tc.want)
			}
		})
	}
}

func TestStalledCloudTimesOut(t *testing.T) {
	e := newEnv(t, tplinktest.Options{}, func(c *tplink.Config) { c.Timeout = 100 * time.Millisecond })
	stall := make(chan struct{})
	t.Cleanup(func() { close(stall) })
	e.cloud.InjectFault(tplinktest.PathRequestStreamURL, tplinktest.Fault{Stall: stall})
	e.cloud.SetDevices([]tplinktest.Device{camera(camQR)})
	_, err := e.client.ResolveStream(context.Background(), tplink.StreamRequest{QRCode: camQR, Channel: 1})
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("err %v, want a deadline", err)
	}
}

func TestSecretsNeverPrinted(t *testing.T) {
	e := streamEnv(t, func(c *tplink.Config) { c.UseTempCredentials = true })
	ctx := context.Background()
	s, err := e.client.ResolveStream(ctx, tplink.StreamRequest{QRCode: camQR, Channel: 1})
	if err != nil {
		t.Fatal(err)
	}
	tc, err := e.client.CreateTempCredential(ctx, time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	secrets := []string{testSK, s.Cookie.Reveal(), s.Token.Reveal(), tc.SecretKey.Reveal(), "sessionid="}

	// A failing call with a wrong secret, and one that times out at the relay.
	bad := e.cfg
	bad.SecretKey = "wrong-secret-value"
	badClient, err := tplink.New(bad)
	if err != nil {
		t.Fatal(err)
	}
	_, callErr := badClient.ListDevices(ctx, tplink.ListOptions{})
	if callErr == nil {
		t.Fatal("wrong secret accepted")
	}
	secrets = append(secrets, "wrong-secret-value")

	var out bytes.Buffer
	for _, v := range []any{e.cfg, &e.cfg, e.client, s, &s, tc, callErr, bad} {
		fmt.Fprintf(&out, "%v\n%+v\n%#v\n%s\n%q\n", v, v, v, v, v)
	}
	log := slog.New(slog.NewJSONHandler(&out, nil))
	log.Info("x", "cfg", e.cfg, "client", e.client, "stream", s, "temp", tc, "err", callErr)
	slog.New(slog.NewTextHandler(&out, nil)).Info("x", "cfg", e.cfg, "stream", s, "temp", tc)
	text := out.String()
	for _, sec := range secrets {
		if sec != "" && strings.Contains(text, sec) {
			t.Errorf("output shows secret %q:\n%s", sec, text)
		}
	}
	if !strings.Contains(text, "******") {
		t.Fatal("redaction marker missing: the test looked at nothing")
	}
}

func TestConfigChecks(t *testing.T) {
	ok := tplink.Config{AccessKey: "ak", SecretKey: "sk"}
	c, err := tplink.New(ok)
	if err != nil {
		t.Fatal(err)
	}
	if id := c.TerminalID(); len(id) != 32 {
		t.Fatalf("default terminal id %q", id)
	}
	c2, _ := tplink.New(ok)
	if c2.TerminalID() != c.TerminalID() {
		t.Fatal("default terminal id is not stable")
	}
	for name, bad := range map[string]tplink.Config{
		"no ak":          {SecretKey: "sk"},
		"no sk":          {AccessKey: "ak"},
		"ak with comma":  {AccessKey: "a,k", SecretKey: "sk"},
		"terminal 65":    {AccessKey: "ak", SecretKey: "sk", TerminalID: strings.Repeat("t", 65)},
		"terminal space": {AccessKey: "ak", SecretKey: "sk", TerminalID: "a b"},
		"api not url":    {AccessKey: "ak", SecretKey: "sk", API: "ftp://x"},
		"page size 101":  {AccessKey: "ak", SecretKey: "sk", PageSize: 101},
		"application 7":  {AccessKey: "ak", SecretKey: "sk", Application: 7},
	} {
		if _, err := tplink.New(bad); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
	if _, err := tplink.New(tplink.Config{AccessKey: "ak", SecretKey: "sk", TerminalID: strings.Repeat("t", 64)}); err != nil {
		t.Errorf("64-character terminal id refused: %v", err)
	}
}
