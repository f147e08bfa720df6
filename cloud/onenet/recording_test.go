package onenet_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/lubo-edge/lubo/cloud/onenet"
	"github.com/lubo-edge/lubo/cloud/onenet/onenettest"
)

func TestRecording(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	dev, key := f.deviceWithChannel(t)
	t0 := f.clock.Now()

	if err := f.client.StartRecording(ctx, dev, 1); err != nil {
		t.Fatal(err)
	}
	if !f.emu.Recording(dev, 1) {
		t.Fatal("not recording after start")
	}
	f.clock.Advance(45 * time.Minute)
	if err := f.client.WithKey(onenet.Secret(key)).StopRecording(ctx, dev, 1); err != nil {
		t.Fatal(err)
	}
	if f.emu.Recording(dev, 1) {
		t.Fatal("still recording after stop")
	}
	ev := f.emu.RecordingEvents()
	if len(ev) != 2 || ev[0] != (onenettest.RecordingEvent{DeviceID: dev, ChannelID: 1, Start: true, At: t0}) ||
		ev[1] != (onenettest.RecordingEvent{DeviceID: dev, ChannelID: 1, Start: false, At: t0.Add(45 * time.Minute)}) {
		t.Fatalf("events = %+v", ev)
	}

	err := f.client.StartRecording(ctx, dev, 2)
	if !errors.Is(err, onenet.ErrChannelNotFound) {
		t.Fatalf("unknown channel: %v", err)
	}
	wantErrno(t, f.client.StartRecording(ctx, "31337", 1), onenettest.ErrnoDeviceNotFound)
	_, otherKey := f.emu.AddDevice("other")
	wantErrno(t, f.client.WithKey(onenet.Secret(otherKey)).StartRecording(ctx, dev, 1), onenettest.ErrnoAuthFailed)
	c, _ := onenet.New(onenet.Config{API: f.emu.URL(), Key: masterKey, ProductID: "999"})
	wantErrno(t, c.StartRecording(ctx, dev, 1), onenettest.ErrnoInvalidParam)
	if n := len(f.emu.RecordingEvents()); n != 2 {
		t.Fatalf("%d events after refusals", n)
	}
}
