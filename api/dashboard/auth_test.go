package dashboard

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/lubo-edge/lubo/api"
	"github.com/lubo-edge/lubo/api/auth"
	"github.com/lubo-edge/lubo/api/auth/password"
	"github.com/lubo-edge/lubo/configs"
	"github.com/lubo-edge/lubo/internal/browser"
)

const (
	adminPass  = "admin-Passw0rd-dash"
	viewerPass = "viewer-Passw0rd-dash"
)

// guarded serves e's handler behind the real sign-in guard with an admin
// and a viewer (cheap argon2id hashes), and returns its URL and hashes.
func guarded(t *testing.T, e *env) (string, []string) {
	t.Helper()
	var hashes []string
	for _, pw := range []string{adminPass, viewerPass} {
		h, err := password.HashWith(pw, password.Params{Memory: 64, Time: 1, Threads: 1})
		if err != nil {
			t.Fatal(err)
		}
		hashes = append(hashes, h)
	}
	g, err := auth.New(auth.Options{Config: &configs.Auth{Users: []configs.User{
		{Name: "admin", Role: configs.RoleAdmin, PasswordHash: configs.Secret(hashes[0])},
		{Name: "张老师", Role: configs.RoleViewer, PasswordHash: configs.Secret(hashes[1])},
	}}, DB: e.db, Logger: e.logs.Logger()})
	if err != nil {
		t.Fatal(err)
	}
	e.h.opts.User = auth.UserFrom
	srv := httptest.NewServer(g.Wrap(e.h))
	t.Cleanup(srv.Close)
	return srv.URL, hashes
}

// session is one signed-in (or anonymous) HTTP client.
type session struct {
	t    *testing.T
	base string
	c    *http.Client
	csrf string
}

func signIn(t *testing.T, base, user, pw string) *session {
	t.Helper()
	jar, err := cookiejar.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	s := &session{t: t, base: base, c: &http.Client{Jar: jar}}
	if user == "" {
		return s
	}
	code, body := s.do("POST", "/api/auth/login", fmt.Sprintf(`{"user":%q,"password":%q}`, user, pw), false)
	if code != 200 {
		t.Fatalf("login %s: %d %s", user, code, body)
	}
	var ans struct{ CSRF string }
	if err := json.Unmarshal([]byte(body), &ans); err != nil || ans.CSRF == "" {
		t.Fatalf("login answer %s", body)
	}
	s.csrf = ans.CSRF
	return s
}

