package onenet_test

import (
	"bytes"
	"context"
	"errors"
	"net/http"
	"testing"
	"time"

	"github.com/lubo-edge/lubo/cloud/onenet"
	"github.com/lubo-edge/lubo/cloud/onenet/onenettest"
)

func TestRetryOn5xx(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	dev, _ := f.deviceWithChannel(t)

	f.emu.FailNext(2, http.StatusInternalServerError, 0)
	before := f.emu.Requests()
	if _, err := f.client.Channels(ctx, dev); err != nil {
		t.Fatalf("two 500s then success, with 3 attempts: %v", err)
	}
	if n := f.emu.Requests() - before; n != 3 {
		t.Fatalf("%d requests, want 3", n)
	}

	f.emu.FailNext(3, http.StatusBadGateway, 0)
	_, err := f.client.Channels(ctx, dev)
	var e *onenet.Error
	if !errors.As(err, &e) || e.HTTPStatus != 502 || !onenet.Retryable(err) {
		t.Fatalf("three 502s: %v", err)
	}

	// A refusal (errno at HTTP 200, or HTTP 4xx) is not retried.
	before = f.emu.Requests()
	f.emu.FailNext(1, http.StatusOK, onenettest.ErrnoInternal)
	_, err = f.client.Channels(ctx, dev)
	wantErrno(t, err, onenettest.ErrnoInternal)
	f.emu.FailNext(1, http.StatusBadRequest, 400)
	_, err = f.client.Channels(ctx, dev)
	if e := wantErrno(t, err, 400); e.HTTPStatus != 400 || onenet.Retryable(err) {
		t.Fatalf("400: %v", err)
	}
	if n := f.emu.Requests() - before; n != 2 {
		t.Fatalf("refusals were retried: %d requests", n)
	}

	// Object storage: errno 503 under HTTP 503 is retried, then succeeds.
	f.emu.FailNext(1, http.StatusServiceUnavailable, 503)
	if err := f.client.UploadFile(ctx, "r.mp4", "", bytes.NewReader([]byte("x")), 1); err != nil {
		t.Fatal(err)
	}
}

func TestGarbageAnswers(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	dev, _ := f.deviceWithChannel(t)
	for _, body := range []string{"<html>portal</html>", `{"errno":`, `{"error":"succ"}`, `{"errno":"zero"}`, `{"errno":0,"result":{"x":1}}`, ""} {
		f.emu.GarbageNext(1, body)
		_, err := f.client.Channels(ctx, dev)
		var pe *onenet.ProtocolError
		if !errors.As(err, &pe) || !onenet.Retryable(err) {
			t.Fatalf("garbage %q: %v (%T)", body, err, err)
		}
	}
	// Garbage is not resent at once (the caller retries later), and the
	// next call is answered normally.
	f.emu.GarbageNext(1, "\x00\x01")
	before := f.emu.Requests()
	if _, err := f.client.Channels(ctx, dev); !onenet.Retryable(err) {
		t.Fatalf("garbage: %v", err)
	}
	if n := f.emu.Requests() - before; n != 1 {
		t.Fatalf("garbage was resent: %d requests", n)
	}
	if _, err := f.client.Channels(ctx, dev); err != nil {
		t.Fatal(err)
	}
}

func TestPlatformGoesAway(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	dev, _ := f.deviceWithChannel(t)

	f.emu.SetDown(true)
	_, err := f.client.Channels(ctx, dev)
	if e := wantErrno(t, err, 503); e.HTTPStatus != 503 || !onenet.Retryable(err) {
		t.Fatalf("down: %v", err)
	}
	f.emu.SetDown(false)
	if _, err := f.client.Channels(ctx, dev); err != nil {
		t.Fatal(err)
	}

	f.emu.Disconnect()
	_, err = f.client.Channels(ctx, dev)
	var te *onenet.TransportError
	if !errors.As(err, &te) || !onenet.Retryable(err) {
		t.Fatalf("disconnected: %v (%T)", err, err)
	}
	if err := f.emu.Reconnect(); err != nil {
		t.Fatal(err)
	}
	if _, err := f.client.Channels(ctx, dev); err != nil {
		t.Fatalf("after reconnect: %v", err)
	}
}

