package setup_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/lubo-edge/lubo/cloud/ezviz"
	"github.com/lubo-edge/lubo/cloud/ezviz/ezviztest"
	"github.com/lubo-edge/lubo/cloud/hikyunmou"
	"github.com/lubo-edge/lubo/cloud/hikyunmou/hikyunmoutest"
	"github.com/lubo-edge/lubo/cloud/onenet/onenettest"
	"github.com/lubo-edge/lubo/cloud/setup"
	"github.com/lubo-edge/lubo/cloud/tplink"
	"github.com/lubo-edge/lubo/cloud/tplink/tplinktest"
	"github.com/lubo-edge/lubo/configs"
)

// clock is a test clock years away from the real one, so a client that
// ignored Options.Now would sign or time its calls wrongly and be refused.
type clock struct {
	mu     sync.Mutex
	t      time.Time
	sleeps int
}

func newClock() *clock { return &clock{t: time.Date(2031, 3, 4, 5, 6, 7, 0, time.UTC)} }

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Sleep(ctx context.Context, d time.Duration) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
	c.sleeps++
	return nil
}

func (c *clock) Sleeps() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.sleeps
}

// countingTransport counts the requests of the HTTP client it is given to.
type countingTransport struct{ n atomic.Int64 }

func (t *countingTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	t.n.Add(1)
	return http.DefaultTransport.RoundTrip(r)
}

func options(c *clock, tr *countingTransport, logs *bytes.Buffer) setup.Options {
	return setup.Options{
		Logger:     slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug})),
		HTTPClient: &http.Client{Transport: tr, Timeout: 10 * time.Second},
		Now:        c.Now,
		Sleep:      c.Sleep,
	}
}

// printed is every way a value can end up in a log or an error.
func printed(v any) string {
	var logs bytes.Buffer
	slog.New(slog.NewJSONHandler(&logs, nil)).Info("x", "v", v)
	slog.New(slog.NewTextHandler(&logs, nil)).Info("x", "v", v)
	return fmt.Sprintf("%v %+v %#v %s", v, v, v, logs.String())
}

func noSecret(t *testing.T, where, text string, secrets ...string) {
	t.Helper()
	for _, s := range secrets {
		if strings.Contains(text, s) {
			t.Errorf("%s shows secret %q: %s", where, s, text)
		}
	}
}

func TestMissingSectionsAreNotConfiguredErrors(t *testing.T) {
	checks := []struct {
		err     error
		section string
		example string
	}{
		{func() error { _, err := setup.TPLink(nil, setup.Options{}); return err }(), "tplink", "cloud: {tplink: {ak, sk}}"},
		{func() error { _, err := setup.Ezviz(nil, setup.Options{}); return err }(), "ezviz", "cloud: {ezviz: {app_key, app_secret}}"},
		{func() error { _, err := setup.HikYunmou(nil, setup.Options{}); return err }(), "hikyunmou", "cloud: {hikyunmou: {api, client_id, client_secret}}"},
		{func() error { _, err := setup.OneNET(nil, setup.Options{}); return err }(), "onenet", "cloud: {onenet: {api, master_key, product_id}}"},
	}
	for _, c := range checks {
		var nc *setup.NotConfiguredError
		if !errors.As(c.err, &nc) {
			t.Fatalf("%v: not a *NotConfiguredError", c.err)
		}
		if nc.Section != c.section || nc.Example() != c.example || c.err.Error() != "cloud."+c.section+" is not configured; add "+c.example {
			t.Errorf("%+v: %q", nc, c.err)
		}
	}
}

