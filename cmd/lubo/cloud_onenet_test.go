package main

import (
	"bytes"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/lubo-edge/lubo/cloud/onenet"
	"github.com/lubo-edge/lubo/cloud/onenet/onenettest"
)

const (
	onenetMasterKey    = "onenet-master-key-never-printed-31"
	onenetRegisterCode = "onenet-register-code-never-printed-32"
)

// onenetCloud is an emulated OneNET product with one device of two
// channels, and a config file pointing at it.
func onenetCloud(t *testing.T) (e *onenettest.Emulator, path, device string) {
	t.Helper()
	e = onenettest.New(t, onenettest.Config{MasterKey: onenetMasterKey, RegisterCodes: []string{onenetRegisterCode}})
	device, _ = e.AddDevice("教学楼一")
	e.AddChannel(device, onenettest.Channel{ID: 1, Title: "c101"})
	e.AddChannel(device, onenettest.Channel{ID: 2, Title: "c102", Desc: "二年级"})
	path = cloudConfig(t, fmt.Sprintf("  onenet: {api: %q, master_key: %q, product_id: %q}", e.URL(), onenetMasterKey, e.ProductID()))
	return e, path, device
}

// onenetSecrets are the keys of the product and of every device.
func onenetSecrets(e *onenettest.Emulator) []string {
	s := []string{onenetMasterKey, onenetRegisterCode}
	for _, d := range e.Devices() {
		s = append(s, d.Key)
	}
	return s
}

func writeFile(t *testing.T, name string, data []byte) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, data, 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestOnenetRegisterWithTheMasterKey(t *testing.T) {
	e, path, _ := onenetCloud(t)
	r := runCloud(t, "onenet", "register", "-config", path, "-title", "lubo-box-1", "-desc", "机房").want(t, 0)
	var out onenetRegisterOut
	r.decode(t, &out)
	var found bool
	for _, d := range e.Devices() {
		found = found || (d.ID == out.DeviceID && d.Title == "lubo-box-1" && d.Desc == "机房")
	}
	if !found || out.Key != "" {
		t.Errorf("answer %+v; devices %+v", out, e.Devices())
	}
	r.noSecrets(t, onenetSecrets(e)...)
}

func TestOnenetRegisterWithACodeMasksTheDeviceKey(t *testing.T) {
	e, path, _ := onenetCloud(t)
	r := runCloud(t, "onenet", "register", "-config", path, "-register-code", onenetRegisterCode, "-sn", "SN-0001").want(t, 0)
	var out onenetRegisterOut
	r.decode(t, &out)
	if out.DeviceID == "" || out.Key != "******" {
		t.Errorf("answer %+v: want a device and its key masked", out)
	}
	r.noSecrets(t, onenetSecrets(e)...)

	// The same SN again finds the same device; now with its key in full.
	r = runCloud(t, "onenet", "register", "-config", path, "-register-code", onenetRegisterCode, "-sn", "SN-0001", "-show-secrets").want(t, 0)
	var again onenetRegisterOut
	r.decode(t, &again)
	var key string
	for _, d := range e.Devices() {
		if d.ID == out.DeviceID {
			key = d.Key
		}
	}
	if again.DeviceID != out.DeviceID || key == "" || again.Key != key {
		t.Errorf("-show-secrets answer %+v; want device %s with key %q", again, out.DeviceID, key)
	}
	r.stderrHas(t, "holds secrets")
}

