package onenet_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"strings"
	"testing"
	"testing/iotest"

	"github.com/lubo-edge/lubo/cloud/onenet"
	"github.com/lubo-edge/lubo/cloud/onenet/onenettest"
)

var jpeg = []byte("\xff\xd8\xff\xe0 not really a picture \xff\xd9")

func TestUploadPicture(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	dev, key := f.deviceWithChannel(t)
	p := onenet.Picture{DeviceID: dev, ChannelID: 1, Name: "c101_20261127_103000", Desc: "课堂截图", Format: "jpg"}

	if err := f.client.WithKey(onenet.Secret(key)).UploadPicture(ctx, p, bytes.NewReader(jpeg), int64(len(jpeg))); err != nil {
		t.Fatal(err)
	}
	pics := f.emu.Pictures()
	if len(pics) != 1 || pics[0].Name != p.Name || pics[0].Desc != p.Desc || pics[0].Format != "jpg" || !bytes.Equal(pics[0].Data, jpeg) || !pics[0].At.Equal(f.clock.Now()) {
		t.Fatalf("emulator pictures = %+v", pics)
	}
	info, err := f.client.PictureInfo(ctx, p)
	if err != nil {
		t.Fatal(err)
	}
	if info.Name != p.Name || info.Size != int64(len(jpeg)) || info.Format != "jpg" || info.Date != f.clock.Now().Unix() || info.URL == "" {
		t.Fatalf("info = %+v", info)
	}

	// The same name again is "already there", distinct from a refusal.
	err = f.client.UploadPicture(ctx, p, bytes.NewReader(jpeg), int64(len(jpeg)))
	if !errors.Is(err, onenet.ErrDuplicateName) {
		t.Fatalf("duplicate: %v", err)
	}
	if onenet.Retryable(err) {
		t.Fatal("a duplicate is not retryable")
	}
	wantErrno(t, err, onenettest.ErrnoPictureExists) // the platform's refusal stays visible
	if n := len(f.emu.Pictures()); n != 1 {
		t.Fatalf("%d pictures", n)
	}

	if err := f.client.DeletePicture(ctx, p); err != nil {
		t.Fatal(err)
	}
	_, err = f.client.PictureInfo(ctx, p)
	wantErrno(t, err, onenettest.ErrnoPictureNotFound)
	err = f.client.DeletePicture(ctx, p)
	wantErrno(t, err, onenettest.ErrnoPictureNotFound)
}

// A lost answer: the picture arrived, the client saw a cut connection.
// With a seekable body the client retries at once and learns the name is
// there; with a plain reader the caller retries later and learns the same.
func TestUploadPictureLostAnswer(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	dev, _ := f.deviceWithChannel(t)
	p := onenet.Picture{DeviceID: dev, ChannelID: 1, Name: "snap1", Format: "png"}

	f.emu.DropNextAnswers(1)
	err := f.client.UploadPicture(ctx, p, bytes.NewReader(jpeg), int64(len(jpeg)))
	if !errors.Is(err, onenet.ErrDuplicateName) {
		t.Fatalf("seekable body after a lost answer: %v", err)
	}

	p.Name = "snap2"
	f.emu.DropNextAnswers(1)
	before := f.emu.Requests()
	err = f.client.UploadPicture(ctx, p, io.MultiReader(bytes.NewReader(jpeg)), int64(len(jpeg)))
	var te *onenet.TransportError
	if !errors.As(err, &te) || !onenet.Retryable(err) {
		t.Fatalf("plain reader after a lost answer: %v (%T)", err, err)
	}
	if n := f.emu.Requests() - before; n != 1 {
		t.Fatalf("a plain reader was sent %d times", n)
	}
	err = f.client.UploadPicture(ctx, p, bytes.NewReader(jpeg), int64(len(jpeg)))
	if !errors.Is(err, onenet.ErrDuplicateName) {
		t.Fatalf("retry by the caller: %v", err)
	}
	if n := len(f.emu.Pictures()); n != 2 {
		t.Fatalf("%d pictures, want 2", n)
	}
}

func TestUploadPictureRefusals(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	dev, _ := f.deviceWithChannel(t)
	good := onenet.Picture{DeviceID: dev, ChannelID: 1, Name: "n", Format: "jpg"}
	body := func() io.Reader { return bytes.NewReader(jpeg) }
	size := int64(len(jpeg))

	for _, tc := range []struct {
		name  string
		p     onenet.Picture
		body  io.Reader
		size  int64
		field string
	}{
		{"format gif", onenet.Picture{DeviceID: dev, ChannelID: 1, Name: "n", Format: "gif"}, body(), size, "format"},
		{"no name", onenet.Picture{DeviceID: dev, ChannelID: 1, Format: "jpg"}, body(), size, "name"},
		{"name over 256", onenet.Picture{DeviceID: dev, ChannelID: 1, Name: strings.Repeat("n", 257), Format: "jpg"}, body(), size, "name"},
		{"no device", onenet.Picture{ChannelID: 1, Name: "n", Format: "jpg"}, body(), size, "device_id"},
		{"negative size", good, body(), -1, "body"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			wantField(t, f.noRequest(t, func() error { return f.client.UploadPicture(ctx, tc.p, tc.body, tc.size) }), tc.field)
		})
	}

	// A body shorter or longer than its size is caught, not stored.
	err := f.client.UploadPicture(ctx, good, bytes.NewReader(jpeg[:5]), size)
	wantField(t, err, "body")
	err = f.client.UploadPicture(ctx, good, bytes.NewReader(jpeg), 5)
	wantField(t, err, "body")
	// A reader that fails midway is a transport problem, retryable.
	err = f.client.UploadPicture(ctx, good, io.MultiReader(bytes.NewReader(jpeg[:10]), iotest.ErrReader(errors.New("disk read error"))), size)
	if !onenet.Retryable(err) {
		t.Fatalf("failing reader: %v", err)
	}
	if pics := f.emu.Pictures(); len(pics) != 0 {
		t.Fatalf("%d pictures stored from bad bodies: %q", len(pics), pics[0].Data)
	}

	// Unknown channel and device, wrong key: permanent refusals, not duplicates.
	bad := good
	bad.ChannelID = 9
	err = f.client.UploadPicture(ctx, bad, body(), size)
	if !errors.Is(err, onenet.ErrChannelNotFound) || errors.Is(err, onenet.ErrDuplicateName) || onenet.Retryable(err) {
		t.Fatalf("unknown channel: %v", err)
	}
	bad = good
	bad.DeviceID = "77"
	err = f.client.UploadPicture(ctx, bad, body(), size)
	wantErrno(t, err, onenettest.ErrnoDeviceNotFound)
	err = f.client.WithKey("nope").UploadPicture(ctx, good, body(), size)
	wantErrno(t, err, onenettest.ErrnoAuthFailed)
	if errors.Is(err, onenet.ErrDuplicateName) {
		t.Fatal("an auth failure is not a duplicate")
	}
}
