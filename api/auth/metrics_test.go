package auth

import (
	"testing"

	"github.com/lubo-edge/lubo/configs"
)

func TestMetricsWithToken(t *testing.T) {
	r := newRig(t, withMetricsToken)
	cases := []struct {
		name string
		hdr  []string
		want int
	}{
		{"no header", nil, 401},
		{"right token", []string{"Authorization", "Bearer " + metricsTok}, 200},
		{"wrong token", []string{"Authorization", "Bearer " + metricsTok[:len(metricsTok)-1] + "X"}, 401},
		{"token prefix", []string{"Authorization", "Bearer " + metricsTok[:10]}, 401},
		{"basic scheme", []string{"Authorization", "Basic " + metricsTok}, 401},
		{"bare token", []string{"Authorization", metricsTok}, 401},
		{"empty bearer", []string{"Authorization", "Bearer "}, 401},
	}
	for _, c := range cases {
		a := r.anon().do("GET", "/metrics", "", c.hdr...)
		if a.code != c.want {
			t.Errorf("%s: %d, want %d", c.name, a.code, c.want)
		}
		if a.code == 401 && a.header.Get("WWW-Authenticate") == "" {
			t.Errorf("%s: 401 without WWW-Authenticate", c.name)
		}
	}
	// The token opens /metrics only.
	if a := r.anon().do("GET", "/api/records", "", "Authorization", "Bearer "+metricsTok); a.code != 401 {
		t.Errorf("metrics token on /api/records: %d", a.code)
	}
	if a := r.login(viewerName, viewerPass).do("GET", "/metrics", ""); a.code != 200 {
		t.Errorf("viewer session on /metrics: %d", a.code)
	}
}

func TestMetricsWithoutToken(t *testing.T) {
	r := newRig(t)
	if a := r.anon().do("GET", "/metrics", ""); a.code != 401 {
		t.Errorf("anonymous /metrics: %d", a.code)
	}
	if a := r.anon().do("GET", "/metrics", "", "Authorization", "Bearer "); a.code != 401 {
		t.Errorf("empty bearer with no token configured: %d", a.code)
	}
	if a := r.login(viewerName, viewerPass).do("GET", "/metrics", ""); a.code != 200 {
		t.Errorf("viewer session on /metrics: %d", a.code)
	}
}

func TestAuthOff(t *testing.T) {
	r := newRig(t, authOff)
	c := r.anon()
	m := c.do("GET", "/api/auth/me", "").json(t)
	if m["auth"] != false || m["role"] != RoleAdmin {
		t.Fatalf("me with auth off: %v", m)
	}
	for _, rt := range stateChanging {
		a := c.do(rt.method, rt.path, rt.body)
		if a.code != 200 {
			t.Errorf("auth off: %s %s: %d %q", rt.method, rt.path, a.code, a.body)
		}
	}
	if a := c.do("GET", "/api/outbox", ""); a.code != 200 || a.body != "ok GET /api/outbox user= role=admin known=true" {
		t.Errorf("auth off: UserFrom: %q", a.body)
	}
	if a := c.do("GET", "/metrics", ""); a.code != 200 {
		t.Errorf("auth off: /metrics: %d", a.code)
	}
	// The Origin rule still holds.
	if a := c.do("POST", "/api/record/start", "{}", "Origin", "http://evil.example"); a.code != 403 {
		t.Errorf("auth off: cross-origin POST: %d", a.code)
	}
	if a := c.do("POST", "/api/record/start", "{}", "Origin", r.srv.URL); a.code != 200 {
		t.Errorf("auth off: same-origin POST: %d", a.code)
	}
	if a := c.do("GET", "/live/c1.flv", "", "Origin", "http://player.example"); a.code != 200 {
		t.Errorf("auth off: cross-origin GET of media: %d", a.code)
	}
	if a := c.do("POST", "/api/auth/login", loginBody("a", "b")); a.code != 404 {
		t.Errorf("auth off: login: %d", a.code)
	}
	if r.guard.Enabled() {
		t.Error("Enabled with no auth section")
	}
}

func TestNewRefusesUnreadableConfig(t *testing.T) {
	secret := "$argon2id$v=19$m=64,t=1,p=1$c2VjcmV0c2FsdA$TOPSECRETKEYTOPSECRET!!"
	for _, cfg := range []*configs.Auth{
		{},
		{Users: []configs.User{{Name: "a", Role: "admin", PasswordHash: configs.Secret(secret)}}},
		{Users: []configs.User{{Name: "a", Role: "root", PasswordHash: configs.Secret(cheapHash(t, "x"))}}},
		{Users: []configs.User{
			{Name: "a", Role: "admin", PasswordHash: configs.Secret(cheapHash(t, "x"))},
			{Name: "a", Role: "viewer", PasswordHash: configs.Secret(cheapHash(t, "y"))},
		}},
	} {
		_, err := New(Options{Config: cfg, Logger: discardLogger()})
		if err == nil {
			t.Errorf("New accepted %+v", cfg)
			continue
		}
		if contains(err.Error(), "TOPSECRET") {
			t.Errorf("error shows the hash: %v", err)
		}
	}
}
