package configs

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/lubo-edge/lubo/api/auth/password"
)

// testHash is a valid argon2id hash made cheaply for the tests.
func testHash(t *testing.T) string {
	t.Helper()
	h, err := password.HashWith("pw", password.Params{Memory: 64, Time: 1, Threads: 1})
	if err != nil {
		t.Fatal(err)
	}
	return h
}

func TestAuthAccepted(t *testing.T) {
	h := testHash(t)
	doc := fmt.Sprintf(`
auth:
  users:
    - {name: admin, role: admin, password_hash: %q}
    - {name: 张老师, role: viewer, password_hash: %q}
  metrics_token: 0123456789abcdef0123
`, h, h)
	cfg, err := Parse([]byte(doc), "auth.yaml")
	if err != nil {
		t.Fatalf("a good auth section is refused:\n%v", err)
	}
	if cfg.Auth == nil || len(cfg.Auth.Users) != 2 || string(cfg.Auth.Users[1].PasswordHash) != h {
		t.Fatalf("auth section not read: %+v", cfg.Auth)
	}
}

func TestAuthProblems(t *testing.T) {
	h := testHash(t)
	cases := []struct {
		name string
		auth string
		want []string
	}{
		{"no users", "auth: {users: []}", []string{
			"auth.users: required; at least one user with role admin (`lubo passwd` prints a password_hash)",
		}},
		{"no admin", fmt.Sprintf("auth: {users: [{name: v, role: viewer, password_hash: %q}]}", h), []string{
			"auth.users: no user has role admin; at least one is required",
		}},
		{"fields", fmt.Sprintf(`
auth:
  users:
    - {name: a, role: admin, password_hash: %[1]q}
    - {role: viewer, password_hash: %[1]q}
    - {name: a, role: viewer, password_hash: %[1]q}
    - {name: " b", role: viewer, password_hash: %[1]q}
    - {name: "c\td", role: viewer, password_hash: %[1]q}
    - {name: %[2]s, role: viewer, password_hash: %[1]q}
    - {name: e, role: root, password_hash: %[1]q}
    - {name: f, password_hash: %[1]q}
    - {name: g, role: viewer}
    - {name: h, role: viewer, password_hash: "hunter2-plain"}
    - {name: i, role: viewer, password_hash: "$argon2id$v=19$m=9999999,t=1,p=1$c29tZXNhbHQ$AAAAAAAAAAAAAAAAAAAAAA"}
  metrics_token: short-token
`, h, strings.Repeat("n", 65)), []string{
			`auth.users[1].name: required`,
			`auth.users[2].name: duplicate of auth.users[0]`,
			`auth.users[3].name: " b" starts or ends with a space`,
			`auth.users[4].name: "c\td" has control characters or is not UTF-8`,
			`auth.users[5].name: longer than 64 characters`,
			`auth.users[6].role: "root" is not one of admin, viewer`,
			`auth.users[7].role: required; want admin or viewer`,
			"auth.users[8].password_hash: required; `lubo passwd` prints one (the password itself never goes in the config)",
			`auth.users[9].password_hash: not accepted: not an argon2id hash; want "$argon2id$v=19$m=…,t=…,p=…$salt$key" as printed by lubo passwd`,
			`auth.users[10].password_hash: not accepted: m=9999999 is outside 8-262144 KiB`,
			"auth.metrics_token: shorter than 16 characters; use a long random token (e.g. `openssl rand -hex 16`)",
		}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := Parse([]byte(c.auth), "auth.yaml")
			var pe *ProblemsError
			if !errors.As(err, &pe) {
				t.Fatalf("error is %T, want *ProblemsError: %v", err, err)
			}
			got := strings.Split(err.Error(), "\n")
			if !slices.Equal(got, c.want) {
				t.Errorf("problems:\n%s\nwant:\n%s", err, strings.Join(c.want, "\n"))
			}
			for _, secret := range []string{"hunter2", "short-token", h[strings.LastIndex(h, "$"):]} {
				if strings.Contains(err.Error(), secret) {
					t.Errorf("error reveals %q", secret)
				}
			}
		})
	}
}

func TestAuthPrintsNoSecret(t *testing.T) {
	h := testHash(t)
	a := Auth{Users: []User{{Name: "a", Role: RoleAdmin, PasswordHash: Secret(h)}}, MetricsToken: "metrics-token-0123456789"}
	for _, f := range []string{"%v", "%+v", "%#v"} {
		out := fmt.Sprintf(f, a)
		if strings.Contains(out, "argon2id") || strings.Contains(out, "metrics-token") {
			t.Errorf("%s prints a secret: %s", f, out)
		}
	}
}
