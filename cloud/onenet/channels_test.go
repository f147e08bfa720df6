package onenet_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/lubo-edge/lubo/cloud/onenet"
	"github.com/lubo-edge/lubo/cloud/onenet/onenettest"
)

func TestChannelLifecycle(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	dev, _ := f.emu.AddDevice("box")

	if chans, err := f.client.Channels(ctx, dev); err != nil || len(chans) != 0 {
		t.Fatalf("empty device: %v, %v", chans, err)
	}
	max := strings.Repeat("a1", 32)
	for _, ch := range []onenet.Channel{{ID: 20, Title: "testqwer", Desc: "1qwqwq/"}, {ID: 100, Title: max, Desc: "一年级一班"}} {
		if err := f.client.AddChannel(ctx, dev, ch); err != nil {
			t.Fatal(err)
		}
	}
	chans, err := f.client.Channels(ctx, dev)
	if err != nil {
		t.Fatal(err)
	}
	if len(chans) != 2 || chans[0] != (onenet.Channel{ID: 20, Title: "testqwer", Desc: "1qwqwq/"}) || chans[1].Title != max || chans[1].Desc != "一年级一班" {
		t.Fatalf("channels = %+v", chans)
	}

	// errno 16: add again.
	err = f.client.AddChannel(ctx, dev, onenet.Channel{ID: 20, Title: "again"})
	wantErrno(t, err, onenet.ErrnoChannelExists)
	if !errors.Is(err, onenet.ErrChannelExists) || errors.Is(err, onenet.ErrChannelNotFound) || onenet.Retryable(err) {
		t.Fatalf("errno 16 not understood: %v", err)
	}

	if err := f.client.ModifyChannel(ctx, dev, onenet.Channel{ID: 20, Title: "renamed", Desc: "d"}); err != nil {
		t.Fatal(err)
	}
	if got := f.emu.Channels(dev)[0]; got.Title != "renamed" || got.Desc != "d" {
		t.Fatalf("after modify: %+v", got)
	}
	// errno 17: modify a channel that is not there.
	err = f.client.ModifyChannel(ctx, dev, onenet.Channel{ID: 21, Title: "x"})
	wantErrno(t, err, onenet.ErrnoChannelNotFound)
	if !errors.Is(err, onenet.ErrChannelNotFound) || errors.Is(err, onenet.ErrChannelExists) {
		t.Fatalf("errno 17 not understood: %v", err)
	}

	if err := f.client.DeleteChannel(ctx, dev, 20); err != nil {
		t.Fatal(err)
	}
	if got := f.emu.Channels(dev); len(got) != 1 || got[0].ID != 100 {
		t.Fatalf("after delete: %+v", got)
	}
	err = f.client.DeleteChannel(ctx, dev, 20)
	if !errors.Is(err, onenet.ErrChannelNotFound) {
		t.Fatalf("delete twice: %v", err)
	}
}

func TestChannelRefusals(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	dev, _ := f.emu.AddDevice("box")

	local := []struct {
		name  string
		dev   string
		ch    onenet.Channel
		field string
	}{
		{"title over 64", dev, onenet.Channel{ID: 1, Title: strings.Repeat("a", 65)}, "title"},
		{"title empty", dev, onenet.Channel{ID: 1}, "title"},
		{"title with underscore", dev, onenet.Channel{ID: 1, Title: "cam_1"}, "title"},
		{"title not ASCII", dev, onenet.Channel{ID: 1, Title: "一班"}, "title"},
		{"negative channel", dev, onenet.Channel{ID: -1, Title: "a"}, "channel_id"},
		{"device id not digits", "12/../3", onenet.Channel{ID: 1, Title: "a"}, "device_id"},
		{"desc with control characters", dev, onenet.Channel{ID: 1, Title: "a", Desc: "a\nb"}, "desc"},
	}
	for _, tc := range local {
		t.Run(tc.name, func(t *testing.T) {
			for _, call := range []func() error{
				func() error { return f.client.AddChannel(ctx, tc.dev, tc.ch) },
				func() error { return f.client.ModifyChannel(ctx, tc.dev, tc.ch) },
			} {
				err := f.noRequest(t, call)
				wantField(t, err, tc.field)
			}
		})
	}
	err := f.client.AddChannel(ctx, dev, onenet.Channel{ID: 1, Title: strings.Repeat("a", 65)})
	if fe := wantField(t, err, "title"); fe.Len != 65 || fe.Limit != 64 {
		t.Fatalf("%+v", fe)
	}
	if !strings.Contains(err.Error(), "title is 65 long, limit 64") {
		t.Fatalf("message does not say field, length and limit: %v", err)
	}

	// Unknown device.
	err = f.client.AddChannel(ctx, "999", onenet.Channel{ID: 1, Title: "a"})
	wantErrno(t, err, onenettest.ErrnoDeviceNotFound)
	_, err = f.client.Channels(ctx, "999")
	wantErrno(t, err, onenettest.ErrnoDeviceNotFound)
	// A device key of another device.
	_, otherKey := f.emu.AddDevice("other")
	err = f.client.WithKey(onenet.Secret(otherKey)).AddChannel(ctx, dev, onenet.Channel{ID: 1, Title: "a"})
	wantErrno(t, err, onenettest.ErrnoAuthFailed)
	if len(f.emu.Channels(dev)) != 0 {
		t.Fatal("a refused channel was added")
	}
}