func TestSlowPlatform(t *testing.T) {
	f := newFixture(t)
	dev, _ := f.deviceWithChannel(t)
	c, err := onenet.New(onenet.Config{API: f.emu.URL(), Key: masterKey, Timeout: 50 * time.Millisecond, Attempts: 2, BackoffBase: time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	f.emu.Hold()
	defer f.emu.Release()
	_, err = c.Channels(context.Background(), dev)
	if !onenet.Retryable(err) || !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("held past the timeout: %v", err)
	}

	// The caller's cancellation ends the call too, as "retry later".
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { _, err := f.client.Channels(ctx, dev); done <- err }()
	cancel()
	if err := <-done; !errors.Is(err, context.Canceled) || !onenet.Retryable(err) {
		t.Fatalf("cancelled: %v", err)
	}
	f.emu.Release()
	if _, err := f.client.Channels(context.Background(), dev); err != nil {
		t.Fatal(err)
	}
}

func TestRetryableClasses(t *testing.T) {
	cases := []struct {
		err  error
		want bool
	}{
		{nil, false},
		{&onenet.Error{Op: "x", Errno: 1, HTTPStatus: 200}, false},
		{&onenet.Error{Op: "x", Errno: 0, HTTPStatus: 500}, true},
		{&onenet.Error{Op: "x", Errno: 0, HTTPStatus: 429}, true},
		{&onenet.Error{Op: "x", Errno: 404, HTTPStatus: 404}, false},
		{&onenet.TransportError{Op: "x", Err: errors.New("reset")}, true},
		{&onenet.ProtocolError{Op: "x"}, true},
		{&onenet.FieldError{Op: "x", Field: "title"}, false},
		{onenet.ErrFileTooLarge, false},
		{onenet.ErrDuplicateName, false},
		{context.DeadlineExceeded, true},
		{errors.New("something else"), false},
	}
	for _, tc := range cases {
		if got := onenet.Retryable(tc.err); got != tc.want {
			t.Errorf("Retryable(%v) = %v, want %v", tc.err, got, tc.want)
		}
	}
}

// A failed lookup after an upload refusal means the refusal may be a
// duplicate: retry later rather than drop.
func TestDuplicateCheckFailsTransiently(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	dev, _ := f.deviceWithChannel(t)
	p := onenet.Picture{DeviceID: dev, ChannelID: 1, Name: "x", Format: "jpg"}
	if err := f.client.UploadPicture(ctx, p, bytes.NewReader(jpeg), int64(len(jpeg))); err != nil {
		t.Fatal(err)
	}
	c, _ := onenet.New(onenet.Config{API: f.emu.URL(), Key: masterKey, Attempts: 1})
	f.emu.FailNextOn("/ipc/video/picture/get_info", 1, http.StatusServiceUnavailable, 503)
	before := f.emu.Requests()
	err := c.UploadPicture(ctx, p, bytes.NewReader(jpeg), int64(len(jpeg)))
	if !onenet.Retryable(err) || errors.Is(err, onenet.ErrDuplicateName) {
		t.Fatalf("refusal + failed lookup: %v", err)
	}
	if n := f.emu.Requests() - before; n != 2 {
		t.Fatalf("%d requests, want upload + lookup", n)
	}
	// Later the lookup works and the duplicate is recognised.
	if err := c.UploadPicture(ctx, p, bytes.NewReader(jpeg), int64(len(jpeg))); !errors.Is(err, onenet.ErrDuplicateName) {
		t.Fatalf("retry: %v", err)
	}
}

// CreateDevice is not resent after a lost answer (a second device would
// be made); the caller sees a retryable error, and calling again with the
// same auth_info is refused instead of duplicating.
func TestCreateDeviceNotResent(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	f.emu.DropNextAnswers(1)
	_, err := f.client.CreateDevice(ctx, onenet.Device{Title: "box", AuthInfo: "sn-1"})
	if !onenet.Retryable(err) {
		t.Fatalf("lost answer: %v", err)
	}
	if n := len(f.emu.Devices()); n != 1 {
		t.Fatalf("%d devices after one lost answer", n)
	}
	_, err = f.client.CreateDevice(ctx, onenet.Device{Title: "box", AuthInfo: "sn-1"})
	wantErrno(t, err, onenettest.ErrnoAuthInfoExists)

	// A 5xx answer is resent: the platform says it did not act.
	f.emu.FailNext(1, http.StatusServiceUnavailable, 503)
	if _, err := f.client.CreateDevice(ctx, onenet.Device{Title: "box2"}); err != nil {
		t.Fatalf("after a 503: %v", err)
	}
}
