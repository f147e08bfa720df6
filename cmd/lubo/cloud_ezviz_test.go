package main

import (
	"context"
	"fmt"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/lubo-edge/lubo/cloud/ezviz"
	"github.com/lubo-edge/lubo/cloud/ezviz/ezviztest"
)

const (
	ezvizKey    = "ezviz-app-key-0001"
	ezvizSecret = "ezviz-app-secret-never-printed-9f8e7d"
	ezvizSerial = "D12345678"
)

// ezvizCloud is an emulated Ezviz cloud on the test's clock and a config
// file pointing at it.
func ezvizCloud(t *testing.T) (*ezviztest.Emulator, string) {
	t.Helper()
	clock := newTestClock()
	useClock(t, clock)
	e := ezviztest.New(ezviztest.Config{Now: clock.Now})
	t.Cleanup(e.Close)
	e.AddApp(ezvizKey, ezvizSecret)
	e.AddDevice(ezviztest.Device{Serial: ezvizSerial, Channels: 4, Online: true, PTZ: true})
	path := cloudConfig(t, fmt.Sprintf("  ezviz: {api: %q, app_key: %q, app_secret: %q}", e.URL(), ezvizKey, ezvizSecret))
	return e, path
}

// addressSignature is the t= value of an issued address: what lets anyone play it.
func addressSignature(t *testing.T, addr string) string {
	t.Helper()
	u, err := url.Parse(addr)
	if err != nil {
		t.Fatal(err)
	}
	sig := u.Query().Get("t")
	if sig == "" {
		t.Fatalf("address %q has no signature", addr)
	}
	return sig
}

func TestEzvizLiveAddressIsMaskedByDefault(t *testing.T) {
	e, path := ezvizCloud(t)
	r := runCloud(t, "ezviz", "live-address", "-config", path, "-serial", ezvizSerial, "-channel", "2", "-quality", "2").want(t, 0)
	var out ezvizAddressOut
	r.decode(t, &out)
	if out.Serial != ezvizSerial || out.Channel != 2 || out.Quality != 2 || out.ID == "" || out.ExpiresAt == nil {
		t.Errorf("answer %+v", out)
	}
	calls := e.Calls(ezviz.AddressPath)
	if len(calls) != 1 || calls[0].Form.Get("quality") != "2" || calls[0].Form.Get("channelNo") != "2" {
		t.Fatalf("address calls %+v", calls)
	}
	if e.AddressValid(out.URL) {
		t.Errorf("the masked address %q still plays", out.URL)
	}
	if !strings.Contains(out.URL, "t=******") || !strings.HasPrefix(out.URL, "rtmp://127.0.0.1:1935/v3/openlive/") {
		t.Errorf("masked address %q: want the place kept and the signature hidden", out.URL)
	}
	if strings.Contains(r.stderr, "holds secrets") {
		t.Errorf("warned about secrets that were not printed:\n%s", r.stderr)
	}
	r.noSecrets(t, ezvizSecret)

	// The same address in full, on request, with a warning on stderr.
	r = runCloud(t, "ezviz", "live-address", "-config", path, "-serial", ezvizSerial, "-channel", "2", "-show-secrets").want(t, 0)
	r.decode(t, &out)
	if !e.AddressValid(out.URL) {
		t.Errorf("-show-secrets address %q does not play", out.URL)
	}
	r.stderrHas(t, "-show-secrets: the JSON on stdout holds secrets")
	r.noSecrets(t, ezvizSecret)

	// Without -show-secrets, that signature is never printed.
	sig := addressSignature(t, out.URL)
	r = runCloud(t, "ezviz", "live-address", "-config", path, "-serial", ezvizSerial, "-channel", "2").want(t, 0)
	r.noSecrets(t, sig)
}

func TestEzvizPlaybackAddressSendsChinaTime(t *testing.T) {
	e, path := ezvizCloud(t)
	r := runCloud(t, "ezviz", "playback-address", "-config", path, "-serial", ezvizSerial, "-channel", "1",
		"-start", "2026-11-27 08:00:00", "-stop", "2026-11-27T09:30:00+08:00", "-source", "cloud").want(t, 0)
	var out ezvizAddressOut
	r.decode(t, &out)
	calls := e.Calls(ezviz.AddressPath)
	if len(calls) != 1 {
		t.Fatalf("%d address calls", len(calls))
	}
	f := calls[0].Form
	if f.Get("startTime") != "2026-11-27 08:00:00" || f.Get("stopTime") != "2026-11-27 09:30:00" || f.Get("type") != "3" {
		t.Errorf("sent %v", f)
	}
	if out.Source != "cloud" || out.Start == nil || out.Start.UTC().Hour() != 0 || out.Stop == nil {
		t.Errorf("answer %+v", out)
	}
	if strings.Contains(r.stdout, addressSignature(t, mustShowAddress(t, path))) {
		t.Error("playback address printed its signature")
	}
}

// mustShowAddress fetches a live address in full, to learn a signature.
func mustShowAddress(t *testing.T, path string) string {
	t.Helper()
	r := runCloud(t, "ezviz", "live-address", "-config", path, "-serial", ezvizSerial, "-channel", "1", "-show-secrets").want(t, 0)
	var out ezvizAddressOut
	r.decode(t, &out)
	return out.URL
}

