package configs

import (
	"net/url"
	"strings"
	"testing"

	"github.com/lubo-edge/lubo/relay/sources"
)

func TestDeviceURL(t *testing.T) {
	cases := []struct {
		name    string
		dev     Device
		sub     bool
		want    string
		wantPwd string // the password a client reads back from the URL
	}{
		{"hikvision main", Device{Vendor: "hikvision", Host: "192.168.1.64", Port: 554, User: "admin", Password: "pw", Channel: 1}, false,
			"rtsp://admin:pw@192.168.1.64:554/Streaming/Channels/101", "pw"},
		{"hikvision sub", Device{Vendor: "hikvision", Host: "192.168.1.64", Port: 554, User: "admin", Password: "pw", Channel: 1}, true,
			"rtsp://admin:pw@192.168.1.64:554/Streaming/Channels/102", "pw"},
		{"hikvision nvr channel 12", Device{Vendor: "hikvision", Host: "nvr.local", Port: 8554, User: "admin", Password: "pw", Channel: 12}, true,
			"rtsp://admin:pw@nvr.local:8554/Streaming/Channels/1202", "pw"},
		{"dahua main", Device{Vendor: "dahua", Host: "10.0.0.5", Port: 554, User: "admin", Password: "pw", Channel: 3}, false,
			"rtsp://admin:pw@10.0.0.5:554/cam/realmonitor?channel=3&subtype=0", "pw"},
		{"dahua sub", Device{Vendor: "dahua", Host: "10.0.0.5", Port: 554, User: "admin", Password: "pw", Channel: 3}, true,
			"rtsp://admin:pw@10.0.0.5:554/cam/realmonitor?channel=3&subtype=1", "pw"},
		{"special characters escaped", Device{Vendor: "hikvision", Host: "192.168.1.64", Port: 554, User: "ad@min", Password: "p@ss:w/rd#1?%", Channel: 1}, false,
			"rtsp://ad%40min:p%40ss%3Aw%2Frd%231%3F%25@192.168.1.64:554/Streaming/Channels/101", "p@ss:w/rd#1?%"},
		{"no credentials", Device{Vendor: "dahua", Host: "10.0.0.5", Port: 554, Channel: 1}, false,
			"rtsp://10.0.0.5:554/cam/realmonitor?channel=1&subtype=0", ""},
		{"ipv6 host", Device{Vendor: "hikvision", Host: "fe80::1", Port: 554, User: "admin", Password: "pw", Channel: 2}, false,
			"rtsp://admin:pw@[fe80::1]:554/Streaming/Channels/201", "pw"},
		{"unknown vendor", Device{Vendor: "sony", Host: "10.0.0.5"}, false, "", ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got := tc.dev.URL(tc.sub)
			if got != tc.want {
				t.Fatalf("URL = %s\nwant  %s", got, tc.want)
			}
			if got == "" {
				return
			}
			u, err := url.Parse(got)
			if err != nil {
				t.Fatalf("built URL does not parse: %v", err)
			}
			if pwd, _ := u.User.Password(); pwd != tc.wantPwd {
				t.Errorf("password read back = %q, want %q", pwd, tc.wantPwd)
			}
			if u.User != nil && u.User.Username() != tc.dev.User {
				t.Errorf("user read back = %q, want %q", u.User.Username(), tc.dev.User)
			}
		})
	}
}

func TestChannelURLs(t *testing.T) {
	cfg, err := Parse([]byte(`
channels:
  - {id: single, source: "rtsp://cam/main"}
  - {id: two, source: "rtsp://cam/main", sub_source: "rtsp://cam/sub"}
  - {id: hik-main, device: {vendor: hikvision, host: 10.0.0.1, user: u, password: p}}
  - {id: hik-sub, device: {vendor: hikvision, host: 10.0.0.1, user: u, password: p, stream: sub}}
  - {id: hik-both, device: {vendor: hikvision, host: 10.0.0.1, user: u, password: p, stream: both, channel: 2}}
  - {id: hik-extra-sub, sub_source: "rtmp://relay/live/x", device: {vendor: dahua, host: 10.0.0.2}}
`), "t")
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct{ id, main, sub string }{
		{"single", "rtsp://cam/main", ""},
		{"two", "rtsp://cam/main", "rtsp://cam/sub"},
		{"hik-main", "rtsp://u:p@10.0.0.1:554/Streaming/Channels/101", ""},
		{"hik-sub", "rtsp://u:p@10.0.0.1:554/Streaming/Channels/102", ""},
		{"hik-both", "rtsp://u:p@10.0.0.1:554/Streaming/Channels/201", "rtsp://u:p@10.0.0.1:554/Streaming/Channels/202"},
		{"hik-extra-sub", "rtsp://10.0.0.2:554/cam/realmonitor?channel=1&subtype=0", "rtmp://relay/live/x"},
	}
	for _, tc := range cases {
		ch := cfg.ChannelByID(tc.id)
		if ch == nil {
			t.Fatalf("no channel %s", tc.id)
		}
		if got := ch.MainURL(); got != tc.main {
			t.Errorf("%s MainURL = %s, want %s", tc.id, got, tc.main)
		}
		if got := ch.SubURL(); got != tc.sub {
			t.Errorf("%s SubURL = %s, want %s", tc.id, got, tc.sub)
		}
	}
}

