package auth

import (
	"net/http"
	"strings"
	"testing"
)

func TestCSRFToken(t *testing.T) {
	r := newRig(t)
	admin := r.login(adminName, adminPass)
	cases := []struct {
		name string
		hdr  []string
		want int
	}{
		{"no token", nil, 403},
		{"empty token", []string{"X-CSRF-Token", ""}, 403},
		{"wrong token", []string{"X-CSRF-Token", strings.Repeat("A", 43)}, 403},
		{"token one character off", []string{"X-CSRF-Token", flipLast(admin.csrf)}, 403},
		{"token cut short", []string{"X-CSRF-Token", admin.csrf[:42]}, 403},
		{"right token, other origin", []string{"X-CSRF-Token", admin.csrf, "Origin", "http://evil.example"}, 403},
		{"right token, other port", []string{"X-CSRF-Token", admin.csrf, "Origin", strings.Replace(r.srv.URL, "127.0.0.1:", "127.0.0.1:1", 1)}, 403},
		{"right token, null origin", []string{"X-CSRF-Token", admin.csrf, "Origin", "null"}, 403},
		{"right token, no origin", []string{"X-CSRF-Token", admin.csrf}, 200},
		{"right token, same origin", []string{"X-CSRF-Token", admin.csrf, "Origin", r.srv.URL}, 200},
	}
	for _, c := range cases {
		a := admin.do("POST", "/api/record/start", `{}`, c.hdr...)
		if a.code != c.want {
			t.Errorf("%s: %d %q, want %d", c.name, a.code, a.body, c.want)
		}
		if c.want == 403 && a.json(t)["error"] != "csrf" {
			t.Errorf("%s: body %q, want {\"error\":\"csrf\"}", c.name, a.body)
		}
	}
	// Another session's token is no good either.
	other := r.login(adminName, adminPass)
	if a := admin.do("POST", "/api/record/start", `{}`, "X-CSRF-Token", other.csrf); a.code != 403 {
		t.Errorf("another session's token: %d", a.code)
	}
	// A viewer without the token meets CSRF first, with it the role.
	viewer := r.login(viewerName, viewerPass)
	if a := viewer.do("POST", "/api/record/start", `{}`); a.code != 403 || a.json(t)["error"] != "csrf" {
		t.Errorf("viewer without token: %d %s", a.code, a.body)
	}
}

func TestLoginOriginChecked(t *testing.T) {
	r := newRig(t)
	a := r.anon().do("POST", "/api/auth/login", loginBody(adminName, adminPass), "Origin", "http://evil.example")
	if a.code != http.StatusForbidden || a.json(t)["error"] != "csrf" {
		t.Fatalf("login from another origin: %d %q", a.code, a.body)
	}
	if len(a.header.Values("Set-Cookie")) != 0 {
		t.Fatal("login from another origin set a cookie")
	}
	a = r.anon().do("POST", "/api/auth/login", loginBody(adminName, adminPass), "Origin", r.srv.URL)
	if a.code != 200 {
		t.Fatalf("login from the same origin: %d %q", a.code, a.body)
	}
}

func TestLogoutNeedsCSRFToken(t *testing.T) {
	r := newRig(t)
	admin := r.login(adminName, adminPass)
	cookie := admin.cookie
	if a := admin.do("POST", "/api/auth/logout", ""); a.code != 403 {
		t.Fatalf("logout without token: %d", a.code)
	}
	admin.cookie = cookie
	if a := admin.do("GET", "/api/auth/me", ""); a.code != 200 {
		t.Fatalf("a refused logout ended the session: %d", a.code)
	}
}

func TestSameOrigin(t *testing.T) {
	cases := []struct {
		origin, host string
		tls          bool
		want         bool
	}{
		{"", "box:8080", false, true},
		{"http://box:8080", "box:8080", false, true},
		{"http://BOX:8080", "box:8080", false, true},
		{"http://box", "box:80", false, true},
		{"http://box:80", "box", false, true},
		{"https://box", "box:443", true, true},
		{"http://box:8081", "box:8080", false, false},
		{"http://evil", "box", false, false},
		{"null", "box", false, false},
		{"file://", "box", false, false},
		{"ftp://box", "box", false, false},
		{"http://box:8080/path", "box:8080", false, true},
		{"%zz", "box", false, false},
	}
	for _, c := range cases {
		req, _ := http.NewRequest("POST", "http://"+c.host+"/", nil)
		req.Host = c.host
		if c.origin != "" {
			req.Header.Set("Origin", c.origin)
		}
		if c.tls {
			req.TLS = &tlsState
		}
		if got := sameOrigin(req); got != c.want {
			t.Errorf("Origin %q to Host %q: %v, want %v", c.origin, c.host, got, c.want)
		}
	}
}
