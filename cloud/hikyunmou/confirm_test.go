package hikyunmou_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/lubo-edge/lubo/cloud/hikyunmou"
	"github.com/lubo-edge/lubo/cloud/hikyunmou/hikyunmoutest"
)

// checkPolls asserts the document's rules on the emulator's recorded polls:
// at least interval apart, the last no later than window after the first.
func checkPolls(t *testing.T, polls []hikyunmoutest.Poll, interval, window time.Duration) {
	t.Helper()
	if len(polls) == 0 {
		t.Fatal("no polls recorded")
	}
	for i := 1; i < len(polls); i++ {
		if gap := polls[i].At.Sub(polls[i-1].At); gap < interval {
			t.Errorf("poll %d came %s after the previous one, want >= %s", i+1, gap, interval)
		}
	}
	if span := polls[len(polls)-1].At.Sub(polls[0].At); span > window {
		t.Errorf("polled for %s, want <= %s", span, window)
	}
}

func needsConfirm(auto bool) hikyunmoutest.Device {
	return hikyunmoutest.Device{Serial: serial, ValidateCode: validateCode, NeedsConfirm: true, AutoConfirm: auto, Online: true}
}

func TestConfirmAutoSucceeds(t *testing.T) {
	f := setup(t, hikyunmoutest.Config{}, nil)
	f.emu.AddDevice(needsConfirm(true))
	reg, err := f.client.Enroll(context.Background(), device(), f.record)
	if err != nil {
		t.Fatal(err)
	}
	if reg.DeviceSerial != serial || !f.emu.Registered(serial) {
		t.Fatalf("%+v", reg)
	}
	if got := fmt.Sprint(f.states()); got != "[registering needs_confirm auto_confirm confirmed re_registering registered]" {
		t.Errorf("states %s", got)
	}
	if a, off, on := len(f.emu.Polls(serial, hikyunmoutest.PollAuto)), len(f.emu.Polls(serial, hikyunmoutest.PollOffline)), len(f.emu.Polls(serial, hikyunmoutest.PollOnline)); a != 1 || off != 0 || on != 0 {
		t.Errorf("polls auto %d offline %d online %d", a, off, on)
	}
	if n := len(f.emu.Calls(hikyunmou.DefaultPaths.Register)); n != 2 {
		t.Errorf("%d register calls", n)
	}
}

func TestConfirmOfflineThenOnline(t *testing.T) {
	f := setup(t, hikyunmoutest.Config{}, nil)
	f.emu.AddDevice(needsConfirm(false))
	var actions []hikyunmou.Progress
	progress := func(p hikyunmou.Progress) {
		f.record(p)
		switch p.State {
		case hikyunmou.StateTakeOffline:
			actions = append(actions, p)
			f.emu.SetOnlineAt(serial, false, f.clock.Now().Add(12*time.Second)) // the installer needs 12 s
		case hikyunmou.StateBringOnline:
			actions = append(actions, p)
			f.emu.SetOnlineAt(serial, true, f.clock.Now().Add(17*time.Second)) // it boots in 17 s
		}
	}
	flowStart := f.clock.Now()
	if _, err := f.client.Enroll(context.Background(), device(), progress); err != nil {
		t.Fatal(err)
	}
	want := "[registering needs_confirm auto_confirm take_offline offline_polling bring_online online_polling confirmed re_registering registered]"
	if got := fmt.Sprint(f.states()); got != want {
		t.Errorf("states\n %s\nwant\n %s", got, want)
	}
	if len(actions) != 2 || !actions[0].InstallerAction || !actions[1].InstallerAction ||
		!strings.Contains(actions[0].Message, "OFFLINE") || !strings.Contains(actions[1].Message, "ONLINE") {
		t.Errorf("installer actions %+v", actions)
	}
	if actions[0].Err == nil {
		t.Error("the offline request does not carry auto-confirm's refusal")
	}
	off := f.emu.Polls(serial, hikyunmoutest.PollOffline)
	on := f.emu.Polls(serial, hikyunmoutest.PollOnline)
	checkPolls(t, off, 5*time.Second, 120*time.Second)
	checkPolls(t, on, 5*time.Second, 180*time.Second)
	if len(off) != 4 || !off[3].OK || len(on) != 5 || !on[4].OK {
		t.Errorf("offline polls %+v\nonline polls %+v", off, on)
	}
	if total := on[len(on)-1].At.Sub(flowStart); total > 20*time.Minute {
		t.Errorf("flow took %s", total)
	}
	for _, p := range f.events {
		if p.State == hikyunmou.StateOfflinePolling && (p.Attempt == 0 || p.StepDeadline.IsZero() || p.FlowDeadline != flowStart.Add(20*time.Minute)) {
			t.Errorf("polling progress lacks attempt/deadlines: %+v", p)
		}
	}
	if !f.emu.Registered(serial) {
		t.Error("not registered")
	}
}

