package tplink_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/lubo-edge/lubo/cloud/tplink"
	"github.com/lubo-edge/lubo/cloud/tplink/tplinktest"
)

const (
	testAK = "ZDkxZmIyNTc2NTg4NTg2ODcxNDE3NTI3YzMyNWU0"
	testSK = "sk-never-printed-5f1d2c3b4a69788796a5b4c3d2e1f0a9"
)

// fakeClock is the one clock of a test: the client and the emulator read it,
// and the client's Sleep advances it instead of waiting.
type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func newFakeClock() *fakeClock {
	return &fakeClock{t: time.Date(2026, 11, 27, 10, 0, 0, 0, time.UTC)}
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

func (c *fakeClock) Sleep(ctx context.Context, d time.Duration) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	c.Advance(d)
	return nil
}

// env is a client wired to an emulator on one fake clock.
type env struct {
	clock  *fakeClock
	cloud  *tplinktest.Server
	client *tplink.Client
	cfg    tplink.Config
}

func newEnv(t *testing.T, opts tplinktest.Options, tweak func(*tplink.Config)) *env {
	t.Helper()
	clock := newFakeClock()
	if opts.Now == nil {
		opts.Now = clock.Now
	}
	cloud := tplinktest.New(opts)
	t.Cleanup(cloud.Close)
	cloud.AddKey(testAK, testSK)
	cfg := tplink.Config{
		API:        cloud.URL,
		AccessKey:  testAK,
		SecretKey:  testSK,
		TerminalID: "lubo-test-terminal",
		Now:        clock.Now,
		Sleep:      clock.Sleep,
		Timeout:    10 * time.Second,
	}
	if opts.ProjectApplication {
		cfg.Application = tplink.ProjectApplication
	}
	if tweak != nil {
		tweak(&cfg)
	}
	c, err := tplink.New(cfg)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return &env{clock: clock, cloud: cloud, client: c, cfg: cfg}
}

// code returns the TUMS error code in err, or fails the test.
func code(t *testing.T, err error) int {
	t.Helper()
	if err == nil {
		t.Fatal("expected an error, got nil")
	}
	var te *tplink.Error
	if !errors.As(err, &te) {
		t.Fatalf("error %v is not a *tplink.Error", err)
	}
	return te.Code
}

func camera(qr string) tplinktest.Device {
	return tplinktest.Device{QRCode: qr, Name: "cam " + qr, Type: "SURVEILLANCECAMERA", Status: 1, OpenType: 1, OpenStatus: 2,
		Model: "TL-IPC633-D4G", IP: "192.168.1.100", MAC: "00-FF-00-17-00-18", ChannelID: 1}
}
