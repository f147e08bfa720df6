package auth

import (
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/lubo-edge/lubo/configs"
)

// withCLIToken gives the rig a CLI token file at path.
func withCLIToken(path string) rigOption {
	return func(_ *configs.Auth, o *Options) { o.CLITokenPath = path }
}

// cliRig is a rig with a CLI token, and the token as the CLI reads it.
func cliRig(t *testing.T, opt ...rigOption) (*rig, string) {
	t.Helper()
	path := filepath.Join(t.TempDir(), CLITokenFile)
	r := newRig(t, append(opt, withCLIToken(path))...)
	tok, err := ReadCLIToken(path)
	if err != nil {
		t.Fatal(err)
	}
	return r, tok.hex
}

func bearer(tok string) []string { return []string{"Authorization", "Bearer " + tok} }

// The CLI token is admin on the API, with neither cookie nor CSRF token;
// it opens nothing else.
func TestCLITokenGrantsAdminOnAPI(t *testing.T) {
	r, tok := cliRig(t)
	c := r.anon()
	for _, q := range []struct{ method, path string }{
		{"GET", "/api/outbox"},
		{"GET", "/api/push"},
		{"POST", "/api/push/start"},
		{"POST", "/api/record/start?channel=c1"},
		{"POST", "/api/outbox/retry?id=all"},
		{"DELETE", "/api/dash/admin/channels/c1"},
		{"GET", "/api/records"},
	} {
		a := c.do(q.method, q.path, "", bearer(tok)...)
		if a.code != http.StatusOK || !strings.Contains(a.body, "user="+CLIUser+" role=admin known=true") {
			t.Errorf("%s %s with the CLI token: %d %s", q.method, q.path, a.code, a.body)
		}
		if len(a.header.Values("Set-Cookie")) != 0 {
			t.Errorf("%s %s with the CLI token set a cookie", q.method, q.path)
		}
	}
	// The scheme's case does not matter (RFC 7235).
	if a := c.do("GET", "/api/outbox", "", "Authorization", "bearer "+tok); a.code != http.StatusOK {
		t.Errorf("lower-case scheme: %d %s", a.code, a.body)
	}
	// Not the guard's own endpoints, the media or the pages.
	for _, q := range []struct {
		method, path string
		code         int
	}{
		{"POST", "/api/auth/ticket", http.StatusUnauthorized},
		{"GET", "/live/c1.flv", http.StatusUnauthorized},
		{"GET", "/hls/c1/index.m3u8", http.StatusUnauthorized},
		{"GET", "/metrics", http.StatusUnauthorized},
		{"POST", "/reboot", http.StatusUnauthorized},
	} {
		if a := c.do(q.method, q.path, `{"path":"/live/c1.flv"}`, bearer(tok)...); a.code != q.code {
			t.Errorf("%s %s with the CLI token: %d %s, want %d", q.method, q.path, a.code, a.body, q.code)
		}
	}
	// A cross-site Origin is refused before any token is looked at.
	if a := c.do("POST", "/api/record/start", "", append(bearer(tok), "Origin", "http://evil.example")...); a.code != http.StatusForbidden {
		t.Errorf("cross-origin POST with the token: %d %s", a.code, a.body)
	}
}

// No token is 401 as before; a wrong one is 401 and a failed sign-in of
// the address: after LoginFreeFailures of them the address is locked out,
// for the right token and for passwords alike.
func TestCLITokenWrongCountsAsFailedSignIn(t *testing.T) {
	r, tok := cliRig(t)
	c := r.anon()
	if a := c.do("GET", "/api/outbox", ""); a.code != http.StatusUnauthorized {
		t.Fatalf("no token: %d %s", a.code, a.body)
	}
	if n := r.guard.limits.tracked(); n != 0 {
		t.Errorf("a request without a token counted as a sign-in attempt (%d keys)", n)
	}
	wrongs := []string{flipLast(tok), "", tok + "0", tok[:63], strings.ToUpper(tok), strings.Repeat("a", 10000)}
	for i := range LoginFreeFailures {
		a := c.do("POST", "/api/record/start", "", bearer(wrongs[i%len(wrongs)])...)
		if a.code != http.StatusUnauthorized || !strings.Contains(a.body, "wrong bearer token") || !strings.Contains(a.header.Get("WWW-Authenticate"), "Bearer") {
			t.Fatalf("wrong token %d: %d %s %v", i, a.code, a.body, a.header)
		}
	}
	// Locked: even the right token is refused, so guessing gains nothing.
	a := c.do("GET", "/api/outbox", "", bearer(tok)...)
	if a.code != http.StatusTooManyRequests || a.header.Get("Retry-After") != "30" {
		t.Fatalf("right token while locked out: %d %s Retry-After %q", a.code, a.body, a.header.Get("Retry-After"))
	}
	if a := c.do("POST", "/api/auth/login", loginBody(adminName, adminPass)); a.code != http.StatusTooManyRequests {
		t.Errorf("sign-in after wrong tokens: %d %s, want 429", a.code, a.body)
	}
	logs := r.logs.String()
	if !strings.Contains(logs, "bearer token refused") || !strings.Contains(logs, "reason=\"wrong token\"") || !strings.Contains(logs, "too many failures") {
		t.Errorf("refusals are not logged:\n%s", logs)
	}
	// Once the lock ends, the right token works and clears the address.
	r.clock.Advance(LoginLockout)
	if a := c.do("GET", "/api/outbox", "", bearer(tok)...); a.code != http.StatusOK {
		t.Fatalf("right token after the lockout: %d %s", a.code, a.body)
	}
	if a := c.do("GET", "/api/outbox", "", bearer(flipLast(tok))...); a.code != http.StatusUnauthorized {
		t.Errorf("one wrong token after a success: %d, want 401 (not locked)", a.code)
	}
}

