package auth

import (
	"strings"
	"testing"
	"time"
)

func TestMeAndUserFrom(t *testing.T) {
	r := newRig(t)
	a := r.anon().do("GET", "/api/auth/me", "")
	if a.code != 401 || strings.TrimSpace(a.body) != `{"auth":true}` {
		t.Fatalf("me signed out: %d %s", a.code, a.body)
	}
	v := r.login(viewerName, viewerPass)
	m := v.do("GET", "/api/auth/me", "").json(t)
	if m["auth"] != true || m["user"] != viewerName || m["role"] != RoleViewer || m["csrf"] != v.csrf {
		t.Fatalf("me signed in: %v", m)
	}
	if a := v.do("GET", "/api/records", ""); !strings.Contains(a.body, "user="+viewerName+" role=viewer known=true") {
		t.Errorf("UserFrom in the handler: %q", a.body)
	}
	if a := r.anon().do("GET", "/", ""); !strings.Contains(a.body, "known=false") {
		t.Errorf("UserFrom on a public path, anonymous: %q", a.body)
	}
	if a := v.do("GET", "/", ""); !strings.Contains(a.body, "user="+viewerName) {
		t.Errorf("UserFrom on a public path, signed in: %q", a.body)
	}
}

func TestSessionIdleExpiry(t *testing.T) {
	r := newRig(t)
	c := r.login(adminName, adminPass)
	r.clock.Advance(IdleTimeout - time.Second)
	if a := c.do("GET", "/api/auth/me", ""); a.code != 200 {
		t.Fatalf("1 s before idle expiry: %d", a.code)
	}
	r.clock.Advance(IdleTimeout - time.Second)
	if a := c.do("GET", "/api/auth/me", ""); a.code != 200 {
		t.Fatalf("use resets the idle timer: %d", a.code)
	}
	r.clock.Advance(IdleTimeout)
	if a := c.do("GET", "/api/records", ""); a.code != 401 {
		t.Fatalf("after %v idle: %d", IdleTimeout, a.code)
	}
	if r.guard.sessions.len() != 0 {
		t.Fatal("an expired session is still held")
	}
}

func TestSessionLifetime(t *testing.T) {
	r := newRig(t)
	c := r.login(adminName, adminPass)
	step := IdleTimeout / 2
	var used time.Duration
	for used+step < MaxLifetime {
		r.clock.Advance(step)
		used += step
		if a := c.do("GET", "/api/auth/me", ""); a.code != 200 {
			t.Fatalf("after %v in use: %d", used, a.code)
		}
	}
	r.clock.Advance(step)
	if a := c.do("GET", "/api/auth/me", ""); a.code != 401 {
		t.Fatalf("past the %v lifetime: %d", MaxLifetime, a.code)
	}
}

func TestSessionRotation(t *testing.T) {
	r := newRig(t)
	c := r.login(adminName, adminPass)
	first, csrf := c.cookie, c.csrf
	r.clock.Advance(RotateEvery - time.Second)
	if c.do("GET", "/api/auth/me", ""); c.cookie != first {
		t.Fatal("rotated before RotateEvery")
	}
	r.clock.Advance(time.Second)
	a := c.do("GET", "/api/records", "")
	if a.code != 200 || c.cookie == first || c.cookie == "" {
		t.Fatalf("not rotated after RotateEvery: %d, cookie changed %v", a.code, c.cookie != first)
	}
	second := c.cookie
	// The old id works for the grace, without rotating again.
	old := &client{r: r, cookie: first, csrf: csrf}
	r.clock.Advance(RotateGrace - time.Second)
	if a := old.write("POST", "/api/record/start", "{}"); a.code != 200 || old.cookie != first {
		t.Fatalf("old id within the grace: %d, new cookie %v", a.code, old.cookie != first)
	}
	r.clock.Advance(time.Second)
	if a := old.do("GET", "/api/auth/me", ""); a.code != 401 {
		t.Fatalf("old id after the grace: %d", a.code)
	}
	// The new id and the unchanged CSRF token keep working.
	if a := c.write("POST", "/api/record/stop", "{}"); a.code != 200 || c.cookie != second {
		t.Fatalf("new id: %d", a.code)
	}
	if r.guard.sessions.len() != 1 {
		t.Fatalf("%d sessions after rotation, want 1", r.guard.sessions.len())
	}
}