func TestConfirmOfflineNeverSeen(t *testing.T) {
	f := setup(t, hikyunmoutest.Config{}, nil)
	f.emu.AddDevice(needsConfirm(false)) // the installer never unplugs it
	_, err := f.client.Enroll(context.Background(), device(), f.record)
	var ce *hikyunmou.ConfirmError
	if !errors.As(err, &ce) {
		t.Fatalf("err = %v, want *ConfirmError", err)
	}
	if ce.State != hikyunmou.StateOfflinePolling || ce.Limit != 120*time.Second || ce.FlowLimit || ce.Attempts != 25 {
		t.Errorf("%+v", ce)
	}
	wantCode(t, err, hikyunmoutest.CodeStillOnline) // the last refusal, through Unwrap
	for _, s := range []string{"did not see the device go offline", "2m0s", "25 polls", serial} {
		if !strings.Contains(err.Error(), s) {
			t.Errorf("error %q does not say %q", err, s)
		}
	}
	off := f.emu.Polls(serial, hikyunmoutest.PollOffline)
	checkPolls(t, off, 5*time.Second, 120*time.Second)
	if len(off) != 25 || off[24].At.Sub(off[0].At) != 120*time.Second {
		t.Errorf("%d offline polls over %s, want 25 over 2m0s", len(off), off[len(off)-1].At.Sub(off[0].At))
	}
	if n := len(f.emu.Polls(serial, hikyunmoutest.PollOnline)); n != 0 {
		t.Errorf("%d online polls after giving up", n)
	}
	if n := len(f.emu.Calls(hikyunmou.DefaultPaths.Register)); n != 1 {
		t.Errorf("%d register calls", n)
	}
	if s := f.states(); s[len(s)-1] != hikyunmou.StateFailed {
		t.Errorf("states %v", s)
	}
}

func TestConfirmOnlineNeverSeen(t *testing.T) {
	f := setup(t, hikyunmoutest.Config{}, nil)
	f.emu.AddDevice(needsConfirm(false))
	progress := func(p hikyunmou.Progress) {
		f.record(p)
		if p.State == hikyunmou.StateTakeOffline {
			f.emu.SetOnlineAt(serial, false, f.clock.Now().Add(3*time.Second)) // and it never comes back
		}
	}
	_, err := f.client.Enroll(context.Background(), device(), progress)
	var ce *hikyunmou.ConfirmError
	if !errors.As(err, &ce) || ce.State != hikyunmou.StateOnlinePolling || ce.Limit != 180*time.Second || ce.Attempts != 37 {
		t.Fatalf("err = %v (%+v)", err, ce)
	}
	if !strings.Contains(err.Error(), "come back online") || !strings.Contains(err.Error(), "3m0s") {
		t.Errorf("error %q", err)
	}
	off := f.emu.Polls(serial, hikyunmoutest.PollOffline)
	on := f.emu.Polls(serial, hikyunmoutest.PollOnline)
	checkPolls(t, off, 5*time.Second, 120*time.Second)
	checkPolls(t, on, 5*time.Second, 180*time.Second)
	if len(off) != 2 || len(on) != 37 || on[36].At.Sub(on[0].At) != 180*time.Second {
		t.Errorf("%d offline, %d online polls", len(off), len(on))
	}
	if f.emu.Registered(serial) {
		t.Error("registered without 确权")
	}
}

