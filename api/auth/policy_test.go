package auth

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// stateChanging lists every state-changing route of the policy (and some
// made-up ones: the rule is "every non-GET request"), with a body an admin
// request is accepted with.
var stateChanging = []struct{ method, path, body string }{
	{"POST", "/api/record/start", `{"channel":"c1"}`},
	{"POST", "/api/record/stop", `{"channel":"c1"}`},
	{"POST", "/api/outbox/retry", ``},
	{"POST", "/api/outbox/drop", ``},
	{"POST", "/api/push/start", ``},
	{"POST", "/api/dash/channels", `{}`},
	{"PUT", "/api/dash/channels/c1", `{}`},
	{"DELETE", "/api/dash/channels/c1", ``},
	{"POST", "/api/dash/courses", `{}`},
	{"PATCH", "/api/dash/courses/3", `{}`},
	{"DELETE", "/api/dash/courses/3", ``},
	{"POST", "/api/dash/admin/anything", ``},
	{"POST", "/api/auth/ticket", `{"path":"/live/c1.flv"}`},
	{"POST", "/api/records", ``},
	{"DELETE", "/records/c1/2026-09-01/080000_0.mp4", ``},
	{"PUT", "/snapshots/c1.jpg", ``},
	{"POST", "/live/c1.flv", ``},
	{"POST", "/hls/c1/index.m3u8", ``},
	{"POST", "/", ``},
	{"POST", "/healthz", ``},
	{"POST", "/metrics", ``},
	{"POST", "/assets/app.js", ``},
	{"DELETE", "/api/auth/me", ``},
	{"POST", "/live/../api/record/start", ``},
}

func TestStateChangingRoutesRefuseAnonymousAndViewer(t *testing.T) {
	r := newRig(t)
	viewer := r.login(viewerName, viewerPass)
	admin := r.login(adminName, adminPass)
	for _, rt := range stateChanging {
		a := r.anon().do(rt.method, rt.path, rt.body)
		if a.code != http.StatusUnauthorized || a.json(t)["error"] == nil {
			t.Errorf("anonymous %s %s: %d %q, want 401 JSON error", rt.method, rt.path, a.code, a.body)
		}
		a = viewer.write(rt.method, rt.path, rt.body)
		if a.code != http.StatusForbidden || a.json(t)["error"] != "admin only" {
			t.Errorf("viewer %s %s: %d %q, want 403 admin only", rt.method, rt.path, a.code, a.body)
		}
		a = admin.write(rt.method, rt.path, rt.body)
		if a.code != http.StatusOK {
			t.Errorf("admin %s %s: %d %q, want 200", rt.method, rt.path, a.code, a.body)
		}
	}
}

func TestReadsByRole(t *testing.T) {
	r := newRig(t)
	viewer := r.login(viewerName, viewerPass)
	admin := r.login(adminName, adminPass)
	cases := []struct {
		path             string
		anon, view, adm  int
		anonJSON, public bool
	}{
		{"/healthz", 200, 200, 200, false, true},
		{"/", 200, 200, 200, false, true},
		{"/assets/app.js", 200, 200, 200, false, true},
		{"/api/v1/version", 200, 200, 200, false, true},
		{"/play/live?ticket=x", 200, 200, 200, false, true},
		{"/live/c1.flv", 401, 200, 200, false, false},
		{"/hls/c1/index.m3u8", 401, 200, 200, false, false},
		{"/hls/c1/seg1.ts", 401, 200, 200, false, false},
		{"/records/c1/2026-09-01/080000_0.mp4", 401, 200, 200, false, false},
		{"/snapshots/c1.jpg", 401, 200, 200, false, false},
		{"/api/records", 401, 200, 200, true, false},
		{"/api/dash/status", 401, 200, 200, true, false},
		{"/api/outbox", 401, 403, 200, true, false},
		{"/api/outbox/3", 401, 403, 200, true, false},
		{"/api/cloud/ezviz", 401, 403, 200, true, false},
		{"/api/dash/admin/channels", 401, 403, 200, true, false},
		{"/api/dash/admin", 401, 403, 200, true, false},
		{"/dashboard/channels.json", 401, 403, 200, true, false},
		{"/live/../api/outbox", 401, 403, 307, true, false}, // the mux redirects the admin
		{"/live/x%2F..%2F..%2Fapi%2Foutbox", 401, 403, 200, true, false},
		{"/metrics", 401, 200, 200, true, false},
	}
	for _, c := range cases {
		for _, who := range []struct {
			name string
			c    *client
			want int
		}{{"anonymous", r.anon(), c.anon}, {"viewer", viewer, c.view}, {"admin", admin, c.adm}} {
			req, _ := http.NewRequest("GET", r.srv.URL+c.path, nil)
			if who.c.cookie != "" {
				req.AddCookie(&http.Cookie{Name: cookieName, Value: who.c.cookie})
			}
			noRedirect := *r.srv.Client()
			noRedirect.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
			resp, err := noRedirect.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != who.want {
				t.Errorf("GET %s as %s: %d, want %d", c.path, who.name, resp.StatusCode, who.want)
			}
			if resp.StatusCode == 401 && c.anonJSON && !strings.HasPrefix(resp.Header.Get("Content-Type"), "application/json") {
				t.Errorf("GET %s anonymous: 401 is %s, want JSON", c.path, resp.Header.Get("Content-Type"))
			}
		}
	}
}