func TestLogoutEndsSessionServerSide(t *testing.T) {
	r := newRig(t)
	c := r.login(adminName, adminPass)
	stolen := c.cookie
	a := c.write("POST", "/api/auth/logout", "")
	if a.code != 200 || c.cookie != "" {
		t.Fatalf("logout: %d, cookie cleared %v", a.code, c.cookie == "")
	}
	replay := &client{r: r, cookie: stolen, csrf: c.csrf}
	if a := replay.do("GET", "/api/auth/me", ""); a.code != 401 {
		t.Fatalf("the old cookie still works after logout: %d", a.code)
	}
	if a := replay.write("POST", "/api/record/start", "{}"); a.code != 401 {
		t.Fatalf("the old cookie still writes after logout: %d", a.code)
	}
	if a := r.anon().do("POST", "/api/auth/logout", ""); a.code != 200 {
		t.Fatalf("logout without a session: %d", a.code)
	}
}

func TestNewSessionOnEveryLogin(t *testing.T) {
	r := newRig(t)
	c := r.login(viewerName, viewerPass)
	before, beforeCSRF := c.cookie, c.csrf
	a := c.do("POST", "/api/auth/login", loginBody(adminName, adminPass))
	if a.code != 200 || c.cookie == before || a.json(t)["csrf"] == beforeCSRF {
		t.Fatalf("login over a session: %d, new id %v", a.code, c.cookie != before)
	}
	old := &client{r: r, cookie: before}
	if a := old.do("GET", "/api/auth/me", ""); a.code != 401 {
		t.Fatalf("the session from before the login still works: %d", a.code)
	}
	// A planted (made-up) cookie is never adopted.
	planted := &client{r: r, cookie: strings.Repeat("Q", 43)}
	planted.do("POST", "/api/auth/login", loginBody(adminName, adminPass))
	if planted.cookie == strings.Repeat("Q", 43) {
		t.Fatal("login kept a planted session id")
	}
}

func TestSessionsBounded(t *testing.T) {
	st := newSessionStore()
	now := time.Unix(1e9, 0)
	var firstKey sessionKey
	for i := range MaxSessions + 50 {
		_, v, err := st.create("u", RoleViewer, now.Add(time.Duration(i)*time.Second))
		if err != nil {
			t.Fatal(err)
		}
		if i == 0 {
			firstKey = v.key
		}
	}
	if n := st.len(); n != MaxSessions {
		t.Fatalf("%d sessions held, cap %d", n, MaxSessions)
	}
	if _, _, ok := st.lookup(firstKey, now.Add(time.Hour)); ok {
		t.Fatal("the least recently used session survived the cap")
	}
}

// cookieCases seed FuzzSessionCookie and TestParseSessionCookie.
var cookieCases = []struct {
	in string
	ok bool
}{
	{strings.Repeat("A", 43), true},
	{"abcdefghijklmnopqrstuvwxyz0123456789-_ABCDF", false}, // 43 chars, last has stray bits
	{"abcdefghijklmnopqrstuvwxyz0123456789-_ABCDA", true},
	{strings.Repeat("A", 42), false},
	{strings.Repeat("A", 44), false},
	{strings.Repeat("A", 42) + "=", false},
	{strings.Repeat("A", 42) + "+", false},
	{strings.Repeat("A", 42) + "/", false},
	{"", false},
	{strings.Repeat("é", 22)[:43], false},
}

func TestParseSessionCookie(t *testing.T) {
	for _, c := range cookieCases {
		if _, ok := parseSessionCookie(c.in); ok != c.ok {
			t.Errorf("parseSessionCookie(%q) ok=%v, want %v", c.in, ok, c.ok)
		}
	}
}
