package tplink_test

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/lubo-edge/lubo/cloud/tplink"
	"github.com/lubo-edge/lubo/cloud/tplink/tplinktest"
)

const camQR = "HGD6784KOFV895J08"

func streamEnv(t *testing.T, tweak func(*tplink.Config)) *env {
	e := newEnv(t, tplinktest.Options{}, tweak)
	e.cloud.SetDevices([]tplinktest.Device{camera(camQR)})
	return e
}

func TestResolveStreamReadyAtOnce(t *testing.T) {
	e := streamEnv(t, nil)
	e.cloud.SetRelayURL("rtsp://127.0.0.1:8554/test-camera")
	s, err := e.client.ResolveStream(context.Background(), tplink.StreamRequest{QRCode: camQR, Channel: 1})
	if err != nil {
		t.Fatal(err)
	}
	if s.URL != "rtsp://127.0.0.1:8554/test-camera" || s.Cookie.Reveal() == "" || s.Token.Reveal() == "" || s.RelayVersion != "1.3" {
		t.Fatalf("stream %+v", s)
	}
	if n := e.cloud.Calls(tplinktest.PathRequestRelayURLAgain); n != 0 {
		t.Fatalf("%d polls for a ready relay", n)
	}
}

func TestResolveStreamPollsThroughNotReady(t *testing.T) {
	e := streamEnv(t, func(c *tplink.Config) { c.ClientType = "chrome 99.0" }) // a space, as in the document's URL
	e.cloud.SetNotReady(3)
	start := e.clock.Now()
	s, err := e.client.ResolveStream(context.Background(), tplink.StreamRequest{QRCode: camQR, Channel: 1, Resolution: tplink.ResolutionHD})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(s.URL, "/sdk/") {
		t.Fatalf("default relay url %q", s.URL)
	}
	if n := e.cloud.Calls(tplinktest.PathRequestRelayURLAgain); n != 3 {
		t.Fatalf("%d polls, want 3 (requestRelayUrl and two polls answer -80703, the third is ready)", n)
	}
	if waited := e.clock.Now().Sub(start); waited != 3*time.Second {
		t.Fatalf("paused %s on the fake clock, want 3 × 1 s", waited)
	}
}

func TestResolveStreamGivesUpAtDeadline(t *testing.T) {
	e := streamEnv(t, nil)
	e.cloud.SetNotReady(1 << 20)
	_, err := e.client.ResolveStream(context.Background(), tplink.StreamRequest{QRCode: camQR, Channel: 1})
	if got := code(t, err); got != tplink.CodeURLNotReady {
		t.Fatalf("code %d, want -80703", got)
	}
	if !strings.Contains(err.Error(), "still not ready after 30s") {
		t.Fatalf("error does not say it gave up after 30 s: %v", err)
	}
	if n := e.cloud.Calls(tplinktest.PathRequestRelayURLAgain); n != 30 {
		t.Fatalf("%d polls in 30 s at 1 s, want 30", n)
	}
}

func TestResolveStreamCustomPollTiming(t *testing.T) {
	e := streamEnv(t, func(c *tplink.Config) { c.PollInterval = 2 * time.Second; c.PollTimeout = 5 * time.Second })
	e.cloud.SetNotReady(1 << 20)
	_, err := e.client.ResolveStream(context.Background(), tplink.StreamRequest{QRCode: camQR, Channel: 1})
	if err == nil || !strings.Contains(err.Error(), "after 5s") {
		t.Fatalf("err %v", err)
	}
	// Pauses of 2 s, 2 s and the last 1 s up to the deadline.
	if n := e.cloud.Calls(tplinktest.PathRequestRelayURLAgain); n != 3 {
		t.Fatalf("%d polls, want 3", n)
	}
}

func TestResolveStreamCancelled(t *testing.T) {
	e := streamEnv(t, nil)
	e.cloud.SetNotReady(1 << 20)
	ctx, cancel := context.WithCancel(context.Background())
	cfg := e.cfg
	polls := 0
	cfg.Sleep = func(ctx context.Context, d time.Duration) error {
		if polls++; polls == 3 {
			cancel()
		}
		return e.clock.Sleep(ctx, d)
	}
	c, err := tplink.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.ResolveStream(ctx, tplink.StreamRequest{QRCode: camQR, Channel: 1})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("err %v, want context.Canceled", err)
	}
}

