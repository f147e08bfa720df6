package main

import (
	"fmt"
	"strings"
	"testing"

	"github.com/lubo-edge/lubo/cloud/tplink"
	"github.com/lubo-edge/lubo/cloud/tplink/tplinktest"
)

const (
	tplinkAK  = "ZDkxZmIyNTc2NTg4NTg2ODcxNDE3NTI3YzMyNWU0"
	tplinkSK  = "sk-never-printed-5f1d2c3b4a69788796a5b4c3d2e1f0a9"
	tplinkIPC = "ABCDEFGH123456789"
	tplinkNVR = "NVR00000000000001"
)

// tplinkCloud is an emulated TUMS application on the test's clock, holding
// one IPC, one NVR with two channels and n-3 more cameras, and a config file
// pointing at it.
func tplinkCloud(t *testing.T, n int) (*tplinktest.Server, string) {
	t.Helper()
	clock := newTestClock()
	useClock(t, clock)
	s := tplinktest.New(tplinktest.Options{Now: clock.Now})
	t.Cleanup(s.Close)
	s.AddKey(tplinkAK, tplinkSK)
	ds := []tplinktest.Device{
		{QRCode: tplinkIPC, Name: "一年级一班", Type: "SURVEILLANCECAMERA", Status: tplink.StatusOnline, Model: "TL-IPC44", IP: "192.0.2.10", MAC: "00-FF-00-17-00-18"},
		{QRCode: tplinkNVR, Name: "NVR", Type: "NETWORKVIDEORECORDER", Status: tplink.StatusOnline, Model: "TL-NVR6108", MAC: "00-FF-00-17-00-19"},
		{Name: "NVR ch2", Type: "SURVEILLANCECAMERA", Status: tplink.StatusOffline, ParentQRCode: tplinkNVR, ChannelID: 2},
	}
	for i := len(ds); i < n; i++ {
		ds = append(ds, tplinktest.Device{QRCode: fmt.Sprintf("CAM%014d", i), Name: fmt.Sprintf("cam %d", i), Type: "SURVEILLANCECAMERA", Status: tplink.StatusOnline})
	}
	s.SetDevices(ds)
	s.SetChannels(tplinkNVR, []tplinktest.Channel{{Channel: 1, Name: "ch1"}, {Channel: 2, Name: "ch2"}})
	path := cloudConfig(t, fmt.Sprintf("  tplink: {api: %q, ak: %q, sk: %q}", s.URL, tplinkAK, tplinkSK))
	return s, path
}

func TestTPLinkDevicesListsEveryPage(t *testing.T) {
	s, path := tplinkCloud(t, 250)
	r := runCloud(t, "tplink", "devices", "-config", path, "-children").want(t, 0)
	var out tplinkDevicesOut
	r.decode(t, &out)
	if out.Count != 250 || len(out.Devices) != 250 {
		t.Fatalf("count %d, %d devices; want 250", out.Count, len(out.Devices))
	}
	if calls := s.Calls(tplinktest.PathDevicesDeviceApp); calls != 3 {
		t.Errorf("%d listing calls, want 3 pages of 100", calls)
	}
	ipc, nvr, ch := out.Devices[0], out.Devices[1], out.Devices[2]
	if ipc.QRCode != tplinkIPC || ipc.Status != "online" || ipc.Source != "tplink://"+tplinkIPC+"/1" || ipc.Name != "一年级一班" {
		t.Errorf("camera %+v", ipc)
	}
	if nvr.Source != "" {
		t.Errorf("an NVR itself got a source: %+v", nvr)
	}
	if ch.Status != "offline" || ch.Source != "tplink://"+tplinkNVR+"/2" {
		t.Errorf("NVR channel %+v", ch)
	}
	r.stderrHas(t, "250 device(s)")
	r.noSecrets(t, tplinkSK, tplinkAK)
}