func TestOnenetUsageErrors(t *testing.T) {
	_, path, device := onenetCloud(t)
	jpg := writeFile(t, "a.gif", []byte("GIF89a"))
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"register"}, "-title is required (or -register-code with -sn or -mac)"},
		{[]string{"register", "-register-code", "x", "-sn", "a", "-mac", "b"}, "exactly one of -sn and -mac"},
		{[]string{"register", "-title", "t", "-sn", "a"}, "-sn and -mac go with -register-code"},
		{[]string{"channels"}, "-device is required"},
		{[]string{"play-address", "-device", device, "-channel", "1", "-protocol", "webrtc"}, `-protocol "webrtc": want rtmp, hls or https-hls`},
		{[]string{"preload", "-device", device, "-channel", "1", "-idle", "5m"}, "-idle 5m0s: want whole seconds from 1s to 120s"},
		{[]string{"upload"}, "-file is required"},
		{[]string{"upload", "-file", filepath.Join(t.TempDir(), "none.mp4")}, "no such file"},
		{[]string{"picture", "-file", jpg, "-device", device, "-channel", "1"}, "want a .jpg, .jpeg or .png file"},
		{[]string{"status", "-device", strings.Repeat("1,", 31)}, "at most 30 at once"},
	} {
		r := runCloud(t, append([]string{"onenet"}, append(c.args, "-config", path)...)...).want(t, 2)
		r.stderrHas(t, c.want)
	}
}

func TestOnenetChannelsAndStatus(t *testing.T) {
	e, path, device := onenetCloud(t)
	r := runCloud(t, "onenet", "channels", "-config", path, "-device", device).want(t, 0)
	var chs onenetChannelsOut
	r.decode(t, &chs)
	if chs.Count != 2 || chs.Channels[1] != (onenetChannelOut{ID: 2, Title: "c102", Desc: "二年级"}) {
		t.Errorf("channels %+v", chs)
	}
	other, _ := e.AddDevice("other")
	e.SetOnline(device, true)
	r = runCloud(t, "onenet", "status", "-config", path, "-device", device+", "+other).want(t, 0)
	var st onenetStatusOut
	r.decode(t, &st)
	want := map[string]bool{device: true, other: false}
	if len(st.Devices) != 2 {
		t.Fatalf("status %+v", st)
	}
	for _, d := range st.Devices {
		if online, ok := want[d.ID]; !ok || online != d.Online {
			t.Errorf("status %+v, want %v", d, want)
		}
	}
	runCloud(t, "onenet", "channels", "-config", path, "-device", "999999").want(t, 1)
}

func TestOnenetPlayAddressAndPreloadMaskTheToken(t *testing.T) {
	e, path, device := onenetCloud(t)
	r := runCloud(t, "onenet", "play-address", "-config", path, "-device", device, "-channel", "2", "-show-secrets").want(t, 0)
	var full onenetAddressOut
	r.decode(t, &full)
	u, err := url.Parse(full.URL)
	if err != nil || u.RawQuery == "" || !strings.HasSuffix(u.Path, fmt.Sprintf("/live/%s-2", device)) {
		t.Fatalf("rtmp address %q: want type://addr/live/{device}-{channel}?token", full.URL)
	}
	token := u.RawQuery

	r = runCloud(t, "onenet", "play-address", "-config", path, "-device", device, "-channel", "2").want(t, 0)
	var masked onenetAddressOut
	r.decode(t, &masked)
	if masked.URL != strings.TrimSuffix(full.URL, token)+"******" || masked.Protocol != "rtmp" {
		t.Errorf("masked %+v, full %q", masked, full.URL)
	}
	r.noSecrets(t, append(onenetSecrets(e), token)...)

	r = runCloud(t, "onenet", "preload", "-config", path, "-device", device, "-channel", "1", "-idle", "90s").want(t, 0)
	var pre onenetPreloadOut
	r.decode(t, &pre)
	if !pre.Preloaded || pre.Protocol != "hls" || !strings.Contains(pre.URL, fmt.Sprintf("/live/live_%s_1/index.m3u8?******", device)) {
		t.Errorf("preload %+v", pre)
	}
	if ps := e.Preloads(); len(ps) != 1 || ps[0].DeviceID != device || ps[0].ChannelID != 1 || ps[0].IdleTime != 90 {
		t.Errorf("preloads %+v", ps)
	}
	r.noSecrets(t, onenetSecrets(e)...)
}