// Wrong passwords lock the CLI token out of that address too.
func TestCLITokenLockedAfterWrongPasswords(t *testing.T) {
	r, tok := cliRig(t)
	for range LoginFreeFailures {
		r.anon().do("POST", "/api/auth/login", loginBody(adminName, "wrong-password"))
	}
	if a := r.anon().do("GET", "/api/outbox", "", bearer(tok)...); a.code != http.StatusTooManyRequests {
		t.Errorf("CLI token after wrong passwords: %d %s, want 429", a.code, a.body)
	}
}

// A Bearer header decides on its own: a valid session does not rescue a
// wrong token.
func TestCLITokenWithSession(t *testing.T) {
	r, tok := cliRig(t)
	admin := r.login(adminName, adminPass)
	if a := admin.do("GET", "/api/outbox", "", bearer(flipLast(tok))...); a.code != http.StatusUnauthorized {
		t.Errorf("session and a wrong token: %d %s", a.code, a.body)
	}
	viewer := r.login(viewerName, viewerPass)
	if a := viewer.do("POST", "/api/record/start", "", bearer(tok)...); a.code != http.StatusOK || !strings.Contains(a.body, "role=admin") {
		t.Errorf("viewer session and the token: %d %s", a.code, a.body)
	}
	// Another scheme is not a bearer token: the session decides.
	if a := admin.do("GET", "/api/outbox", "", "Authorization", "Basic YWRtaW46eA=="); a.code != http.StatusOK {
		t.Errorf("session and Basic: %d %s", a.code, a.body)
	}
}

// The metrics token is not the CLI token and the CLI token is not the
// metrics token.
func TestCLITokenAndMetricsToken(t *testing.T) {
	r, tok := cliRig(t, withMetricsToken)
	if a := r.anon().do("GET", "/api/outbox", "", bearer(metricsTok)...); a.code != http.StatusUnauthorized {
		t.Errorf("metrics token on the API: %d", a.code)
	}
	if a := r.anon().do("GET", "/metrics", "", bearer(tok)...); a.code != http.StatusUnauthorized {
		t.Errorf("CLI token on /metrics: %d", a.code)
	}
	if a := r.anon().do("GET", "/metrics", "", bearer(metricsTok)...); a.code != http.StatusOK {
		t.Errorf("metrics token on /metrics: %d", a.code)
	}
}

// A restarted guard (same file) takes the same token; with auth off no
// file is made and a bearer header changes nothing.
func TestCLITokenAcrossRestartsAndAuthOff(t *testing.T) {
	path := filepath.Join(t.TempDir(), CLITokenFile)
	r1 := newRig(t, withCLIToken(path))
	tok, err := ReadCLIToken(path)
	if err != nil {
		t.Fatal(err)
	}
	r2 := newRigOn(t, r1.db, withCLIToken(path))
	if a := r2.anon().do("GET", "/api/outbox", "", bearer(tok.hex)...); a.code != http.StatusOK {
		t.Errorf("token after a restart: %d %s", a.code, a.body)
	}
	if !strings.Contains(r2.guard.String(), "cli token: true") {
		t.Errorf("guard %s", r2.guard)
	}

	off := filepath.Join(t.TempDir(), CLITokenFile)
	r3 := newRig(t, authOff, withCLIToken(off))
	if _, err := os.Stat(off); !os.IsNotExist(err) {
		t.Errorf("auth off made a token file: %v", err)
	}
	if a := r3.anon().do("POST", "/api/record/start", "", bearer("anything")...); a.code != http.StatusOK || !strings.Contains(a.body, "user= role=admin") {
		t.Errorf("auth off with a bearer header: %d %s", a.code, a.body)
	}
	// Auth on without a token path: bearer headers on the API are refused.
	r4 := newRig(t)
	if a := r4.anon().do("GET", "/api/outbox", "", bearer(tok.hex)...); a.code != http.StatusUnauthorized {
		t.Errorf("no CLI token configured: %d", a.code)
	}
}

// Neither the token nor a wrong guess appears in the log, an answer, or
// the formatted guard and options.
func TestCLITokenNeverShown(t *testing.T) {
	path := filepath.Join(t.TempDir(), CLITokenFile)
	r := newRig(t, withCLIToken(path))
	tok, err := ReadCLIToken(path)
	if err != nil {
		t.Fatal(err)
	}
	wrong := flipLast(tok.hex)
	var bodies []string
	for _, h := range [][]string{bearer(tok.hex), bearer(wrong)} {
		bodies = append(bodies, r.anon().do("POST", "/api/record/start", "", h...).body)
	}
	opts := Options{Config: r.cfg, CLITokenPath: path, Logger: discardLogger()}
	var buf strings.Builder
	slog.New(slog.NewTextHandler(&buf, nil)).Info("guard", "g", r.guard, "opts", opts, "tok", tok)
	out := buf.String() + r.logs.String() + strings.Join(bodies, "\n")
	for _, f := range []string{"%v", "%+v", "%#v"} {
		out += fmt.Sprintf(f, r.guard) + fmt.Sprintf(f, opts) + fmt.Sprintf(f, tok)
	}
	for _, s := range []string{tok.hex, wrong, tok.hex[:20]} {
		if strings.Contains(out, s) {
			t.Errorf("a token shows:\n%s", out)
		}
	}
}
