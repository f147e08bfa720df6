package onenet_test

import (
	"context"
	"strings"
	"testing"

	"github.com/lubo-edge/lubo/cloud/onenet"
	"github.com/lubo-edge/lubo/cloud/onenet/onenettest"
)

func TestCreateDevice(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	title := strings.Repeat("录", onenet.MaxDeviceTitle) // 64 characters, 192 bytes
	id, err := f.client.CreateDevice(ctx, onenet.Device{Title: title, Desc: "一年级", AuthInfo: "box-sn-1"})
	if err != nil {
		t.Fatal(err)
	}
	devs := f.emu.Devices()
	if len(devs) != 1 || devs[0].ID != id || devs[0].Title != title || devs[0].AuthInfo != "box-sn-1" {
		t.Fatalf("emulator devices = %+v, id %q", devs, id)
	}
	// auth_info is unique in the product.
	_, err = f.client.CreateDevice(ctx, onenet.Device{Title: "again", AuthInfo: "box-sn-1"})
	wantErrno(t, err, onenettest.ErrnoAuthInfoExists)
	if onenet.Retryable(err) {
		t.Fatal("a refusal is not retryable")
	}
}

func TestCreateDeviceRefusals(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	devID, devKey := f.emu.AddDevice("other")

	err := f.noRequest(t, func() error {
		_, err := f.client.CreateDevice(ctx, onenet.Device{Title: strings.Repeat("x", 65)})
		return err
	})
	fe := wantField(t, err, "title")
	if fe.Len != 65 || fe.Limit != 64 || !strings.Contains(err.Error(), "65") || !strings.Contains(err.Error(), "64") {
		t.Fatalf("field error %+v: %v", fe, err)
	}
	_, err = f.client.CreateDevice(ctx, onenet.Device{})
	wantField(t, err, "title")

	// A device key where the master key is needed.
	_, err = f.client.WithKey(onenet.Secret(devKey)).CreateDevice(ctx, onenet.Device{Title: "t"})
	wantErrno(t, err, onenettest.ErrnoAuthFailed)
	// No key, and a wrong key.
	_, err = f.client.WithKey("").CreateDevice(ctx, onenet.Device{Title: "t"})
	wantErrno(t, err, onenettest.ErrnoAuthFailed)
	_, err = f.client.WithKey("wrong").CreateDevice(ctx, onenet.Device{Title: "t"})
	wantErrno(t, err, onenettest.ErrnoAuthFailed)
	if n := len(f.emu.Devices()); n != 1 {
		t.Fatalf("%d devices after refusals, want only %s", n, devID)
	}
}

func TestRegister(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	anon := f.client.WithKey("") // a box with only a register code
	reg, err := anon.Register(ctx, "REGCODE1", onenet.RegisterSpec{SN: "SN-0001", Title: "教室一"})
	if err != nil {
		t.Fatal(err)
	}
	if reg.DeviceID == "" || reg.Key == "" {
		t.Fatalf("registration %+v", reg)
	}
	devs := f.emu.Devices()
	if len(devs) != 1 || devs[0].ID != reg.DeviceID || devs[0].Key != string(reg.Key) || devs[0].SN != "SN-0001" {
		t.Fatalf("emulator devices %+v, registration %s", devs, reg.DeviceID)
	}
	// Registering again (a lost answer) finds the same device.
	again, err := anon.Register(ctx, "REGCODE1", onenet.RegisterSpec{SN: "SN-0001"})
	if err != nil || again != reg {
		t.Fatalf("again: %v, %v", again.DeviceID, err)
	}
	// The device key works on the device's own channels.
	dev := f.client.WithKey(reg.Key)
	if err := dev.AddChannel(ctx, reg.DeviceID, onenet.Channel{ID: 1, Title: "cam1"}); err != nil {
		t.Fatal(err)
	}
	// ... but not on another device's.
	other, _ := f.emu.AddDevice("other")
	err = dev.AddChannel(ctx, other, onenet.Channel{ID: 1, Title: "cam1"})
	wantErrno(t, err, onenettest.ErrnoAuthFailed)

	_, err = anon.Register(ctx, "WRONG", onenet.RegisterSpec{MAC: "00:11:22:33:44:55"})
	wantErrno(t, err, onenettest.ErrnoAuthFailed)
}

func TestRegisterRefusedLocally(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	cases := []struct {
		name  string
		code  onenet.Secret
		spec  onenet.RegisterSpec
		field string
	}{
		{"no code", "", onenet.RegisterSpec{SN: "a"}, "register_code"},
		{"neither sn nor mac", "REGCODE1", onenet.RegisterSpec{}, "sn/mac"},
		{"both sn and mac", "REGCODE1", onenet.RegisterSpec{SN: "a", MAC: "b"}, "sn/mac"},
		{"sn too long", "REGCODE1", onenet.RegisterSpec{SN: strings.Repeat("s", 513)}, "sn"},
		{"mac too long", "REGCODE1", onenet.RegisterSpec{MAC: strings.Repeat("m", 513)}, "mac"},
		{"title too long", "REGCODE1", onenet.RegisterSpec{SN: "a", Title: strings.Repeat("课", 33)}, "title"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			err := f.noRequest(t, func() error {
				_, err := f.client.Register(ctx, tc.code, tc.spec)
				return err
			})
			wantField(t, err, tc.field)
		})
	}
	// The limits themselves pass.
	if _, err := f.client.Register(ctx, "REGCODE1", onenet.RegisterSpec{SN: strings.Repeat("s", 512), Title: strings.Repeat("课", 32)}); err != nil {
		t.Fatal(err)
	}
}

func TestDeviceStatuses(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	a, keyA := f.emu.AddDevice("a")
	b, _ := f.emu.AddDevice("b")
	f.emu.SetOnline(b, true)
	got, err := f.client.DeviceStatuses(ctx, a, b)
	if err != nil {
		t.Fatal(err)
	}
	want := []onenet.DeviceStatus{{ID: a, Online: false}, {ID: b, Online: true}}
	if len(got) != 2 || got[0] != want[0] || got[1] != want[1] {
		t.Fatalf("statuses = %+v, want %+v", got, want)
	}
	// A device key asks about its own device only.
	if _, err := f.client.WithKey(onenet.Secret(keyA)).DeviceStatuses(ctx, a); err != nil {
		t.Fatal(err)
	}
	_, err = f.client.WithKey(onenet.Secret(keyA)).DeviceStatuses(ctx, b)
	wantErrno(t, err, onenettest.ErrnoAuthFailed)

	ids := make([]string, 31)
	for i := range ids {
		ids[i] = "1"
	}
	err = f.noRequest(t, func() error { _, err := f.client.DeviceStatuses(ctx, ids...); return err })
	wantField(t, err, "devIds")
	long := []string{strings.Repeat("1", 60), strings.Repeat("2", 60), strings.Repeat("3", 60), strings.Repeat("4", 60),
		strings.Repeat("5", 60), strings.Repeat("6", 60), strings.Repeat("7", 60), strings.Repeat("8", 60), strings.Repeat("9", 60)}
	err = f.noRequest(t, func() error { _, err := f.client.DeviceStatuses(ctx, long...); return err })
	if fe := wantField(t, err, "devIds"); fe.Limit != 500 {
		t.Fatalf("limit %d", fe.Limit)
	}
	err = f.noRequest(t, func() error { _, err := f.client.DeviceStatuses(ctx, "12,3"); return err })
	wantField(t, err, "devIds")
}