func TestConfirmWholeFlowCap(t *testing.T) {
	f := setup(t, hikyunmoutest.Config{}, func(c *hikyunmou.Config) {
		c.Confirm.WaitForInstaller = func(ctx context.Context, p hikyunmou.Progress) error {
			if !p.InstallerAction || p.State != hikyunmou.StateTakeOffline {
				return fmt.Errorf("asked to wait at %s", p.State)
			}
			return nil
		}
	})
	// The installer takes 19 minutes to reach the device, and then it stays online.
	progress := func(p hikyunmou.Progress) {
		f.record(p)
		if p.State == hikyunmou.StateTakeOffline {
			f.clock.Advance(19 * time.Minute)
		}
	}
	f.emu.AddDevice(needsConfirm(false))
	_, err := f.client.Enroll(context.Background(), device(), progress)
	var ce *hikyunmou.ConfirmError
	if !errors.As(err, &ce) || !ce.FlowLimit || ce.Limit != 20*time.Minute || ce.State != hikyunmou.StateOfflinePolling {
		t.Fatalf("err = %v (%+v)", err, ce)
	}
	if !strings.Contains(err.Error(), "whole flow's limit of 20m0s") {
		t.Errorf("error %q", err)
	}
	auto := f.emu.Polls(serial, hikyunmoutest.PollAuto)
	off := f.emu.Polls(serial, hikyunmoutest.PollOffline)
	checkPolls(t, off, 5*time.Second, 120*time.Second)
	if len(auto) != 1 || len(off) != 13 {
		t.Errorf("%d auto, %d offline polls", len(auto), len(off))
	}
	if last := off[len(off)-1].At; last.Sub(auto[0].At) > 20*time.Minute {
		t.Errorf("last poll %s after the flow started", last.Sub(auto[0].At))
	}
}

func TestConfirmWaitForInstallerBothSteps(t *testing.T) {
	var waits []hikyunmou.State
	var f *fixture
	f = setup(t, hikyunmoutest.Config{}, func(c *hikyunmou.Config) {
		c.Confirm.WaitForInstaller = func(ctx context.Context, p hikyunmou.Progress) error {
			waits = append(waits, p.State)
			// The installer acts, then presses Enter: polling starts after the change.
			f.emu.SetOnline(serial, p.State == hikyunmou.StateBringOnline)
			f.clock.Advance(time.Minute)
			return nil
		}
	})
	f.emu.AddDevice(needsConfirm(false))
	if _, err := f.client.Enroll(context.Background(), device(), f.record); err != nil {
		t.Fatal(err)
	}
	if fmt.Sprint(waits) != "[take_offline bring_online]" {
		t.Errorf("waits %v", waits)
	}
	if off, on := f.emu.Polls(serial, hikyunmoutest.PollOffline), f.emu.Polls(serial, hikyunmoutest.PollOnline); len(off) != 1 || len(on) != 1 {
		t.Errorf("%d offline, %d online polls", len(off), len(on))
	}
	g := setup(t, hikyunmoutest.Config{}, func(c *hikyunmou.Config) {
		c.Confirm.WaitForInstaller = func(ctx context.Context, p hikyunmou.Progress) error { return errors.New("installer gave up") }
	})
	g.emu.AddDevice(needsConfirm(false))
	if _, err := g.client.Enroll(context.Background(), device(), nil); err == nil || !strings.Contains(err.Error(), "installer gave up") {
		t.Errorf("err = %v", err)
	}
}

func TestConfirmPollIntervalSetting(t *testing.T) {
	for _, tc := range []struct {
		set, want time.Duration
		polls     int
	}{
		{set: time.Second, want: 5 * time.Second, polls: 25}, // below the document's minimum: raised to 5 s
		{set: 7 * time.Second, want: 7 * time.Second, polls: 18},
	} {
		f := setup(t, hikyunmoutest.Config{}, func(c *hikyunmou.Config) { c.Confirm.PollInterval = tc.set })
		f.emu.AddDevice(needsConfirm(false))
		if err := f.client.Confirm(context.Background(), serial, nil); err == nil {
			t.Fatal("confirmed a device that never went offline")
		}
		off := f.emu.Polls(serial, hikyunmoutest.PollOffline)
		checkPolls(t, off, tc.want, 120*time.Second)
		if len(off) != tc.polls {
			t.Errorf("interval %s: %d polls, want %d", tc.set, len(off), tc.polls)
		}
	}
}

func TestConfirmCustomPathsAndWindows(t *testing.T) {
	paths := hikyunmou.Paths{
		Token: "/o/t", Register: "/r", AutoConfirm: "/c/auto", OfflineConfirm: "/c/off", OnlineConfirm: "/c/on",
	}
	f := setup(t, hikyunmoutest.Config{Token: "/o/t", Register: "/r", AutoConfirm: "/c/auto", OfflineConfirm: "/c/off", OnlineConfirm: "/c/on"},
		func(c *hikyunmou.Config) {
			c.Paths = paths
			c.Confirm.OfflineWindow = 30 * time.Second
		})
	f.emu.AddDevice(needsConfirm(false))
	_, err := f.client.Enroll(context.Background(), device(), f.record)
	var ce *hikyunmou.ConfirmError
	if !errors.As(err, &ce) || ce.Limit != 30*time.Second || ce.Attempts != 7 {
		t.Fatalf("err = %v", err)
	}
	for _, p := range []string{"/o/t", "/r", "/c/auto", "/c/off"} {
		if len(f.emu.Calls(p)) == 0 {
			t.Errorf("no call to %s", p)
		}
	}
}