func TestTPLinkFromConfig(t *testing.T) {
	const ak, sk = "tplink-ak-0001", "tplink-sk-never-printed-77"
	c := newClock()
	cloud := tplinktest.New(tplinktest.Options{Now: c.Now})
	defer cloud.Close()
	cloud.AddKey(ak, sk)
	cloud.SetDevices([]tplinktest.Device{{QRCode: "ABCDEFGH123456789", Name: "cam", Type: "SURVEILLANCECAMERA", Status: 1}})
	cloud.SetNotReady(2)

	tr := &countingTransport{}
	var logs bytes.Buffer
	client, err := setup.TPLink(&configs.TPLink{API: cloud.URL, AK: ak, SK: sk}, options(c, tr, &logs))
	if err != nil {
		t.Fatal(err)
	}
	ds, err := client.ListDevices(context.Background(), tplink.ListOptions{})
	if err != nil || len(ds) != 1 {
		t.Fatalf("ListDevices: %v, %d devices (a client off the injected clock is refused -10302)", err, len(ds))
	}
	s, err := client.ResolveStream(context.Background(), tplink.StreamRequest{QRCode: "ABCDEFGH123456789", Channel: 1})
	if err != nil || s.URL == "" {
		t.Fatalf("ResolveStream: %v", err)
	}
	if c.Sleeps() == 0 {
		t.Error("relay polling did not sleep on the injected clock")
	}
	if tr.n.Load() == 0 {
		t.Error("the injected HTTP client was not used")
	}
	noSecret(t, "the client", printed(client), sk)
	noSecret(t, "the logs", logs.String(), sk)

	_, err = setup.TPLink(&configs.TPLink{API: "http://%zz", AK: ak, SK: sk}, setup.Options{})
	if err == nil || !strings.HasPrefix(err.Error(), "cloud.tplink: ") {
		t.Errorf("bad api: %v", err)
	}
	noSecret(t, "the error", fmt.Sprint(err), sk)
}

func TestEzvizFromConfig(t *testing.T) {
	const key, secret = "ezviz-key-0001", "ezviz-secret-never-printed-88"
	c := newClock()
	cloud := ezviztest.New(ezviztest.Config{Now: c.Now, TokenTTL: time.Hour})
	defer cloud.Close()
	cloud.AddApp(key, secret)
	cloud.AddDevice(ezviztest.Device{Serial: "D1", Online: true})
	cloud.FailHTTP(ezviz.AddressPath, 1, http.StatusBadGateway)

	tr := &countingTransport{}
	var logs bytes.Buffer
	client, err := setup.Ezviz(&configs.Ezviz{API: cloud.URL(), AppKey: key, AppSecret: secret}, options(c, tr, &logs))
	if err != nil {
		t.Fatal(err)
	}
	a, err := client.LiveAddress(context.Background(), ezviz.LiveRequest{Serial: "D1", Channel: 1})
	if err != nil {
		t.Fatal(err)
	}
	if !cloud.AddressValid(a.URL) {
		t.Errorf("address %s not valid", a)
	}
	if c.Sleeps() == 0 || !strings.Contains(logs.String(), "retrying") {
		t.Errorf("the retry after a 502 did not use the injected clock and logger (%d sleeps, logs %q)", c.Sleeps(), logs.String())
	}
	// Past the token's life on the injected clock the client renews it before
	// asking, instead of being refused 10002 first.
	c.Sleep(context.Background(), 2*time.Hour)
	if _, err := client.LiveAddress(context.Background(), ezviz.LiveRequest{Serial: "D1", Channel: 1}); err != nil {
		t.Fatal(err)
	}
	if tokens, addrs := len(cloud.Calls(ezviz.TokenPath)), len(cloud.Calls(ezviz.AddressPath)); tokens != 2 || addrs != 3 {
		t.Errorf("%d token calls, %d address calls; want 2 and 3 (502, ok, ok): the token's expiry is not on the injected clock", tokens, addrs)
	}
	if tr.n.Load() == 0 {
		t.Error("the injected HTTP client was not used")
	}
	noSecret(t, "the client", printed(client), secret)
	noSecret(t, "the logs", logs.String(), secret)

	_, err = setup.Ezviz(&configs.Ezviz{API: cloud.URL(), AppKey: key}, setup.Options{})
	if err == nil || !strings.HasPrefix(err.Error(), "cloud.ezviz: ") {
		t.Errorf("no secret: %v", err)
	}
}

