package auth

import (
	"crypto/tls"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/lubo-edge/lubo/api/auth/password"
	"github.com/lubo-edge/lubo/configs"
	"github.com/lubo-edge/lubo/internal/testkit"
	"github.com/lubo-edge/lubo/storage"
)

// Test accounts. The hashes are cheap argon2id (same format and checks).
const (
	adminName  = "admin"
	adminPass  = "admin-Passw0rd-XYZZY"
	viewerName = "张老师"
	viewerPass = "viewer-Passw0rd-PLUGH"
	metricsTok = "metrics-TOKEN-0123456789abcdef"
)

var cheap = password.Params{Memory: 64, Time: 1, Threads: 1}

// testPlaylist is what the fake HLS route serves.
const testPlaylist = "#EXTM3U\n#EXT-X-VERSION:7\n#EXT-X-TARGETDURATION:2\n#EXT-X-MAP:URI=\"init.mp4\"\n#EXTINF:2.0,\nseg1.ts\n#EXTINF:2.0,\nseg2.ts?x=1\n"

// rig is a guard in front of a mux that answers 200 on every route, served
// over real HTTP, on a fake clock, with its log captured.
type rig struct {
	t      *testing.T
	guard  *Guard
	srv    *httptest.Server
	clock  *testkit.ManualClock
	logs   *testkit.LogBuffer
	db     *storage.DB
	hashes []string // the configured hashes (must never leak)
	cfg    *configs.Auth
}

type rigOption func(*configs.Auth, *Options)

func withMetricsToken(o *configs.Auth, _ *Options) { o.MetricsToken = metricsTok }
func authOff(o *configs.Auth, opts *Options)       { opts.Config = nil }

func cheapHash(t testing.TB, pw string) string {
	t.Helper()
	h, err := password.HashWith(pw, cheap)
	if err != nil {
		t.Fatal(err)
	}
	return h
}

func newRig(t *testing.T, opt ...rigOption) *rig {
	t.Helper()
	db, err := storage.Open(filepath.Join(t.TempDir(), "lubo.db"), storage.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = db.Close() })
	return newRigOn(t, db, opt...)
}

func newRigOn(t *testing.T, db *storage.DB, opt ...rigOption) *rig {
	t.Helper()
	r := &rig{t: t, clock: testkit.NewManualClock(time.Date(2026, 9, 1, 8, 0, 0, 0, time.UTC)), logs: &testkit.LogBuffer{}, db: db}
	r.hashes = []string{cheapHash(t, adminPass), cheapHash(t, viewerPass)}
	cfg := &configs.Auth{Users: []configs.User{
		{Name: adminName, Role: configs.RoleAdmin, PasswordHash: configs.Secret(r.hashes[0])},
		{Name: viewerName, Role: configs.RoleViewer, PasswordHash: configs.Secret(r.hashes[1])},
	}}
	opts := Options{Config: cfg, DB: db, Now: r.clock.Now, Logger: r.logs.Logger()}
	for _, o := range opt {
		o(cfg, &opts)
	}
	g, err := New(opts)
	if err != nil {
		t.Fatal(err)
	}
	r.guard = g
	r.cfg = cfg
	r.srv = httptest.NewServer(g.Wrap(echoMux()))
	t.Cleanup(r.srv.Close)
	return r
}

// echoMux answers 200 "ok METHOD PATH user=NAME role=ROLE" on every route,
// and a playlist on /hls/….m3u8.
func echoMux() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		name, role, ok := UserFrom(r)
		if strings.HasSuffix(r.URL.Path, ".m3u8") {
			w.Header().Set("Content-Type", "application/vnd.apple.mpegurl")
			w.Header().Set("Content-Length", fmt.Sprint(len(testPlaylist)))
			_, _ = io.WriteString(w, testPlaylist)
			return
		}
		fmt.Fprintf(w, "ok %s %s user=%s role=%s known=%v", r.Method, r.URL.Path, name, role, ok)
	})
	return mux
}

// client is one browser: its session cookie and CSRF token.
type client struct {
	r      *rig
	cookie string // the session id, "" when none
	csrf   string
}

// answer is one HTTP answer.
type answer struct {
	code   int
	body   string
	header http.Header
}

func (a answer) json(t *testing.T) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal([]byte(a.body), &m); err != nil {
		t.Fatalf("answer %d is not JSON: %q", a.code, a.body)
	}
	return m
}

func (r *rig) anon() *client { return &client{r: r} }

// do sends a request; the client follows cookie changes (rotation, logout).
func (c *client) do(method, path, body string, hdr ...string) answer {
	c.r.t.Helper()
	req, err := http.NewRequest(method, c.r.srv.URL+path, strings.NewReader(body))
	if err != nil {
		c.r.t.Fatal(err)
	}
	if c.cookie != "" {
		req.AddCookie(&http.Cookie{Name: cookieName, Value: c.cookie})
	}
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	resp, err := c.r.srv.Client().Do(req)
	if err != nil {
		c.r.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		c.r.t.Fatal(err)
	}
	for _, ck := range resp.Cookies() {
		if ck.Name == cookieName {
			if ck.MaxAge < 0 {
				c.cookie = ""
			} else {
				c.cookie = ck.Value
			}
		}
	}
	return answer{code: resp.StatusCode, body: string(b), header: resp.Header}
}

// write sends a state-changing request with the client's CSRF token.
func (c *client) write(method, path, body string) answer {
	c.r.t.Helper()
	return c.do(method, path, body, "X-CSRF-Token", c.csrf)
}

// login signs a new client in, failing the test if it cannot.
func (r *rig) login(name, pw string) *client {
	r.t.Helper()
	c := r.anon()
	a := c.do("POST", "/api/auth/login", loginBody(name, pw), "Content-Type", "application/json")
	if a.code != http.StatusOK {
		r.t.Fatalf("login %s: %d %s", name, a.code, a.body)
	}
	m := a.json(r.t)
	c.csrf, _ = m["csrf"].(string)
	if c.cookie == "" || c.csrf == "" {
		r.t.Fatalf("login %s gave no cookie or csrf: %s", name, a.body)
	}
	return c
}

func loginBody(name, pw string) string {
	b, _ := json.Marshal(map[string]string{"user": name, "password": pw})
	return string(b)
}

var tlsState = tls.ConnectionState{}

// flipLast changes the last character of s to another base64url one.
func flipLast(s string) string {
	last := s[len(s)-1]
	repl := byte('A')
	if last == 'A' {
		repl = 'B'
	}
	return s[:len(s)-1] + string(repl)
}

func itoa(n int) string { return strconv.Itoa(n) }

func discardLogger() *slog.Logger { return slog.New(slog.DiscardHandler) }

func contains(s, sub string) bool { return strings.Contains(s, sub) }
