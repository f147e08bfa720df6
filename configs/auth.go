package configs

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/lubo-edge/lubo/api/auth/password"
)

// Auth turns on sign-in: with it, everything but /healthz (and the box
// API's own token scheme) needs a session or a signed link.
type Auth struct {
	// Users who may sign in. At least one admin is required.
	Users []User `yaml:"users"`
	// MetricsToken, when set, lets a scraper read /metrics with
	// "Authorization: Bearer TOKEN" without a session. Default "".
	MetricsToken Secret `yaml:"metrics_token"`
}

// User is one account of the dashboard.
type User struct {
	// Name is the login name. Required, unique.
	Name string `yaml:"name"`
	// Role is "admin" (everything) or "viewer" (watch live and
	// recordings). Required.
	Role string `yaml:"role"`
	// PasswordHash is what `lubo passwd` prints; never the password.
	PasswordHash Secret `yaml:"password_hash"`
}

// Roles of Auth users.
const (
	RoleAdmin  = "admin"
	RoleViewer = "viewer"
)

// minMetricsToken is the shortest metrics_token accepted: it is a
// password a scraper sends, so it must not be guessable.
const minMetricsToken = 16

// maxUserName bounds a login name (it appears in logs and the page).
const maxUserName = 64

func (a *Auth) validate(ps *problems) {
	if len(a.Users) == 0 {
		ps.add("auth.users", "required; at least one user with role admin (`lubo passwd` prints a password_hash)")
	}
	firstIndex := map[string]int{}
	admins := 0
	for i := range a.Users {
		u := &a.Users[i]
		path := fmt.Sprintf("auth.users[%d]", i)
		switch {
		case u.Name == "":
			ps.add(path+".name", "required")
		case utf8.RuneCountInString(u.Name) > maxUserName:
			ps.add(path+".name", "longer than %d characters", maxUserName)
		case !utf8.ValidString(u.Name) || strings.IndexFunc(u.Name, unicode.IsControl) >= 0:
			ps.add(path+".name", "%q has control characters or is not UTF-8", u.Name)
		case strings.TrimSpace(u.Name) != u.Name:
			ps.add(path+".name", "%q starts or ends with a space", u.Name)
		default:
			if j, dup := firstIndex[u.Name]; dup {
				ps.add(path+".name", "duplicate of auth.users[%d]", j)
			} else {
				firstIndex[u.Name] = i
			}
		}
		if u.Role == "" {
			ps.add(path+".role", "required; want %s or %s", RoleAdmin, RoleViewer)
		} else {
			checkOneOf(ps, path+".role", u.Role, RoleAdmin, RoleViewer)
		}
		if u.Role == RoleAdmin {
			admins++
		}
		if u.PasswordHash == "" {
			ps.add(path+".password_hash", "required; `lubo passwd` prints one (the password itself never goes in the config)")
		} else if err := password.Check(string(u.PasswordHash)); err != nil {
			// password.Check's errors never repeat the value.
			ps.add(path+".password_hash", "not accepted: %v", err)
		}
	}
	if len(a.Users) > 0 && admins == 0 {
		ps.add("auth.users", "no user has role %s; at least one is required", RoleAdmin)
	}
	if a.MetricsToken != "" && len(a.MetricsToken) < minMetricsToken {
		ps.add("auth.metrics_token", "shorter than %d characters; use a long random token (e.g. `openssl rand -hex 16`)", minMetricsToken)
	}
}
