package main

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/lubo-edge/lubo/cloud/hikyunmou"
	"github.com/lubo-edge/lubo/cloud/hikyunmou/hikyunmoutest"
)

const (
	hikClientID     = "hik-client-0001"
	hikClientSecret = "hik-client-secret-never-printed-4c3b2a"
	hikSerial       = "E12345678"
	hikCode         = "QWERTY"
)

// hikCloud is an emulated 云眸 cloud on the test's clock and a config file
// pointing at it.
func hikCloud(t *testing.T) (*hikyunmoutest.Emulator, *testClock, string) {
	t.Helper()
	clock := newTestClock()
	useClock(t, clock)
	e := hikyunmoutest.New(hikyunmoutest.Config{Now: clock.Now})
	t.Cleanup(e.Close)
	e.AddClient(hikClientID, hikClientSecret)
	path := cloudConfig(t, fmt.Sprintf("  hikyunmou: {api: %q, client_id: %q, client_secret: %q}", e.URL(), hikClientID, hikClientSecret))
	return e, clock, path
}

// hikSecrets are what must never be printed: the client secret, the
// validate code and every bearer token the cloud issued.
func hikSecrets(e *hikyunmoutest.Emulator) []string {
	return append([]string{hikClientSecret, hikCode}, e.IssuedTokens()...)
}

// The whole flow as an installer lives it: register answers 515019,
// auto-confirm fails, the installer unplugs the device 12 s after being told
// and plugs it back 40 s later; the tool tells them each step on stderr as it
// happens and prints the registration on stdout.
func TestHikyunmouConfirmRunsTheWholeFlow(t *testing.T) {
	e, clock, path := hikCloud(t)
	e.AddDevice(hikyunmoutest.Device{Serial: hikSerial, ValidateCode: hikCode, NeedsConfirm: true, Online: true})
	start := clock.Now()
	e.SetOnlineAt(hikSerial, false, start.Add(12*time.Second))
	e.SetOnlineAt(hikSerial, true, start.Add(52*time.Second))

	r := runCloud(t, "hikyunmou", "confirm", "-config", path, "-serial", hikSerial, "-validate-code", hikCode, "-group", "school-1").want(t, 0)
	var out hikConfirmOut
	r.decode(t, &out)
	want := hikConfirmOut{Serial: hikSerial, Confirmed: true, Registered: true, DeviceID: "dev-" + hikSerial, DeviceName: "IPC-" + hikSerial}
	if out != want {
		t.Errorf("answer %+v, want %+v", out, want)
	}
	if !e.Registered(hikSerial) {
		t.Error("the cloud has no registration")
	}
	// Every step, in order, with the two instructions standing out.
	order := []string{
		"registering: registering the device",
		"needs_confirm: the cloud asks for device authorization",
		"auto_confirm: step 1",
		">>> INSTALLER: step 2: take device " + hikSerial + " OFFLINE now",
		"offline_polling: offline confirm: not yet (poll 1)",
		">>> INSTALLER: step 3: bring device " + hikSerial + " back ONLINE now",
		"online_polling: online confirm: not yet (poll 1)",
		"confirmed: device authorized",
		"re_registering: authorized; registering again",
		"registered: device registered",
	}
	at := 0
	for _, step := range order {
		i := strings.Index(r.stderr[at:], step)
		if i < 0 {
			t.Fatalf("stderr lacks %q after position %d:\n%s", step, at, r.stderr)
		}
		at += i + len(step)
	}
	r.stderrHas(t, "10:00:00 registering", "(this step gives up at 10:02:00)", "cloud: code 515021")
	r.noSecrets(t, hikSecrets(e)...)
}

func TestHikyunmouConfirmAloneWhenAutoConfirmWorks(t *testing.T) {
	e, _, path := hikCloud(t)
	e.AddDevice(hikyunmoutest.Device{Serial: hikSerial, ValidateCode: hikCode, NeedsConfirm: true, AutoConfirm: true, Online: true})
	r := runCloud(t, "hikyunmou", "confirm", "-config", path, "-serial", hikSerial).want(t, 0)
	var out hikConfirmOut
	r.decode(t, &out)
	if !out.Confirmed || out.Registered || out.Next == "" {
		t.Errorf("answer %+v: want confirmed, not registered, and the next step", out)
	}
	if e.Registered(hikSerial) {
		t.Error("confirm without -validate-code registered the device")
	}
	if polls := e.Polls(hikSerial, hikyunmoutest.PollAuto); len(polls) != 1 || !polls[0].OK {
		t.Errorf("auto-confirm polls %+v", polls)
	}
	r.stderrHas(t, "confirmed: automatic authorization succeeded")
	if strings.Contains(r.stderr, "INSTALLER") {
		t.Errorf("the installer was asked to act although auto-confirm worked:\n%s", r.stderr)
	}
	r.noSecrets(t, hikSecrets(e)...)
}

