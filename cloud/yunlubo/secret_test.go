package yunlubo_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/lubo-edge/lubo/cloud/yunlubo"
)

// formatted renders v every way a program might print or log it.
func formatted(v any) string {
	var b bytes.Buffer
	fmt.Fprintf(&b, "%v|%+v|%#v|%s|", v, v, v, v)
	slog.New(slog.NewTextHandler(&b, nil)).Info("x", "v", v)
	slog.New(slog.NewJSONHandler(&b, nil)).Info("x", "v", v)
	if j, err := json.Marshal(v); err == nil {
		b.Write(j)
	}
	return b.String()
}

func assertHidden(t *testing.T, what, text string, secrets ...string) {
	t.Helper()
	for _, s := range secrets {
		if s != "" && strings.Contains(text, s) {
			t.Errorf("%s shows a secret %q: %s", what, s, text)
		}
	}
}

func TestSecretsNeverPrinted(t *testing.T) {
	f := newFixture(t, nil)
	d := seedSchool(f.srv)
	ctx := context.Background()
	cams, _, err := f.client.AllCameras(ctx)
	if err != nil {
		t.Fatal(err)
	}
	tok, _ := f.tokens.LoadToken(ctx)
	if tok.Value == "" {
		t.Fatal("no token stored")
	}
	secrets := []string{testUnionID, tok.Value.Reveal(), "pa55:word", yunlubo.EncodePassword("pa55:word"), "streampw"}

	opts := yunlubo.Options{BaseURL: f.srv.URL, UnionID: testUnionID}
	for name, v := range map[string]any{
		"Options": opts, "*Options": &opts, "Client": f.client, "Token": tok, "*Token": &tok,
		"Secret": tok.Value, "camera 1": cams[0], "camera 2": cams[1], "*Camera": &cams[1], "cameras": cams,
	} {
		assertHidden(t, name, formatted(v), secrets...)
	}
	pw, err := cams[0].Password()
	if err != nil || pw.Reveal() != "pa55:word" {
		t.Fatalf("password %v", err)
	}
	assertHidden(t, "decoded password", formatted(pw), secrets...)

	// Failing calls of every kind: their errors and the log hold no secret.
	var errs []error
	f.srv.SetDown(true)
	_, err = f.client.AllGathers(ctx)
	errs = append(errs, err)
	f.srv.SetDown(false)
	f.srv.Garbage(1)
	_, err = f.client.AllGathers(ctx)
	errs = append(errs, err)
	f.srv.FailCode("", 2, yunlubo.CodeTokenExpired)
	_, err = f.client.CameraStatus(ctx, d.cam1)
	errs = append(errs, err)
	f.srv.FailHTTP(5, http.StatusInternalServerError)
	_, err = f.client.PlayCamera(ctx, d.cam1, 0, 0)
	errs = append(errs, err)
	f.srv.SetDelay(time.Hour)
	short, cancel := context.WithTimeout(ctx, 30*time.Millisecond)
	_, err = f.client.AllGrades(short)
	cancel()
	errs = append(errs, err)
	f.srv.SetDelay(0)
	f.srv.AddAccount(testUnionID, false)
	f.srv.ForgetTokens()
	_, err = f.client.AllGrades(ctx)
	errs = append(errs, err)
	// The tokens of this test so far.
	tok2, _ := f.tokens.LoadToken(ctx)
	secrets = append(secrets, tok2.Value.Reveal())
	for i, err := range errs {
		if err == nil {
			t.Fatalf("call %d did not fail", i)
		}
		assertHidden(t, fmt.Sprintf("error %d", i), formatted(err)+err.Error(), secrets...)
	}
	assertHidden(t, "log", f.logs.String(), secrets...)
	if !strings.Contains(f.logs.String(), "retrying") {
		t.Fatal("the log recorded nothing: the test would prove nothing")
	}

	bad, err := yunlubo.New(yunlubo.Options{BaseURL: "http://user:" + testUnionID + "@x", UnionID: testUnionID})
	if err == nil || bad != nil {
		t.Fatal("a base URL with credentials was accepted")
	}
	assertHidden(t, "New error", err.Error(), testUnionID)
}

func TestTokenStorageForm(t *testing.T) {
	tok := yunlubo.Token{Value: "t0k3n", Obtained: time.Unix(100, 0).UTC(), Expires: time.Unix(7300, 0).UTC(), Account: "ab"}
	back, err := yunlubo.DecodeToken(yunlubo.EncodeToken(tok))
	if err != nil || back != tok {
		t.Fatalf("round trip: %+v %v", back, err)
	}
	if j, _ := json.Marshal(tok); strings.Contains(string(j), "t0k3n") {
		t.Fatalf("json.Marshal of a Token shows the value: %s", j)
	}
	if _, err := yunlubo.DecodeToken([]byte("{")); err == nil {
		t.Fatal("garbage decoded")
	}
}