func TestConfirmStillRefusedAfterwardsIsNotALoop(t *testing.T) {
	f := setup(t, hikyunmoutest.Config{}, nil)
	f.emu.AddDevice(needsConfirm(true))
	progress := func(p hikyunmou.Progress) {
		f.record(p)
		if p.State == hikyunmou.StateReRegistering {
			f.emu.FailNext(hikyunmou.DefaultPaths.Register, 1, "515019", "设备需要确权")
		}
	}
	_, err := f.client.Enroll(context.Background(), device(), progress)
	if err == nil || !strings.Contains(err.Error(), "still needs authorization") {
		t.Fatalf("err = %v", err)
	}
	wantCode(t, err, hikyunmou.CodeNeedsConfirm)
	if n := len(f.emu.Calls(hikyunmou.DefaultPaths.Register)); n != 2 {
		t.Errorf("%d register calls", n)
	}
}

func TestConfirmSurvivesNetworkErrorsWhilePolling(t *testing.T) {
	f := setup(t, hikyunmoutest.Config{}, func(c *hikyunmou.Config) { c.Retries = -1 })
	f.emu.AddDevice(needsConfirm(false))
	progress := func(p hikyunmou.Progress) {
		f.record(p)
		if p.State == hikyunmou.StateTakeOffline {
			f.emu.SetOnline(serial, false)
			f.emu.FailHTTP(hikyunmou.DefaultPaths.OfflineConfirm, 2, 502)
			f.emu.Garbage(hikyunmou.DefaultPaths.OnlineConfirm, 1, "<html>")
		}
		if p.State == hikyunmou.StateBringOnline {
			f.emu.SetOnline(serial, true)
		}
	}
	if _, err := f.client.Enroll(context.Background(), device(), progress); err != nil {
		t.Fatal(err)
	}
	off := f.emu.Polls(serial, hikyunmoutest.PollOffline)
	on := f.emu.Polls(serial, hikyunmoutest.PollOnline)
	checkPolls(t, off, 5*time.Second, 120*time.Second)
	checkPolls(t, on, 5*time.Second, 180*time.Second)
	if len(off) != 3 || len(on) != 2 {
		t.Errorf("%d offline, %d online polls", len(off), len(on))
	}
}

func TestConfirmStopsOnRefusedCredentials(t *testing.T) {
	f := setup(t, hikyunmoutest.Config{}, nil)
	f.emu.AddDevice(needsConfirm(false))
	progress := func(p hikyunmou.Progress) {
		f.record(p)
		if p.State == hikyunmou.StateTakeOffline {
			f.emu.RejectTokens(2)
		}
	}
	_, err := f.client.Enroll(context.Background(), device(), progress)
	wantCode(t, err, hikyunmou.CodeInvalidToken)
	if n := len(f.emu.Polls(serial, hikyunmoutest.PollOffline)); n != 2 {
		t.Errorf("%d offline polls, want 2 (refused, renewed and refused)", n)
	}
}

func TestConfirmCallerCancels(t *testing.T) {
	f := setup(t, hikyunmoutest.Config{}, nil)
	f.emu.AddDevice(needsConfirm(false))
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	progress := func(p hikyunmou.Progress) {
		if p.State == hikyunmou.StateOfflinePolling && p.Attempt == 3 {
			cancel()
		}
	}
	err := f.client.Confirm(ctx, serial, progress)
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v", err)
	}
	if n := len(f.emu.Polls(serial, hikyunmoutest.PollOffline)); n != 3 {
		t.Errorf("%d polls after cancel at the 3rd", n)
	}
}

func TestStateNames(t *testing.T) {
	for s := hikyunmou.StateRegistering; s <= hikyunmou.StateFailed; s++ {
		if n := s.String(); n == "" || strings.HasPrefix(n, "state(") {
			t.Errorf("state %d has no name", s)
		}
	}
	if hikyunmou.State(99).String() != "state(99)" {
		t.Error("unknown state")
	}
}
