package auth

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/lubo-edge/lubo/api/auth/password"
	"github.com/lubo-edge/lubo/configs"
)

func TestLoginAnswersAndCookie(t *testing.T) {
	r := newRig(t)
	a := r.anon().do("POST", "/api/auth/login", loginBody(viewerName, viewerPass))
	if a.code != 200 {
		t.Fatalf("login: %d %s", a.code, a.body)
	}
	m := a.json(t)
	if m["user"] != viewerName || m["role"] != RoleViewer || len(m["csrf"].(string)) != 43 {
		t.Errorf("login answer %s", a.body)
	}
	sc := a.header.Get("Set-Cookie")
	for _, want := range []string{cookieName + "=", "Path=/", "HttpOnly", "SameSite=Lax"} {
		if !strings.Contains(sc, want) {
			t.Errorf("cookie %q lacks %s", sc, want)
		}
	}
	if strings.Contains(sc, "Secure") {
		t.Errorf("cookie %q is Secure without TLS", sc)
	}
	if a.header.Get("Cache-Control") != "no-store" {
		t.Errorf("login answer may be cached: %q", a.header.Get("Cache-Control"))
	}
}

func TestSecureCookie(t *testing.T) {
	r := newRig(t, func(_ *configs.Auth, o *Options) { o.Secure = true })
	a := r.anon().do("POST", "/api/auth/login", loginBody(adminName, adminPass))
	sc := a.header.Get("Set-Cookie")
	if a.code != 200 || !strings.HasPrefix(sc, secureCookieName+"=") || !strings.Contains(sc, "; Secure") {
		t.Fatalf("login with Secure: %d, cookie %q", a.code, sc)
	}
}

func TestWrongPasswordSameAsUnknownUser(t *testing.T) {
	r := newRig(t)
	wrongPass := r.anon().do("POST", "/api/auth/login", loginBody(adminName, "not-the-password"))
	unknown := r.anon().do("POST", "/api/auth/login", loginBody("nobody", "not-the-password"))
	if wrongPass.code != 401 || unknown.code != 401 {
		t.Fatalf("codes %d and %d, want 401", wrongPass.code, unknown.code)
	}
	if wrongPass.body != unknown.body {
		t.Fatalf("a wrong password says %q, an unknown user %q", wrongPass.body, unknown.body)
	}
	if len(wrongPass.header.Values("Set-Cookie")) != 0 {
		t.Error("a failed login set a cookie")
	}
	// The unknown name is checked against a hash of the same cost.
	if got, want := r.guard.dummy.Params(), cheap; got != want {
		t.Errorf("dummy hash costs %+v, users' %+v", got, want)
	}
	logs := r.logs.String()
	if !strings.Contains(logs, "user=admin") || !strings.Contains(logs, "user=(unknown)") || !strings.Contains(logs, "ip=127.0.0.1") {
		t.Errorf("a refused sign-in is not logged with user and address:\n%s", logs)
	}
	if strings.Contains(logs, "nobody") {
		t.Errorf("an unknown name (often a mistyped password) is logged:\n%s", logs)
	}
}

func TestLoginBadRequests(t *testing.T) {
	r := newRig(t)
	for _, body := range []string{"", "{", "[]", `{"user":1}`, strings.Repeat(" ", maxBody+1) + "{}"} {
		if a := r.anon().do("POST", "/api/auth/login", body); a.code != 400 {
			t.Errorf("login body %.20q: %d %s, want 400", body, a.code, a.body)
		}
	}
	long := r.anon().do("POST", "/api/auth/login", loginBody(adminName, strings.Repeat("p", maxPasswordLen+1)))
	if long.code != 401 {
		t.Errorf("overlong password: %d", long.code)
	}
}

func TestRateLimitLocksAndLifts(t *testing.T) {
	r := newRig(t)
	for i := 0; i < LoginFreeFailures; i++ {
		if a := r.anon().do("POST", "/api/auth/login", loginBody(adminName, "guess")); a.code != 401 {
			t.Fatalf("failure %d: %d %s", i+1, a.code, a.body)
		}
	}
	// Locked: even the right password is refused, without a cookie.
	a := r.anon().do("POST", "/api/auth/login", loginBody(adminName, adminPass))
	if a.code != http.StatusTooManyRequests || a.header.Get("Retry-After") != "30" || a.json(t)["error"] == nil {
		t.Fatalf("after %d failures: %d Retry-After %q %s", LoginFreeFailures, a.code, a.header.Get("Retry-After"), a.body)
	}
	if len(a.header.Values("Set-Cookie")) != 0 {
		t.Fatal("a locked-out login set a cookie")
	}
	r.clock.Advance(29 * time.Second)
	if a := r.anon().do("POST", "/api/auth/login", loginBody(adminName, adminPass)); a.code != 429 || a.header.Get("Retry-After") != "1" {
		t.Fatalf("1 s before the lock lifts: %d Retry-After %q", a.code, a.header.Get("Retry-After"))
	}
	// One more failure after the lock doubles it.
	r.clock.Advance(time.Second)
	if a := r.anon().do("POST", "/api/auth/login", loginBody(adminName, "guess")); a.code != 401 {
		t.Fatalf("failure after the lock lifted: %d", a.code)
	}
	if a := r.anon().do("POST", "/api/auth/login", loginBody(adminName, adminPass)); a.code != 429 || a.header.Get("Retry-After") != "60" {
		t.Fatalf("second lock: %d Retry-After %q", a.code, a.header.Get("Retry-After"))
	}
	r.clock.Advance(time.Minute)
	r.login(adminName, adminPass)
	// The success cleared the count: one failure does not lock.
	if a := r.anon().do("POST", "/api/auth/login", loginBody(adminName, "guess")); a.code != 401 {
		t.Fatalf("failure after a success: %d", a.code)
	}
	r.login(adminName, adminPass)
	if !strings.Contains(r.logs.String(), "too many failures") {
		t.Error("lockout not logged")
	}
}

