package configs

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

func (a *Auth) validate(ps *problems) {
	// Filled in by the auth work (issue 11): names, roles, hash format.
	_ = a
	_ = ps
}
