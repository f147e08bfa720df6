package onenet_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"testing"
	"time"

	"github.com/lubo-edge/lubo/cloud/onenet"
)

// Keys, device keys and play tokens never show in errors, logs or the
// printed form of the package's values.
func TestSecretsNeverShown(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	dev, devKey := f.deviceWithChannel(t)
	hls, err := f.client.PlayAddress(ctx, dev, 1, onenet.HLS)
	if err != nil {
		t.Fatal(err)
	}
	reg, err := f.client.Register(ctx, "REGCODE1", onenet.RegisterSpec{SN: "sn-secret-test"})
	if err != nil {
		t.Fatal(err)
	}
	secrets := []string{masterKey, devKey, string(hls.Token), string(reg.Key), "REGCODE1"}

	var shown []string
	cfg := onenet.Config{API: f.emu.URL(), Key: masterKey, ProductID: "7355"}
	for _, v := range []any{cfg, &cfg, f.client, hls, &hls, reg, onenet.Secret(masterKey)} {
		for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%q", "%x", "%d"} {
			shown = append(shown, fmt.Sprintf(verb, v))
		}
		b, _ := json.Marshal(v)
		shown = append(shown, string(b))
	}
	var logs bytes.Buffer
	log := slog.New(slog.NewJSONHandler(&logs, nil))
	log.Info("values", "cfg", cfg, "client", f.client, "play", hls, "reg", reg, "key", onenet.Secret(masterKey))
	log.Info("values", "play", hls.String(), "redacted", onenet.Redact(hls.URL()))

	// Failing calls of every kind, with errors collected.
	wrong := f.client.WithKey(onenet.Secret(devKey + "x"))
	errs := []error{}
	_, err = wrong.Channels(ctx, dev)
	errs = append(errs, err)
	errs = append(errs, wrong.PreloadHLS(ctx, hls, time.Minute))
	bad := hls
	bad.Token = onenet.Secret(string(hls.Token) + "x")
	errs = append(errs, f.client.PreloadHLS(ctx, bad, time.Minute))
	_, err = f.client.Register(ctx, "REGCODE1x", onenet.RegisterSpec{SN: "a"})
	errs = append(errs, err)
	f.emu.FailNext(3, http.StatusInternalServerError, 500) // retried, logged
	errs = append(errs, f.client.PreloadHLS(ctx, hls, time.Minute))
	f.emu.Disconnect()
	errs = append(errs, f.client.PreloadHLS(ctx, hls, time.Minute))
	errs = append(errs, f.client.WithKey(onenet.Secret(devKey)).UploadFile(ctx, "x", "", bytes.NewReader(nil), 0))
	for _, e := range errs {
		if e == nil {
			t.Fatal("a failing call succeeded")
		}
		shown = append(shown, e.Error(), fmt.Sprintf("%+v", e), fmt.Sprintf("%#v", e))
	}
	shown = append(shown, logs.String(), f.logs.String())
	if f.logs.String() == "" {
		t.Fatal("the client logged nothing at debug level; the log check would be empty")
	}
	for _, s := range shown {
		if leak := contains(s, secrets...); leak != "" {
			t.Fatalf("secret %q shown in %q", leak, s)
		}
	}
}