func TestRateLimitPerAddressAcrossNames(t *testing.T) {
	// Spraying one guess at many names from one address locks the address.
	r := newRig(t)
	for i := 0; i < LoginFreeFailures; i++ {
		r.anon().do("POST", "/api/auth/login", loginBody("user"+string(rune('a'+i)), "guess"))
	}
	if a := r.anon().do("POST", "/api/auth/login", loginBody(viewerName, viewerPass)); a.code != 429 {
		t.Fatalf("address not locked after failures on many names: %d", a.code)
	}
}

func TestRateLimitParallelBurst(t *testing.T) {
	// Guesses sent at once cannot slip past the limit while hashing.
	r := newRig(t)
	const n = 20
	codes := make([]int, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			codes[i] = r.anon().do("POST", "/api/auth/login", loginBody(adminName, "guess")).code
		}()
	}
	wg.Wait()
	counts := map[int]int{}
	for _, c := range codes {
		counts[c]++
	}
	if counts[401] > LoginFreeFailures || counts[401] == 0 || counts[401]+counts[429] != n {
		t.Fatalf("burst of %d guesses: %v, want at most %d checked and the rest 429", n, counts, LoginFreeFailures)
	}
}

func TestLimiterPerUserAndBounded(t *testing.T) {
	l := newLimiter()
	now := time.Unix(1e9, 0)
	// Failures for one name from many addresses lock the name.
	for i := range LoginFreeFailures {
		keys := []string{"ip:10.0.0." + string(rune('0'+i)), "user:admin"}
		if _, ok := l.begin(keys, now); !ok {
			t.Fatalf("attempt %d refused", i)
		}
		l.end(keys, false, now)
	}
	if wait, ok := l.begin([]string{"ip:10.9.9.9", "user:admin"}, now); ok || wait != LoginLockout {
		t.Fatalf("name not locked: ok=%v wait=%v", ok, wait)
	}
	if _, ok := l.begin([]string{"ip:10.9.9.9", "user:other"}, now); !ok {
		t.Fatal("another name from a fresh address is refused")
	}
	// Lockouts double and stop at the cap.
	if lockout(LoginFreeFailures) != LoginLockout || lockout(LoginFreeFailures+1) != 2*LoginLockout || lockout(100) != LoginMaxLockout {
		t.Fatal("lockout does not double up to its cap")
	}
	// Quiet keys are forgotten.
	later := now.Add(LoginMaxLockout + LoginForget)
	if _, ok := l.begin([]string{"user:admin"}, later); !ok {
		t.Fatal("a key quiet for LoginForget is still locked")
	}
	// Memory stays bounded however many addresses fail.
	for i := range MaxTrackedKeys + 500 {
		k := []string{"ip:" + strings.Repeat("x", i%7) + string(rune(i))}
		if _, ok := l.begin(k, now); ok {
			l.end(k, false, now)
		}
	}
	if n := l.tracked(); n > MaxTrackedKeys {
		t.Fatalf("%d keys tracked, cap %d", n, MaxTrackedKeys)
	}
}

func TestClientAddr(t *testing.T) {
	cases := map[string]string{
		"192.0.2.1:5555":                "192.0.2.1",
		"[2001:db8:1:2:3:4:5:6]:5555":   "2001:db8:1:2::/64",
		"[2001:db8:1:2:ffff::1]:1":      "2001:db8:1:2::/64",
		"[::ffff:192.0.2.1]:80":         "192.0.2.1",
		"not-an-address":                "not-an-address",
		"@":                             "@",
		"[2001:db8::1%eth0]:80":         "2001:db8::/64",
		"2001:db8::1":                   "2001:db8::/64",
		"192.0.2.1":                     "192.0.2.1",
		"[fe80::1]:1":                   "fe80::/64",
		"127.0.0.1:1":                   "127.0.0.1",
		"[2001:db8:0:0:0:0:0:1]:8080":   "2001:db8::/64",
		"[2001:db8:ffff:ffff::9]:65535": "2001:db8:ffff:ffff::/64",
	}
	for in, want := range cases {
		r, _ := http.NewRequest("GET", "/", nil)
		r.RemoteAddr = in
		if got := clientAddr(r); got != want {
			t.Errorf("clientAddr(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestDefaultCostLogin(t *testing.T) {
	// The real parameters, once: sign-in works and an unknown name costs
	// the same hash.
	h, err := password.Hash(adminPass)
	if err != nil {
		t.Fatal(err)
	}
	g, err := New(Options{Config: &configs.Auth{Users: []configs.User{{Name: adminName, Role: RoleAdmin, PasswordHash: configs.Secret(h)}}}, Logger: discardLogger()})
	if err != nil {
		t.Fatal(err)
	}
	if g.dummy.Params() != password.Default {
		t.Fatalf("dummy hash %+v, want %+v", g.dummy.Params(), password.Default)
	}
	srv := httptest.NewServer(g.Wrap(echoMux()))
	defer srv.Close()
	for _, c := range []struct {
		user, pw string
		want     int
	}{{adminName, adminPass, 200}, {adminName, "wrong", 401}, {"nobody", adminPass, 401}} {
		resp, err := srv.Client().Post(srv.URL+"/api/auth/login", "application/json", strings.NewReader(loginBody(c.user, c.pw)))
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != c.want {
			t.Errorf("login %s: %d, want %d", c.user, resp.StatusCode, c.want)
		}
	}
}