func TestOnenetUploadStoresTheFileOnce(t *testing.T) {
	e, path, _ := onenetCloud(t)
	data := []byte("recording-index-2026-11-27")
	file := writeFile(t, "index_2026-11-27.txt", data)
	r := runCloud(t, "onenet", "upload", "-config", path, "-file", file, "-desc", "索引").want(t, 0)
	var out onenetUploadOut
	r.decode(t, &out)
	if out != (onenetUploadOut{Name: "index_2026-11-27.txt", Size: int64(len(data)), Uploaded: true}) {
		t.Errorf("answer %+v", out)
	}
	if fs := e.Files(); len(fs) != 1 || fs[0].Name != out.Name || !bytes.Equal(fs[0].Data, data) || fs[0].Desc != "索引" {
		t.Errorf("stored %+v", fs)
	}
	r = runCloud(t, "onenet", "upload", "-config", path, "-file", file).want(t, 1)
	r.stderrHas(t, "choose another with -name")
	r.noSecrets(t, onenetSecrets(e)...)
}

func TestOnenetUploadOver8MiBSendsNothing(t *testing.T) {
	e, path, _ := onenetCloud(t)
	file := writeFile(t, "big.bin", make([]byte, onenet.MaxFileSize+1))
	before := e.Requests()
	r := runCloud(t, "onenet", "upload", "-config", path, "-file", file).want(t, 1)
	r.stderrHas(t, "at most 8388608 (8 MiB): nothing was sent")
	if e.Requests() != before || len(e.Files()) != 0 {
		t.Errorf("%d requests reached the platform", e.Requests()-before)
	}
}

func TestOnenetPicture(t *testing.T) {
	e, path, device := onenetCloud(t)
	data := []byte("\xff\xd8\xff\xe0 not really a jpeg \xff\xd9")
	file := writeFile(t, "c101_20261127_100000.JPG", data)
	r := runCloud(t, "onenet", "picture", "-config", path, "-file", file, "-device", device, "-channel", "1").want(t, 0)
	var out onenetUploadOut
	r.decode(t, &out)
	want := onenetUploadOut{DeviceID: device, Channel: 1, Name: "c101_20261127_100000", Format: "jpg", Size: int64(len(data)), Uploaded: true}
	if out != want {
		t.Errorf("answer %+v, want %+v", out, want)
	}
	if ps := e.Pictures(); len(ps) != 1 || ps[0].Name != want.Name || ps[0].Format != "jpg" || !bytes.Equal(ps[0].Data, data) {
		t.Errorf("pictures %+v", ps)
	}
	runCloud(t, "onenet", "picture", "-config", path, "-file", file, "-device", device, "-channel", "1").want(t, 1).
		stderrHas(t, "choose another with -name")
	runCloud(t, "onenet", "picture", "-config", path, "-file", file, "-device", device, "-channel", "9", "-name", "x").want(t, 1)
}

func TestOnenetRefusalsExit1WithoutSecrets(t *testing.T) {
	e, _, device := onenetCloud(t)
	path := cloudConfig(t, fmt.Sprintf("  onenet: {api: %q, master_key: %q, product_id: %q}", e.URL(), "wrong-key-private-33", e.ProductID()))
	r := runCloud(t, "onenet", "channels", "-config", path, "-device", device).want(t, 1)
	r.stderrHas(t, "lubo cloud onenet channels: ")
	r.noSecrets(t, append(onenetSecrets(e), "wrong-key-private-33")...)

	e, path, device = onenetCloud(t)
	e.GarbageNext(3, "<html>") // every attempt of the client
	runCloud(t, "onenet", "status", "-config", path, "-device", device).want(t, 1).
		stderrHas(t, "this may pass later: try again")

	path = cloudConfig(t, `  ezviz: {app_key: k, app_secret: s}`)
	runCloud(t, "onenet", "status", "-config", path, "-device", device).want(t, 1).
		stderrHas(t, "cloud.onenet is not configured in "+path+"; add cloud: {onenet: {api, master_key, product_id}}")
}
