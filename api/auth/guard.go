package auth

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"log/slog"
	"net/http"
	"time"

	"github.com/lubo-edge/lubo/api/auth/password"
	"github.com/lubo-edge/lubo/configs"
	"github.com/lubo-edge/lubo/storage"
)

// Roles, as in the config.
const (
	RoleAdmin  = configs.RoleAdmin
	RoleViewer = configs.RoleViewer
)

// ticketKeyState is the store state key of the ticket signing key.
const ticketKeyState = "auth/ticket_key"

// hashSlots is how many password hashes run at once (19 MiB each).
const hashSlots = 2

// Options configure a Guard.
type Options struct {
	// Config is the auth section; nil leaves everything open (the demo):
	// all requests pass and /api/auth/me says auth:false.
	Config *configs.Auth
	// DB keeps the ticket key across restarts. Nil: a key per process
	// (links stop working on restart), with a log line saying so.
	DB *storage.DB
	// Now is the clock. Default time.Now.
	Now func() time.Time
	// Logger receives sign-in lines. Default slog.Default().
	Logger *slog.Logger
	// Secure sets the cookie's Secure flag (http.tls is on).
	Secure bool
	// CLITokenPath is where the local admin token lives (usually
	// data_dir/CLITokenFile). With auth on, New keeps the file there or
	// makes it (see EnsureCLIToken), and the guard takes the token as
	// admin on /api/ paths. "" or auth off: no CLI token.
	CLITokenPath string
}

// account is one configured user.
type account struct {
	role string
	hash *password.Hashed
}

// Guard enforces sign-in. Safe for concurrent use.
type Guard struct {
	open     bool // no auth section: everything passes
	accounts map[string]account
	dummy    *password.Hashed // for unknown names: the same work as a real check
	metrics  []byte           // the metrics bearer token, nil when unset
	cli      CLIToken         // the local admin token; zero when off
	now      func() time.Time
	log      *slog.Logger
	secure   bool
	tickets  ticketSigner
	sessions *sessionStore
	limits   *limiter
	hashing  chan struct{} // semaphore of hashSlots
}

// New builds a Guard. It fails on a password hash it cannot read (a config
// that passed configs validation has none) or a store it cannot use.
func New(opts Options) (*Guard, error) {
	g := &Guard{
		open:     opts.Config == nil,
		accounts: map[string]account{},
		now:      opts.Now,
		log:      opts.Logger,
		secure:   opts.Secure,
		sessions: newSessionStore(),
		limits:   newLimiter(),
		hashing:  make(chan struct{}, hashSlots),
	}
	if g.now == nil {
		g.now = time.Now
	}
	if g.log == nil {
		g.log = slog.Default()
	}
	key, err := loadTicketKey(opts.DB, g.log)
	if err != nil {
		return nil, err
	}
	g.tickets = ticketSigner{key: key}
	if g.open {
		return g, nil
	}
	if err := g.loadAccounts(opts.Config); err != nil {
		return nil, err
	}
	if opts.Config.MetricsToken != "" {
		g.metrics = []byte(string(opts.Config.MetricsToken))
	}
	if opts.CLITokenPath != "" {
		if g.cli, err = EnsureCLIToken(opts.CLITokenPath, g.log); err != nil {
			return nil, err
		}
	}
	return g, nil
}

func (g *Guard) loadAccounts(cfg *configs.Auth) error {
	if len(cfg.Users) == 0 {
		return fmt.Errorf("auth: no users")
	}
	for i, u := range cfg.Users {
		h, err := password.Parse(string(u.PasswordHash))
		if err != nil {
			return fmt.Errorf("auth.users[%d] (%s): password_hash: %w", i, u.Name, err)
		}
		if u.Role != RoleAdmin && u.Role != RoleViewer {
			return fmt.Errorf("auth.users[%d] (%s): role %q is not admin or viewer", i, u.Name, u.Role)
		}
		if _, dup := g.accounts[u.Name]; dup || u.Name == "" {
			return fmt.Errorf("auth.users[%d]: name %q is empty or a duplicate", i, u.Name)
		}
		g.accounts[u.Name] = account{role: u.Role, hash: h}
	}
	// The dummy costs what the first user's hash costs.
	first, _ := password.Parse(string(cfg.Users[0].PasswordHash))
	pw := make([]byte, 16)
	if _, err := rand.Read(pw); err != nil {
		return fmt.Errorf("auth: dummy hash: %w", err)
	}
	d, err := password.HashWith(base64.RawStdEncoding.EncodeToString(pw), first.Params())
	if err != nil {
		return fmt.Errorf("auth: dummy hash: %w", err)
	}
	g.dummy, err = password.Parse(d)
	if err != nil {
		return fmt.Errorf("auth: dummy hash: %w", err)
	}
	return nil
}

// loadTicketKey reads the ticket key from db, making and storing one the
// first time.
func loadTicketKey(db *storage.DB, log *slog.Logger) ([]byte, error) {
	if db == nil {
		log.Warn("auth: no store; signed links stop working when lubo restarts")
		return newTicketKey()
	}
	key, err := db.GetState(ticketKeyState)
	if err != nil {
		return nil, fmt.Errorf("auth: ticket key: %w", err)
	}
	if len(key) == ticketKeyLen {
		return key, nil
	}
	if key != nil {
		log.Warn("auth: stored ticket key has the wrong length; making a new one (earlier links stop working)")
	}
	key, err = newTicketKey()
	if err != nil {
		return nil, err
	}
	if err := db.PutState(ticketKeyState, key); err != nil {
		return nil, fmt.Errorf("auth: ticket key: %w", err)
	}
	return key, nil
}

// String describes the guard without any of its secrets.
func (g *Guard) String() string {
	if g.open {
		return "auth.Guard{open}"
	}
	return fmt.Sprintf("auth.Guard{users: %d, metrics token: %v, cli token: %v, sessions: %d}", len(g.accounts), g.metrics != nil, !g.cli.IsZero(), g.sessions.len())
}

// GoString is String, so %#v shows no secret either.
func (g *Guard) GoString() string { return g.String() }

// LogValue is String, for log/slog.
func (g *Guard) LogValue() slog.Value { return slog.StringValue(g.String()) }

// Enabled reports whether sign-in is on.
func (g *Guard) Enabled() bool { return !g.open }

// Mint returns a ticket (for "?ticket=") valid for GET and HEAD of paths
// under prefix on the media paths (/live/, /hls/, /records/, /snapshots/)
// until now+ttl; ttl is capped at MaxTicketTTL. A prefix ending in "/"
// covers everything below it ("/hls/c1/" covers the playlist and its
// segments); one without covers itself and what is below it.
func (g *Guard) Mint(prefix string, ttl time.Duration) string {
	ttl = min(ttl, MaxTicketTTL)
	return g.tickets.mint(prefix, g.now().Add(ttl))
}

// user is who a request is, as UserFrom tells it.
type user struct{ name, role string }

type userKey struct{}

func withUser(r *http.Request, u user) *http.Request {
	return r.WithContext(context.WithValue(r.Context(), userKey{}, u))
}

// CLIUser is the user name UserFrom gives a request made with the CLI
// token, for logs.
const CLIUser = "(cli token)"

// UserFrom returns who made a request that passed Wrap: the signed-in
// user; CLIUser and RoleAdmin for the CLI token; "" and RoleViewer for a
// ticket; "" and RoleAdmin when auth is off.
// ok is false for an anonymous request on a public path.
func UserFrom(r *http.Request) (name, role string, ok bool) {
	u, ok := r.Context().Value(userKey{}).(user)
	return u.name, u.role, ok
}
