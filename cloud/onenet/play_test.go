package onenet_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/lubo-edge/lubo/cloud/onenet"
	"github.com/lubo-edge/lubo/cloud/onenet/onenettest"
)

// The literal examples of section 4.1.
func TestPlayAddressDocumentExamples(t *testing.T) {
	cases := []struct {
		p    onenet.PlayAddress
		want string
	}{
		{onenet.PlayAddress{Protocol: onenet.RTMP, Addr: "183.230.40.39:1935", Type: "rtmp", DeviceID: "2162826", ChannelID: 2, Token: "accessToken"},
			"rtmp://183.230.40.39:1935/live/2162826-2?accessToken"},
		{onenet.PlayAddress{Protocol: onenet.HLS, Addr: "183.230.40.39:8080", Type: "hls", DeviceID: "2162826", ChannelID: 2, Token: "accessToken"},
			"http://183.230.40.39:8080/live/live_2162826_2/index.m3u8?accessToken"},
		{onenet.PlayAddress{Protocol: onenet.RTMP, Addr: "183.230.40.39:1935", Type: "rtmpe", DeviceID: "2162826", ChannelID: 2, Token: "accessToken"},
			"rtmpe://183.230.40.39:1935/live/2162826-2?accessToken"},
		{onenet.PlayAddress{Protocol: onenet.HTTPSHLS, Addr: "183.230.40.39:8443", DeviceID: "2162826", ChannelID: 2, Token: "accessToken"},
			"https://183.230.40.39:8443/live/live_2162826_2/index.m3u8?accessToken"},
	}
	for _, tc := range cases {
		if got := tc.p.URL(); got != tc.want {
			t.Errorf("URL() = %q, want %q", got, tc.want)
		}
		if s := tc.p.String(); strings.Contains(s, "accessToken") || !strings.HasSuffix(s, "?******") {
			t.Errorf("String() = %q shows the token", s)
		}
	}
}

func TestPlayAddressAndPreload(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	dev, key := f.deviceWithChannel(t)

	rtmp, err := f.client.PlayAddress(ctx, dev, 1, onenet.RTMP)
	if err != nil {
		t.Fatal(err)
	}
	want := "rtmp://" + f.emu.Addr() + "/live/" + dev + "-1?" + string(rtmp.Token)
	if rtmp.URL() != want || rtmp.Token == "" {
		t.Fatalf("rtmp = %q, want %q", rtmp.URL(), want)
	}

	hls, err := f.client.WithKey(onenet.Secret(key)).PlayAddress(ctx, dev, 1, onenet.HLS)
	if err != nil {
		t.Fatal(err)
	}
	want = "http://" + f.emu.Addr() + "/live/live_" + dev + "_1/index.m3u8?" + string(hls.Token)
	if hls.URL() != want {
		t.Fatalf("hls = %q, want %q", hls.URL(), want)
	}

	if err := f.client.PreloadHLS(ctx, hls, 120*time.Second); err != nil {
		t.Fatal(err)
	}
	f.clock.Advance(90 * time.Second)
	if err := f.client.PreloadHLS(ctx, hls, 30*time.Second); err != nil {
		t.Fatal(err)
	}
	pre := f.emu.Preloads()
	t0 := time.Date(2026, 11, 27, 10, 30, 0, 0, time.UTC)
	if len(pre) != 2 || pre[0] != (onenettest.Preload{DeviceID: dev, ChannelID: 1, IdleTime: 120, At: t0}) ||
		pre[1] != (onenettest.Preload{DeviceID: dev, ChannelID: 1, IdleTime: 30, At: t0.Add(90 * time.Second)}) {
		t.Fatalf("preloads = %+v", pre)
	}

	// The platform refuses an RTMP token, or one for another channel.
	bad := hls
	bad.Token = rtmp.Token
	wantErrno(t, f.client.PreloadHLS(ctx, bad, time.Minute), onenettest.ErrnoAuthFailed)
	bad.Token = "tk0000"
	wantErrno(t, f.client.PreloadHLS(ctx, bad, time.Minute), onenettest.ErrnoAuthFailed)

	// Refused locally.
	for _, tc := range []struct {
		p     onenet.PlayAddress
		idle  time.Duration
		field string
	}{
		{hls, 121 * time.Second, "idle_time"},
		{hls, 0, "idle_time"},
		{hls, 1500 * time.Millisecond, "idle_time"},
		{rtmp, time.Minute, "address"},
	} {
		wantField(t, f.noRequest(t, func() error { return f.client.PreloadHLS(ctx, tc.p, tc.idle) }), tc.field)
	}
	if n := len(f.emu.Preloads()); n != 2 {
		t.Fatalf("%d preloads after refusals", n)
	}
}

func TestPlayAddressRefusals(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	dev, _ := f.deviceWithChannel(t)

	_, err := f.client.PlayAddress(ctx, dev, 2, onenet.HLS)
	wantErrno(t, err, onenet.ErrnoChannelNotFound)
	if !errors.Is(err, onenet.ErrChannelNotFound) {
		t.Fatalf("errno 17 not understood: %v", err)
	}
	_, err = f.client.PlayAddress(ctx, "424242", 1, onenet.HLS)
	wantErrno(t, err, onenettest.ErrnoDeviceNotFound)
	_, err = f.client.WithKey("nope").PlayAddress(ctx, dev, 1, onenet.HLS)
	wantErrno(t, err, onenettest.ErrnoAuthFailed)
	err = f.noRequest(t, func() error { _, err := f.client.PlayAddress(ctx, dev, 1, onenet.Protocol(3)); return err })
	wantField(t, err, "protocol_type")
}

func TestRedact(t *testing.T) {
	cases := []struct{ in, want string }{
		{"rtmp://183.230.40.39:1935/live/2162826-2?accessToken", "rtmp://183.230.40.39:1935/live/2162826-2?******"},
		{"http://h:8080/live/live_1_2/index.m3u8?token=abc&x=1", "http://h:8080/live/live_1_2/index.m3u8?******"},
		{"http://user:pw@h/live/a#frag", "http://******@h/live/a?******"},
		{"rtmp://h/live/1-2", "rtmp://h/live/1-2"},
		{"no scheme user:pw@host?t", "******@host?******"},
		{"", ""},
	}
	for _, tc := range cases {
		if got := onenet.Redact(tc.in); got != tc.want {
			t.Errorf("Redact(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}