func TestHeadGoesWithGet(t *testing.T) {
	r := newRig(t)
	viewer := r.login(viewerName, viewerPass)
	if a := r.anon().do("HEAD", "/live/c1.flv", ""); a.code != 401 {
		t.Errorf("anonymous HEAD /live: %d", a.code)
	}
	if a := viewer.do("HEAD", "/records/c1/a.mp4", ""); a.code != 200 {
		t.Errorf("viewer HEAD /records: %d", a.code)
	}
	if a := r.anon().do("OPTIONS", "/live/c1.flv", ""); a.code != 200 {
		t.Errorf("preflight OPTIONS /live: %d", a.code)
	}
}

func TestBoxAPIIsUntouched(t *testing.T) {
	// The 云录播 API has its own scheme: no cookie, CSRF or Origin rule.
	r := newRig(t)
	a := r.anon().do("POST", "/api/v1/access_token", "unionid=x", "Origin", "http://school-platform.example")
	if a.code != 200 || !strings.Contains(a.body, "known=false") {
		t.Errorf("POST /api/v1 from another origin: %d %q", a.code, a.body)
	}
}

func TestClassify(t *testing.T) {
	cases := []struct {
		method, target string
		want           access
		media          bool
	}{
		{"GET", "/api/v1", accessOwn, false},
		{"DELETE", "/api/v1/del_camera", accessOwn, false},
		{"GET", "/api/v1x", accessViewer, false},
		{"GET", "/play/x", accessOwn, false},
		{"GET", "/playx", accessAdmin, false},
		{"GET", "/hls/c1/../../api/outbox", accessAdmin, false},
		{"GET", "/hls//c1/index.m3u8", accessViewer, true},
		{"GET", "/api/outboxes", accessViewer, false},
		{"GET", "/api/outbox/", accessAdmin, false},
		{"GET", "/api/cloud", accessAdmin, false},
		{"GET", "/api/cloudy", accessViewer, false},
		{"POST", "/api/auth/login", accessPublic, false},
		{"GET", "/api/auth/login", accessViewer, false},
		{"GET", "/api/auth/me", accessPublic, false},
		{"POST", "/api/auth/ticket", accessAdmin, false},
		{"GET", "/live/c1.flv", accessViewer, true},
		{"GET", "/live%2fc1.flv", accessAdmin, false},
		{"GET", "/metrics", accessMetrics, false},
		{"GET", "/metricsx", accessAdmin, false},
		{"GET", "/favicon.ico", accessPublic, false},
		{"GET", "/index.html", accessAdmin, false},
	}
	for _, c := range cases {
		req := httptest.NewRequest(c.method, c.target, nil)
		got := classify(req)
		if got.access != c.want || got.media != c.media {
			t.Errorf("%s %s: access %d media %v, want %d %v", c.method, c.target, got.access, got.media, c.want, c.media)
		}
	}
}