func TestTPLinkStreamURLWaitsForTheRelayAndMasksIt(t *testing.T) {
	s, path := tplinkCloud(t, 3)
	const relay = "https://relay.example/sdk/req1/relayservice?sessionid=sess-secret-77&type=video&resolution=HD&channel=2"
	s.SetRelayURL(relay)
	s.SetNotReady(3)
	r := runCloud(t, "tplink", "stream-url", "-config", path, "-qrcode", strings.ToLower(tplinkNVR), "-channel", "2").want(t, 0)
	var out tplinkStreamOut
	r.decode(t, &out)
	if out.QRCode != tplinkNVR || out.Channel != 2 || out.Type != "video" {
		t.Errorf("answer %+v", out)
	}
	if want := "https://relay.example/sdk/req1/relayservice?sessionid=******&type=video&resolution=HD&channel=2"; out.URL != want {
		t.Errorf("url %q, want %q", out.URL, want)
	}
	if out.Cookie != "******" || out.Token != "******" {
		t.Errorf("cookie %q, token %q: want both masked", out.Cookie, out.Token)
	}
	if polls := s.Calls(tplinktest.PathRequestRelayURLAgain); polls != 3 {
		t.Errorf("%d requestRelayUrlAgain polls, want 3 (three -80703 answers, requestRelayUrl's included, then the address)", polls)
	}
	r.stderrHas(t, "polling the relay", "relay address ready")
	r.noSecrets(t, "sess-secret-77", "AWSELB=", "SDKToken", tplinkSK, tplinkAK)

	r = runCloud(t, "tplink", "stream-url", "-config", path, "-qrcode", tplinkIPC, "-channel", "1", "-type", "sdvod", "-show-secrets").want(t, 0)
	r.decode(t, &out)
	if out.URL != relay || !strings.HasPrefix(out.Cookie, "AWSELB=") || !strings.Contains(out.Token, "tokenType=SDKToken") || out.Type != "sdvod" {
		t.Errorf("-show-secrets answer %+v: want the relay address, cookie and token in full", out)
	}
	r.stderrHas(t, "holds secrets")
	r.noSecrets(t, tplinkSK)
}

func TestTPLinkStreamURLGivesUpWhenNeverReady(t *testing.T) {
	s, path := tplinkCloud(t, 3)
	s.SetNotReady(1 << 20)
	r := runCloud(t, "tplink", "stream-url", "-config", path, "-qrcode", tplinkIPC, "-channel", "1").want(t, 1)
	r.stderrHas(t, "lubo cloud tplink stream-url: ")
	if r.stdout != "" {
		t.Errorf("stdout on failure: %s", r.stdout)
	}
}

func TestTPLinkRefusalsExit1WithWhatToDo(t *testing.T) {
	cases := []struct {
		name  string
		setup func(s *tplinktest.Server, path *string)
		args  []string
		want  []string
	}{
		{"disabled key", func(s *tplinktest.Server, _ *string) { s.DisableKey(tplinkAK) },
			[]string{"devices"}, []string{"-10305", "check cloud.tplink.ak and cloud.tplink.sk in"}},
		{"wrong sk", func(s *tplinktest.Server, path *string) {
			*path = cloudConfig(t, fmt.Sprintf("  tplink: {api: %q, ak: %q, sk: %q}", s.URL, tplinkAK, "another-private-sk"))
		}, []string{"devices"}, []string{"-10301", "check cloud.tplink.ak"}},
		{"device not in app", nil,
			[]string{"stream-url", "-qrcode", "ZZZZZZZZZZZZZZZZZ", "-channel", "1"}, []string{"-88316", "add the device to the application"}},
		{"preview limit", func(s *tplinktest.Server, _ *string) {
			s.InjectFault(tplinktest.PathRequestStreamURL, tplinktest.Fault{Code: tplink.CodePreviewLimit})
		}, []string{"stream-url", "-qrcode", tplinkIPC, "-channel", "1"}, []string{"-80732", "close other live views"}},
		{"garbage", func(s *tplinktest.Server, _ *string) {
			s.InjectFault(tplinktest.PathDevicesDeviceApp, tplinktest.Fault{Body: []byte("{\"error_code\":")})
		}, []string{"devices"}, []string{"lubo cloud tplink devices: "}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s, path := tplinkCloud(t, 3)
			if c.setup != nil {
				c.setup(s, &path)
			}
			r := runCloud(t, append([]string{"tplink"}, append(c.args, "-config", path)...)...).want(t, 1)
			r.stderrHas(t, c.want...)
			r.noSecrets(t, tplinkSK, "another-private-sk")
			if r.stdout != "" {
				t.Errorf("stdout on failure: %s", r.stdout)
			}
		})
	}
}