func TestHikYunmouFromConfig(t *testing.T) {
	const id, secret = "hik-id-0001", "hik-secret-never-printed-99"
	c := newClock()
	cloud := hikyunmoutest.New(hikyunmoutest.Config{Now: c.Now})
	defer cloud.Close()
	cloud.AddClient(id, secret)
	cloud.AddDevice(hikyunmoutest.Device{Serial: "E1", ValidateCode: "ABCDEF", NeedsConfirm: true, Online: true})
	cloud.SetOnlineAt("E1", false, c.Now().Add(7*time.Second))
	cloud.SetOnlineAt("E1", true, c.Now().Add(20*time.Second))

	tr := &countingTransport{}
	var logs bytes.Buffer
	client, err := setup.HikYunmou(&configs.HikYunmou{API: cloud.URL(), ClientID: id, ClientSecret: secret}, options(c, tr, &logs))
	if err != nil {
		t.Fatal(err)
	}
	var deadlines []time.Time // progress is called on Enroll's goroutine
	reg, err := client.Enroll(context.Background(), hikyunmou.Device{Serial: "E1", GroupNo: "g", ValidateCode: "ABCDEF"}, func(p hikyunmou.Progress) {
		if !p.StepDeadline.IsZero() {
			deadlines = append(deadlines, p.StepDeadline)
		}
	})
	if err != nil || reg.DeviceSerial != "E1" {
		t.Fatalf("Enroll: %v %+v", err, reg)
	}
	if c.Sleeps() == 0 {
		t.Error("确权 polling did not sleep on the injected clock")
	}
	if len(deadlines) == 0 {
		t.Fatal("no polling step reported a deadline")
	}
	for _, d := range deadlines {
		if d.Year() != 2031 {
			t.Errorf("step deadline %s: not on the injected clock", d)
		}
	}
	if !strings.Contains(logs.String(), "device registration") {
		t.Errorf("the injected logger saw nothing: %q", logs.String())
	}
	if tr.n.Load() == 0 {
		t.Error("the injected HTTP client was not used")
	}
	secrets := append([]string{secret, "ABCDEF"}, cloud.IssuedTokens()...)
	noSecret(t, "the client", printed(client), secrets...)
	noSecret(t, "the logs", logs.String(), secrets...)

	_, err = setup.HikYunmou(&configs.HikYunmou{API: "ftp://x", ClientID: id, ClientSecret: secret}, setup.Options{})
	if err == nil || !strings.HasPrefix(err.Error(), "cloud.hikyunmou: ") {
		t.Errorf("bad api: %v", err)
	}
	noSecret(t, "the error", fmt.Sprint(err), secret)
}

func TestOneNETFromConfig(t *testing.T) {
	const master = "onenet-master-never-printed-11"
	cloud := onenettest.New(t, onenettest.Config{MasterKey: master})
	id, _ := cloud.AddDevice("box")
	cloud.AddChannel(id, onenettest.Channel{ID: 1, Title: "c1"})
	cloud.FailNext(1, http.StatusServiceUnavailable, 0)

	tr := &countingTransport{}
	var logs bytes.Buffer
	client, err := setup.OneNET(&configs.OneNET{API: cloud.URL(), MasterKey: master, ProductID: cloud.ProductID()}, options(newClock(), tr, &logs))
	if err != nil {
		t.Fatal(err)
	}
	chs, err := client.Channels(context.Background(), id)
	if err != nil || len(chs) != 1 {
		t.Fatalf("Channels: %v %+v", err, chs)
	}
	if tr.n.Load() != 2 {
		t.Errorf("%d requests through the injected HTTP client, want 2 (503, then the answer)", tr.n.Load())
	}
	if logs.Len() == 0 {
		t.Error("the injected logger saw nothing of the retry")
	}
	// Product-level calls need the product id from the section.
	if _, err := client.Files(context.Background(), ""); err != nil {
		t.Errorf("Files: %v", err)
	}
	noSecret(t, "the client", printed(client), master)
	noSecret(t, "the logs", logs.String(), master)

	_, err = setup.OneNET(&configs.OneNET{API: "://", MasterKey: master, ProductID: "1"}, setup.Options{})
	if err == nil || !strings.HasPrefix(err.Error(), "cloud.onenet: ") {
		t.Errorf("bad api: %v", err)
	}
	noSecret(t, "the error", fmt.Sprint(err), master)
}

func TestOptionsPrintNoSecretsBecauseTheyHoldNone(t *testing.T) {
	// Options carries no credential: the secrets stay in configs, whose
	// Secret type prints "******"; a config section printed is masked too.
	sec := &configs.Ezviz{API: "https://open.ys7.com", AppKey: "k-private", AppSecret: "s-private"}
	noSecret(t, "a config section", printed(sec), "s-private")
}