func TestFilePath(t *testing.T) {
	cases := []struct {
		in   string
		want string
		ok   bool
	}{
		{"file:///var/lib/lubo/a.mp4", "/var/lib/lubo/a.mp4", true},
		{"file:relative/dir/a.mp4", "relative/dir/a.mp4", true},
		{"file:with%20space.mp4", "with space.mp4", true},
		{"file:///with%20space.mp4", "/with space.mp4", true},
		{"rtsp://cam/1", "", false},
	}
	for _, tc := range cases {
		got, ok := sources.FilePath(tc.in)
		if got != tc.want || ok != tc.ok {
			t.Errorf("sources.FilePath(%q) = %q, %v; want %q, %v", tc.in, got, ok, tc.want, tc.ok)
		}
	}
}

func TestCloudSettingsForInstallersAreChecked(t *testing.T) {
	doc := `data_dir: /tmp/x
cloud:
  tplink: {ak: a, sk: b, application: shop, terminal_id: "box 1", temp_ttl: 48h}
  hikyunmou: {api: "https://h.example", client_id: c, client_secret: s, paths: {token: "oauth/token", register: "/r?x=1"}}
`
	_, err := Parse([]byte(doc), "lubo.yaml")
	for _, want := range []string{
		`cloud.tplink.application: "shop" is not one of device, project`,
		`cloud.tplink.terminal_id: "box 1": want 1 to 64 characters without spaces or commas`,
		"cloud.tplink.temp_ttl",
		`cloud.hikyunmou.paths.token: "oauth/token": want an absolute path`,
		"cloud.hikyunmou.paths.register",
	} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("want a problem %q, got %v", want, err)
		}
	}
	good := `data_dir: /tmp/x
cloud:
  tplink: {ak: a, sk: b, application: project, terminal_id: box-1, temp_credentials: true, temp_ttl: 1h}
  hikyunmou: {api: "https://h.example", client_id: c, client_secret: s, group_no: g1, paths: {token: /t}}
`
	cfg, err := Parse([]byte(good), "lubo.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if tp := cfg.Cloud.TPLink; tp.Application != "project" || !tp.TempCredentials || tp.TerminalID != "box-1" || cfg.Cloud.HikYunmou.Paths.Token != "/t" {
		t.Errorf("parsed %+v %+v", tp, cfg.Cloud.HikYunmou)
	}
}

func TestPushURLsAreChecked(t *testing.T) {
	doc := `data_dir: /tmp/x
channels:
  - {id: c1, source: "rtsp://cam/1", push: ["rtmps://ingest/live/k", "http://ingest/live/k", "rtmp://ingest/", "rtmp://ingest:1935/live/key?token=s3cret", "rtmp:/ingest/live/k3y-in-the-path"]}
`
	_, err := Parse([]byte(doc), "lubo.yaml")
	if err == nil {
		t.Fatal("bad push URLs accepted")
	}
	for _, want := range []string{
		`channels[0].push[0]: push URL "rtmps://ingest/live/******": rtmps`,
		`channels[0].push[1]: push URL "http://ingest/live/******": scheme "http" is not rtmp`,
		`channels[0].push[2]: push URL "rtmp://ingest": no /app/stream path`,
		`channels[0].push[4]: push URL`,
	} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("want %q in:\n%v", want, err)
		}
	}
	if strings.Contains(err.Error(), "push[3]") || strings.Contains(err.Error(), "s3cret") || strings.Contains(err.Error(), "k3y-in-the-path") {
		t.Errorf("a good push URL refused, or a token shown:\n%v", err)
	}
}