func TestPollOfUnknownSessionIsRefused52202(t *testing.T) {
	e := streamEnv(t, nil)
	e.cloud.InjectFault(tplinktest.PathRequestRelayURL, tplinktest.Fault{Code: tplink.CodeURLNotReady, Msg: "URL not ready",
		Result: map[string]string{"sessionId": "no-such-session", "token": "{1}-x;tokenType=SDKToken"}})
	_, err := e.client.ResolveStream(context.Background(), tplink.StreamRequest{QRCode: camQR, Channel: 1})
	if got := code(t, err); got != tplink.CodeSessionNotFound {
		t.Fatalf("code %d, want -52202", got)
	}
}

func TestResolveStreamRefusals(t *testing.T) {
	e := streamEnv(t, nil)
	ctx := context.Background()
	_, err := e.client.ResolveStream(ctx, tplink.StreamRequest{QRCode: "NOTINAPP000000000", Channel: 1})
	if got := code(t, err); got != tplink.CodeDeviceNotInApp {
		t.Fatalf("unknown device: code %d", got)
	}
	for _, bad := range []tplink.StreamRequest{
		{Channel: 1},
		{QRCode: camQR},
		{QRCode: camQR, Channel: 1, StreamType: "hls"},
		{QRCode: camQR, Channel: 1, Resolution: 4},
	} {
		if _, err := e.client.ResolveStream(ctx, bad); err == nil {
			t.Errorf("%+v accepted", bad)
		}
	}
	if n := e.cloud.Calls(tplinktest.PathRequestStreamURL); n != 1 {
		t.Fatalf("invalid requests reached the cloud: %d calls", n)
	}
	// An expired stream token at requestRelayUrl.
	e.cloud.InjectFault(tplinktest.PathRequestRelayURL, tplinktest.Fault{Code: tplink.CodeStreamTokenGone, Msg: "token过期或不存在"})
	_, err = e.client.ResolveStream(ctx, tplink.StreamRequest{QRCode: camQR, Channel: 1})
	if got := code(t, err); got != tplink.CodeStreamTokenGone {
		t.Fatalf("code %d, want -80731", got)
	}
}

func TestRenewRelayCookie(t *testing.T) {
	e := streamEnv(t, nil)
	ctx := context.Background()
	s, err := e.client.ResolveStream(ctx, tplink.StreamRequest{QRCode: camQR, Channel: 1})
	if err != nil {
		t.Fatal(err)
	}
	if !s.Expires.IsZero() {
		t.Fatalf("expiry %s known before any renewal", s.Expires)
	}
	if err := e.client.RenewRelayCookie(ctx, &s, 0); err != nil {
		t.Fatal(err)
	}
	if got := s.Expires.Sub(e.clock.Now()); got != 1800*time.Second {
		t.Fatalf("default renewal gives %s, want 1800s", got)
	}
	if err := e.client.RenewRelayCookie(ctx, &s, 10*time.Minute); err != nil {
		t.Fatal(err)
	}
	if got := s.Expires.Sub(e.clock.Now()); got != 10*time.Minute {
		t.Fatalf("renewal gives %s, want 10m", got)
	}
	if err := e.client.RenewRelayCookie(ctx, &s, 2*time.Hour); err == nil {
		t.Fatal("maxAge 2h accepted")
	}
	forged := s
	forged.Cookie = "AWSELB=forged"
	if err := e.client.RenewRelayCookie(ctx, &forged, 0); code(t, err) != tplink.CodeStreamTokenGone {
		t.Fatalf("forged cookie: %v", err)
	}
}

func TestResolveURI(t *testing.T) {
	e := streamEnv(t, nil)
	e.cloud.SetRelayURLFunc(func(qr string, ch int, st string) string {
		return "rtmp://127.0.0.1:1935/live/" + qr + "_" + strconv.Itoa(ch) + "_" + st
	})
	s, err := e.client.ResolveURI(context.Background(), "tplink://hgd6784kofv895j08/1?stream=sdvod")
	if err != nil {
		t.Fatal(err)
	}
	if s.URL != "rtmp://127.0.0.1:1935/live/"+camQR+"_1_sdvod" {
		t.Fatalf("url %q", s.URL)
	}
	if _, err := e.client.ResolveURI(context.Background(), "tplink://short/1"); err == nil {
		t.Fatal("bad uri accepted")
	}
}