func TestHikyunmouDeviceNeverGoesOfflineExits1(t *testing.T) {
	e, _, path := hikCloud(t)
	e.AddDevice(hikyunmoutest.Device{Serial: hikSerial, ValidateCode: hikCode, NeedsConfirm: true, Online: true})
	r := runCloud(t, "hikyunmou", "confirm", "-config", path, "-serial", hikSerial, "-validate-code", hikCode, "-group", "g").want(t, 1)
	r.stderrHas(t,
		">>> INSTALLER: step 2",
		"lubo cloud hikyunmou confirm: hikyunmou 设备确权 of "+hikSerial+": the cloud did not see the device go offline within 2m0s",
		"unplug the device's power or network")
	if strings.Contains(r.stderr, "step 3") {
		t.Errorf("went on to step 3 without the device going offline:\n%s", r.stderr)
	}
	if polls := e.Polls(hikSerial, hikyunmoutest.PollOffline); len(polls) < 2 || polls[len(polls)-1].At.Sub(polls[0].At) > 120*time.Second {
		t.Errorf("offline polls %+v: want several, within 120 s", polls)
	}
	if r.stdout != "" {
		t.Errorf("stdout on failure: %s", r.stdout)
	}
	r.noSecrets(t, hikSecrets(e)...)
}

func TestHikyunmouRefusalsExit1WithTheHint(t *testing.T) {
	cases := []struct {
		name   string
		secret string
		setup  func(e *hikyunmoutest.Emulator)
		want   []string
	}{
		{"wrong secret", "another-private-secret", nil, []string{hikyunmou.Hint(hikyunmou.CodeInvalidClient)}},
		{"wrong validate code", hikClientSecret, func(e *hikyunmoutest.Emulator) {
			e.AddDevice(hikyunmoutest.Device{Serial: hikSerial, ValidateCode: "OTHER1", Online: true})
		}, []string{"code " + hikyunmoutest.CodeBadValidateCode, "failed: registration refused"}},
		{"garbage", hikClientSecret, func(e *hikyunmoutest.Emulator) {
			e.AddDevice(hikyunmoutest.Device{Serial: hikSerial, ValidateCode: hikCode, Online: true})
			e.Garbage(hikyunmou.DefaultPaths.Register, 5, "\x00\xff{")
		}, []string{"lubo cloud hikyunmou confirm: "}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			e, _, _ := hikCloud(t)
			if c.setup != nil {
				c.setup(e)
			}
			path := cloudConfig(t, fmt.Sprintf("  hikyunmou: {api: %q, client_id: %q, client_secret: %q}", e.URL(), hikClientID, c.secret))
			r := runCloud(t, "hikyunmou", "confirm", "-config", path, "-serial", hikSerial, "-validate-code", hikCode, "-group", "g").want(t, 1)
			r.stderrHas(t, c.want...)
			r.noSecrets(t, append(hikSecrets(e), c.secret)...)
			if r.stdout != "" {
				t.Errorf("stdout on failure: %s", r.stdout)
			}
		})
	}
}

// Without -group, registration takes cloud.hikyunmou.group_no; with
// neither, it is a usage error naming both.
func TestHikyunmouGroupFromConfig(t *testing.T) {
	e, _, path := hikCloud(t)
	e.AddDevice(hikyunmoutest.Device{Serial: hikSerial, ValidateCode: hikCode, Online: true})
	r := runCloud(t, "hikyunmou", "confirm", "-config", path, "-serial", hikSerial, "-validate-code", hikCode).want(t, 2)
	if !strings.Contains(r.stderr, "-group (or cloud.hikyunmou.group_no) is required") {
		t.Errorf("stderr: %s", r.stderr)
	}
	if e.Registered(hikSerial) {
		t.Fatal("registered without an organization")
	}

	withGroup := cloudConfig(t, fmt.Sprintf("  hikyunmou: {api: %q, client_id: %q, client_secret: %q, group_no: school-9}", e.URL(), hikClientID, hikClientSecret))
	r = runCloud(t, "hikyunmou", "confirm", "-config", withGroup, "-serial", hikSerial, "-validate-code", hikCode).want(t, 0)
	if !e.Registered(hikSerial) {
		t.Fatalf("not registered with the config's group: %s", r.stderr)
	}
}
