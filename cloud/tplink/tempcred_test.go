package tplink_test

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/lubo-edge/lubo/cloud/tplink"
	"github.com/lubo-edge/lubo/cloud/tplink/tplinktest"
)

func TestTempCredentialsAreCachedAndRenewedBeforeExpiry(t *testing.T) {
	e := newEnv(t, tplinktest.Options{}, func(c *tplink.Config) {
		c.UseTempCredentials = true
		c.TempTTL = time.Hour
	})
	ctx := context.Background()
	for i := 0; i < 3; i++ {
		if _, err := e.client.ListDevices(ctx, tplink.ListOptions{}); err != nil {
			t.Fatalf("call %d: %v", i, err)
		}
	}
	if n := e.cloud.TempKeysIssued(); n != 1 {
		t.Fatalf("%d temporary pairs issued for 3 calls, want 1 (cached)", n)
	}
	// 55 minutes in, inside the renewal margin (a tenth, at most 5 min) of a 1 h pair.
	e.clock.Advance(55*time.Minute + time.Second)
	if _, err := e.client.ListDevices(ctx, tplink.ListOptions{}); err != nil {
		t.Fatalf("call after renewal: %v", err)
	}
	if n := e.cloud.TempKeysIssued(); n != 2 {
		t.Fatalf("%d temporary pairs issued, want 2 (renewed before expiry)", n)
	}
}

func TestRevokedTempCredentialsAreFetchedAgain(t *testing.T) {
	e := newEnv(t, tplinktest.Options{}, func(c *tplink.Config) { c.UseTempCredentials = true })
	ctx := context.Background()
	if _, err := e.client.ListDevices(ctx, tplink.ListOptions{}); err != nil {
		t.Fatal(err)
	}
	e.cloud.RevokeTempKeys()
	if _, err := e.client.ListDevices(ctx, tplink.ListOptions{}); err != nil {
		t.Fatalf("after revocation: %v", err)
	}
	if n := e.cloud.TempKeysIssued(); n != 2 {
		t.Fatalf("%d temporary pairs issued, want 2", n)
	}
}

func TestEmulatorRefusesExpiredTempCredentials(t *testing.T) {
	e := newEnv(t, tplinktest.Options{}, nil)
	tc, err := e.client.CreateTempCredential(context.Background(), 60*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	if got := tc.ExpireTime.Sub(tc.CreateTime); got != time.Minute {
		t.Fatalf("lifetime %s, want 1m", got)
	}
	body := []byte(`{"start":0,"limit":1}`)
	if c, _ := rawCall(t, e, tplinktest.PathDevicesDeviceApp, tc.AccessKey, tc.SecretKey.Reveal(), nonceA, body, ""); c != 0 {
		t.Fatalf("fresh temporary pair refused: %d", c)
	}
	e.clock.Advance(61 * time.Second)
	if c, _ := rawCall(t, e, tplinktest.PathDevicesDeviceApp, tc.AccessKey, tc.SecretKey.Reveal(), "1"+nonceA[1:], body, ""); c != tplink.CodeInvalidAK {
		t.Fatalf("expired temporary pair: code %d, want -10304", c)
	}
}

func TestTempCredentialCannotMakeAnother(t *testing.T) {
	e := newEnv(t, tplinktest.Options{}, nil)
	tc, err := e.client.CreateTempCredential(context.Background(), 0)
	if err != nil {
		t.Fatal(err)
	}
	if got := tc.ExpireTime.Sub(tc.CreateTime); got != 1800*time.Second {
		t.Fatalf("default lifetime %s, want 1800s", got)
	}
	body, _ := json.Marshal(map[string]int{"expireTime": 60})
	if c, _ := rawCall(t, e, tplinktest.PathCreateTempCredential, tc.AccessKey, tc.SecretKey.Reveal(), nonceA, body, ""); c != tplink.CodeNoPermission {
		t.Fatalf("temp pair creating a temp pair: code %d, want -82401", c)
	}
}

func TestTempCredentialTTLIsChecked(t *testing.T) {
	e := newEnv(t, tplinktest.Options{}, nil)
	for _, ttl := range []time.Duration{time.Millisecond, 25 * time.Hour} {
		if _, err := e.client.CreateTempCredential(context.Background(), ttl); err == nil {
			t.Errorf("ttl %s accepted", ttl)
		}
	}
	if _, err := tplink.New(tplink.Config{AccessKey: "a", SecretKey: "s", TempTTL: 48 * time.Hour}); err == nil {
		t.Error("config with 48h temp ttl accepted")
	}
}

func TestConcurrentCallsShareOneTempCredential(t *testing.T) {
	e := newEnv(t, tplinktest.Options{}, func(c *tplink.Config) { c.UseTempCredentials = true })
	errs := make(chan error, 8)
	for i := 0; i < 8; i++ {
		go func() {
			_, err := e.client.ListDevices(context.Background(), tplink.ListOptions{})
			errs <- err
		}()
	}
	for i := 0; i < 8; i++ {
		if err := <-errs; err != nil {
			t.Error(err)
		}
	}
	if n := e.cloud.TempKeysIssued(); n != 1 {
		t.Fatalf("%d temporary pairs issued for 8 concurrent calls, want 1", n)
	}
}