func (s *session) do(method, path, body string, csrf bool) (int, string) {
	s.t.Helper()
	req, err := http.NewRequest(method, s.base+path, strings.NewReader(body))
	if err != nil {
		s.t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	if csrf && s.csrf != "" {
		req.Header.Set("X-CSRF-Token", s.csrf)
	}
	resp, err := s.c.Do(req)
	if err != nil {
		s.t.Fatal(err)
	}
	defer resp.Body.Close()
	var b strings.Builder
	buf := make([]byte, 4096)
	for {
		n, err := resp.Body.Read(buf)
		b.Write(buf[:n])
		if err != nil {
			break
		}
	}
	return resp.StatusCode, b.String()
}

// With sign-in on, every change the dashboard offers is refused to a
// viewer and to an anonymous client by the server, admin reads too, and
// an admin's change without the CSRF token; the admin's own goes through
// and the early stop names who stopped.
func TestDashboardRoutesBehindTheGuard(t *testing.T) {
	e := newEnv(t)
	base, hashes := guarded(t, e)
	anon := signIn(t, base, "", "")
	viewer := signIn(t, base, "张老师", viewerPass)
	admin := signIn(t, base, "admin", adminPass)
	writes := []struct{ method, path, body string }{
		{"POST", "/api/dash/channels", `{"id":"cam1","source":"rtsp://10.0.0.9/x"}`},
		{"PUT", "/api/dash/channels/cam1", `{"id":"cam1","source":"rtsp://10.0.0.9/y"}`},
		{"DELETE", "/api/dash/channels/cam1", ``},
		{"POST", "/api/dash/courses", `{"channel":"c101","weekday":2,"start":"08:00","duration":"45m"}`},
		{"PUT", "/api/dash/courses/d00000001", `{"channel":"c101","weekday":2,"start":"09:00","duration":"45m"}`},
		{"DELETE", "/api/dash/courses/d00000001", ``},
		{"POST", "/api/dash/probe", `{"id":"c101"}`},
		{"POST", "/api/dash/record/start", `{"channel":"c101"}`},
		{"POST", "/api/dash/record/stop", `{"channel":"c101","reason":"x"}`},
	}
	for _, w := range writes {
		if code, body := anon.do(w.method, w.path, w.body, true); code != http.StatusUnauthorized {
			t.Errorf("anonymous %s %s: %d %s", w.method, w.path, code, body)
		}
		if code, body := viewer.do(w.method, w.path, w.body, true); code != http.StatusForbidden {
			t.Errorf("viewer %s %s: %d %s", w.method, w.path, code, body)
		}
		if code, body := admin.do(w.method, w.path, w.body, false); code != http.StatusForbidden || !strings.Contains(body, "csrf") {
			t.Errorf("admin without the CSRF token %s %s: %d %s", w.method, w.path, code, body)
		}
	}
	if chans, _ := e.db.DashChannels(); len(chans) != 0 {
		t.Fatalf("a refused request changed the store: %v", chans)
	}
	if code, _ := viewer.do("GET", "/api/dash/admin/channels/c101", "", false); code != http.StatusForbidden {
		t.Errorf("viewer read the channel editor: %d", code)
	}
	for _, p := range []string{"/api/dash/timetable", "/api/dash/status"} {
		if code, _ := viewer.do("GET", p, "", false); code != http.StatusOK {
			t.Errorf("viewer %s: %d", p, code)
		}
		if code, _ := anon.do("GET", p, "", false); code != http.StatusUnauthorized {
			t.Errorf("anonymous %s: %d", p, code)
		}
	}
	if code, page := anon.do("GET", "/", "", false); code != 200 || !strings.Contains(page, "app.js") {
		t.Errorf("the page shell is public: %d", code)
	}
	if code, body := admin.do("POST", "/api/dash/channels", writes[0].body, true); code != http.StatusCreated {
		t.Fatalf("admin add: %d %s", code, body)
	}
	if code, body := admin.do("GET", "/api/dash/admin/channels/cam1", "", false); code != 200 {
		t.Errorf("admin read: %d %s", code, body)
	}
	if !strings.Contains(e.logs.String(), "by=admin") {
		t.Errorf("the change does not name its admin: %s", e.logs.String())
	}
	for _, h := range append(hashes, adminPass, viewerPass) {
		if strings.Contains(e.logs.String(), h) {
			t.Errorf("a password or hash is in the log")
		}
	}
}

// Sign-in in Chromium: the form comes up, a wrong password is refused in
// words, a viewer sees no admin controls and the server refuses a viewer's
// change even when the page is bypassed, sign-out brings the form back.
func TestSignInInChromium(t *testing.T) {
	for _, f := range []string{"web/vendor/mpegts.js", "web/vendor/hls.min.js"} {
		if _, err := os.Stat(f); err != nil {
			t.Fatalf("the dashboard's players are not built (%v): run `make web` first", err)
		}
	}
	e := newEnv(t)
	e.h.opts.Box = func() api.Box { return fakeBox{} }
	base, _ := guarded(t, e)
	p := browser.Open(t, base+"/#channels")
	wait := func(expr, what string) {
		t.Helper()
		p.WaitTrue(t, "(() => { try { return ("+expr+") === true } catch (e) { return false } })()", 60*time.Second, what)
	}
	js := func(expr string) string {
		t.Helper()
		v, err := p.Eval(expr)
		if err != nil {
			t.Fatalf("%s: %v", expr, err)
		}
		return string(v)
	}
	login := func(user, pw string) {
		js(fmt.Sprintf(`document.getElementById("login-user").value = %q, document.getElementById("login-password").value = %q,
			document.getElementById("login-submit").click(), true`, user, pw))
	}
	wait(`!document.getElementById("login").hidden`, "the sign-in form")
	login("admin", "wrong-password")
	wait(`!document.getElementById("login-error").hidden && document.getElementById("login-error").textContent.length > 0`, "the wrong password refused")
	login("张老师", viewerPass)
	wait(`document.getElementById("login").hidden && window.lubo.ready && document.getElementById("who").textContent.includes("张老师")`, "signed in as the viewer")
	wait(`!!document.getElementById("ch-table")`, "the channel list")
	if js(`!!document.getElementById("ch-add") || !!document.querySelector("#ch-table button")`) != "false" {
		t.Error("a viewer is offered admin actions")
	}
	// The page bypassed, with the viewer's own CSRF token: the server refuses.
	js(`fetch("/api/auth/me").then((r) => r.json()).then((me) => fetch("/api/dash/channels", {method: "POST",
		headers: {"Content-Type": "application/json", "X-CSRF-Token": me.csrf}, body: JSON.stringify({id: "cam9", source: "rtsp://10.0.0.9/x"})}))
		.then((r) => { window.__st = r.status }), true`)
	wait(`window.__st === 403`, "the server refuses the viewer's change")
	js(`document.getElementById("logout").click(), true`)
	wait(`!document.getElementById("login").hidden`, "the sign-in form after sign-out")
	login("admin", adminPass)
	wait(`document.getElementById("login").hidden && !!document.getElementById("ch-add")`, "an admin gets the admin actions")
	if chans, _ := e.db.DashChannels(); len(chans) != 0 {
		t.Fatalf("the viewer's change was stored: %v", chans)
	}
}
