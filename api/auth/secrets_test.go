package auth

import (
	"fmt"
	"log/slog"
	"strings"
	"testing"
	"time"
)

// TestNoSecretInLogsOrResponses drives every flow and then looks for each
// secret it met in the log and in every answer body.
func TestNoSecretInLogsOrResponses(t *testing.T) {
	r := newRig(t, withMetricsToken)
	var bodies []string
	record := func(a answer) answer { bodies = append(bodies, a.body); return a }

	secrets := []string{adminPass, viewerPass, metricsTok, r.hashes[0], r.hashes[1]}
	for _, h := range r.hashes { // the salt and key parts on their own
		parts := strings.Split(h, "$")
		secrets = append(secrets, parts[4], parts[5])
	}
	// Answers may carry the session's own CSRF token and a minted ticket;
	// never a password or hash.
	noAnswer := append([]string{}, secrets...)

	record(r.anon().do("POST", "/api/auth/login", loginBody(adminName, viewerPass)))
	record(r.anon().do("POST", "/api/auth/login", loginBody(adminPass, adminPass))) // password typed as the name
	admin := r.login(adminName, adminPass)
	viewer := r.login(viewerName, viewerPass)
	secrets = append(secrets, admin.cookie, admin.csrf, viewer.cookie, viewer.csrf)
	record(admin.do("GET", "/api/auth/me", ""))
	tk := record(admin.write("POST", "/api/auth/ticket", `{"path":"/hls/c1/"}`)).json(t)["ticket"].(string)
	secrets = append(secrets, tk)
	record((&client{r: r}).do("GET", "/hls/c1/index.m3u8?ticket="+tk, ""))
	record((&client{r: r}).do("GET", "/hls/c1/index.m3u8?ticket="+flipMiddle(tk), ""))
	record(r.anon().do("GET", "/metrics", "", "Authorization", "Bearer "+metricsTok))
	record(r.anon().do("GET", "/metrics", "", "Authorization", "Bearer wrong"+metricsTok))
	r.clock.Advance(RotateEvery)
	record(admin.do("GET", "/api/records", ""))
	secrets = append(secrets, admin.cookie)
	record(viewer.do("POST", "/api/record/start", "{}"))
	record(viewer.write("POST", "/api/record/start", "{}"))
	for range LoginFreeFailures + 1 {
		record(r.anon().do("POST", "/api/auth/login", loginBody(viewerName, adminPass)))
	}
	record(admin.write("POST", "/api/auth/logout", ""))

	logs := r.logs.String()
	for _, s := range secrets {
		if strings.Contains(logs, s) {
			t.Errorf("the log contains a secret %.12q…:\n%s", s, logs)
		}
	}
	for _, b := range bodies {
		for _, s := range noAnswer {
			if strings.Contains(b, s) {
				t.Errorf("an answer contains a password or hash %.12q…: %q", s, b)
			}
		}
	}
	for _, want := range []string{"signed in", "user=admin", "ip=127.0.0.1", "sign-in refused", "signed out"} {
		if !strings.Contains(logs, want) {
			t.Errorf("the log lacks %q:\n%s", want, logs)
		}
	}

	// Nor in the formatted guard, options or config.
	opts := Options{Config: r.cfg, Logger: discardLogger(), Now: time.Now}
	var buf strings.Builder
	slog.New(slog.NewTextHandler(&buf, nil)).Info("options", "opts", opts, "cfg", opts.Config)
	out := buf.String()
	for _, f := range []string{"%v", "%+v", "%#v"} {
		out += fmt.Sprintf(f, r.guard) + fmt.Sprintf(f, opts) + fmt.Sprintf(f, *opts.Config)
	}
	for _, s := range secrets {
		if strings.Contains(out, s) {
			t.Errorf("formatting shows a secret %.12q…", s)
		}
	}
}

func TestGuardFormatting(t *testing.T) {
	r := newRig(t, withMetricsToken)
	key := fmt.Sprint(r.guard.tickets.key)
	for _, f := range []string{"%v", "%+v", "%#v", "%s"} {
		out := fmt.Sprintf(f, r.guard)
		if out != "auth.Guard{users: 2, metrics token: true, cli token: false, sessions: 0}" || strings.Contains(out, key) {
			t.Errorf("%s of a Guard: %s", f, out)
		}
	}
}