func TestEzvizPTZMovesThenStops(t *testing.T) {
	e, path := ezvizCloud(t)
	r := runCloud(t, "ezviz", "ptz", "-config", path, "-serial", ezvizSerial, "-channel", "3", "-direction", "left", "-speed", "fast", "-duration", "2s").want(t, 0)
	var out ezvizPTZOut
	r.decode(t, &out)
	want := ezvizPTZOut{Serial: ezvizSerial, Channel: 3, Direction: "left", Speed: "fast", MovedFor: "2s", Stopped: true}
	if out != want {
		t.Errorf("answer %+v, want %+v", out, want)
	}
	st := e.PTZ(ezvizSerial, 3)
	if st.Starts != 1 || st.Stops != 1 || st.Moving || st.Direction != int(ezviz.Left) || st.Speed != int(ezviz.SpeedFast) {
		t.Errorf("camera PTZ %+v", st)
	}
	start, stop := e.Calls(ezviz.PTZStartPath), e.Calls(ezviz.PTZStopPath)
	if len(start) != 1 || len(stop) != 1 || stop[0].At.Sub(start[0].At).Seconds() != 2 {
		t.Errorf("start %+v, stop %+v: want the stop 2 s after the start", start, stop)
	}
	// Numbers work as well as names.
	runCloud(t, "ezviz", "ptz", "-config", path, "-serial", ezvizSerial, "-channel", "3", "-direction", "9").want(t, 0)
	if st := e.PTZ(ezvizSerial, 3); st.Direction != int(ezviz.ZoomOut) || st.Moving {
		t.Errorf("camera PTZ %+v after direction 9", st)
	}
}

func TestEzvizPTZStopRefusedSaysTheCameraMayMove(t *testing.T) {
	e, path := ezvizCloud(t)
	e.FailNext(ezviz.PTZStopPath, 3, ezviz.CodeSystemError, "系统错误")
	r := runCloud(t, "ezviz", "ptz", "-config", path, "-serial", ezvizSerial, "-channel", "1", "-direction", "up").want(t, 1)
	r.stderrHas(t, "the camera may still be moving", "50000")
	if r.stdout != "" {
		t.Errorf("stdout on failure: %s", r.stdout)
	}
}

// An installer's Ctrl-C during the move still stops the camera.
func TestEzvizPTZInterruptedStillStops(t *testing.T) {
	e, path := ezvizCloud(t)
	cloudTestSeams.sleep = func(ctx context.Context, d time.Duration) error { return context.Canceled }
	r := runCloud(t, "ezviz", "ptz", "-config", path, "-serial", ezvizSerial, "-channel", "1", "-direction", "down").want(t, 1)
	r.stderrHas(t, "interrupted; the move was stopped")
	if st := e.PTZ(ezvizSerial, 1); st.Starts != 1 || st.Stops != 1 || st.Moving {
		t.Errorf("camera PTZ %+v: want started and stopped", st)
	}
}

func TestEzvizRefusalsExit1WithTheHint(t *testing.T) {
	cases := []struct {
		name  string
		setup func(e *ezviztest.Emulator)
		args  []string
		want  []string
	}{
		{"offline", func(e *ezviztest.Emulator) { e.SetOnline(ezvizSerial, false) },
			[]string{"live-address", "-serial", ezvizSerial, "-channel", "1"}, []string{"code 20007", ezviz.Hint(ezviz.CodeDeviceOffline)}},
		{"no such device", nil,
			[]string{"live-address", "-serial", "NOPE0000", "-channel", "1"}, []string{"code 20002"}},
		{"no ptz", func(e *ezviztest.Emulator) { e.AddDevice(ezviztest.Device{Serial: "FIXED0001", Online: true}) },
			[]string{"ptz", "-serial", "FIXED0001", "-channel", "1", "-direction", "up"}, []string{"code 60000"}},
		{"frozen app", func(e *ezviztest.Emulator) { e.FreezeApp(ezvizKey) },
			[]string{"live-address", "-serial", ezvizSerial, "-channel", "1"}, []string{"code 10005"}},
		{"garbage", func(e *ezviztest.Emulator) { e.Garbage(ezviz.AddressPath, 5, "<html>oops</html>") },
			[]string{"live-address", "-serial", ezvizSerial, "-channel", "1"}, []string{"lubo cloud ezviz live-address: "}},
		{"server down", func(e *ezviztest.Emulator) { e.FailHTTP(ezviz.AddressPath, 5, 503) },
			[]string{"live-address", "-serial", ezvizSerial, "-channel", "1"}, []string{"503"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			e, path := ezvizCloud(t)
			if c.setup != nil {
				c.setup(e)
			}
			r := runCloud(t, append([]string{"ezviz"}, append(c.args, "-config", path)...)...).want(t, 1)
			r.stderrHas(t, c.want...)
			r.noSecrets(t, ezvizSecret)
			if r.stdout != "" {
				t.Errorf("stdout on failure: %s", r.stdout)
			}
		})
	}
}

func TestEzvizWrongSecretIsNotPrinted(t *testing.T) {
	e, _ := ezvizCloud(t)
	path := cloudConfig(t, fmt.Sprintf("  ezviz: {api: %q, app_key: %q, app_secret: %q}", e.URL(), ezvizKey, "wrong-secret-also-private"))
	r := runCloud(t, "ezviz", "live-address", "-config", path, "-serial", ezvizSerial, "-channel", "1", "-verbose").want(t, 1)
	r.stderrHas(t, "code 10030", "app_secret does not belong to the app_key")
	r.noSecrets(t, "wrong-secret-also-private", ezvizSecret)
}
