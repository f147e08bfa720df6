// Package auth is the sign-in guard in front of lubo's HTTP surface: users
// and roles from the config's auth section, session cookies, CSRF checks,
// login rate limiting, signed links (tickets) for the media paths, a
// bearer token for /metrics, and a local admin token for lubo's CLI.
//
// Wrap puts a Guard in front of the box's handler and serves
// POST /api/auth/login, POST /api/auth/logout, GET /api/auth/me and
// POST /api/auth/ticket itself. Wiring, once per configuration:
//
//	g, err := auth.New(auth.Options{Config: cfg.Auth, DB: db, Logger: log, Secure: cfg.HTTP.TLS != nil,
//		CLITokenPath: filepath.Join(cfg.DataDir, auth.CLITokenFile)})
//	handler = g.Wrap(handler) // the whole HTTP surface, one listener
//
// Sessions live in the Guard: a new Guard (say on a reload that changed
// the auth section) signs everyone out; keep the old one otherwise.
// Whoever hands out a link to media (the box API's play pages) puts
// g.Mint(path, ttl) in it as ?ticket=.
//
// # Route policy (auth on)
//
// Paths are judged after cleaning ("/live/../api/x" is "/api/x"); a path
// with an encoded slash (%2F) is treated as admin-only. HEAD goes with GET.
//
//	| method     | path                                              | who may                                        |
//	|------------|---------------------------------------------------|------------------------------------------------|
//	| any        | /api/v1/…, /play/…                                | anyone: the 云录播 box API's own unionid/token  |
//	|            |                                                   | scheme and its play pages; the guard does not  |
//	|            |                                                   | look at these at all (no cookie, no CSRF)      |
//	| GET        | /healthz, /, /assets/…, /favicon.ico              | anyone (the page shell asks /api/auth/me)      |
//	| POST       | /api/auth/login                                   | anyone (Origin checked, rate limited)          |
//	| GET        | /api/auth/me                                      | anyone (401 {"auth":true} when signed out)     |
//	| POST       | /api/auth/logout                                  | anyone (CSRF token when signed in)             |
//	| GET        | /metrics                                          | Bearer metrics_token when set; any session     |
//	| GET        | /live/…, /hls/…, /records/…, /snapshots/…         | any session, or a ticket for that path         |
//	| OPTIONS    | /live/…, /hls/…, /records/…, /snapshots/…         | anyone (CORS preflight of cross-origin players)|
//	| GET        | /api/outbox…, /api/cloud/…, /api/dash/admin/…     | admin session                                  |
//	| GET        | every other /api/…                                | any session (not a ticket)                     |
//	| POST       | /api/auth/ticket                                  | admin session                                  |
//	| any        | everything else, every other non-GET request      | admin session                                  |
//
// An /api/… path other than /api/auth/… also passes, as admin, with
// "Authorization: Bearer <CLI token>" (see below); a request with a Bearer
// header there is judged by the token alone.
//
// Refusals come from the server: no session on a protected path is 401
// (JSON {"error"} for /api/…, text for media), a viewer on an admin path is
// 403 {"error":"admin only"}.
//
// # CSRF
//
// A request whose method is not GET, HEAD or OPTIONS that carries a
// session cookie must send header X-CSRF-Token equal to the session's token
// (given by login and /api/auth/me); login is exempt from the token. Every
// such request that carries an Origin header must come from the same host
// (Origin's host:port equal to Host); this holds with auth off too. Either
// failure is 403 {"error":"csrf"}. The cookie is also SameSite=Lax.
//
// # Sessions
//
// A session id is 32 random bytes, kept server side (in memory; a restart
// signs everyone out) under its SHA-256. A new id on every login (no
// fixation); the id is replaced every RotateEvery of use, the old one
// working for RotateGrace more so requests already in flight do not fail;
// idle sessions end after IdleTimeout, every session after MaxLifetime;
// at most MaxSessions are kept (the least recently used goes first).
//
// # Tickets (signed links)
//
// A ticket is base64url(expiry ‖ path prefix) "." base64url(HMAC-SHA256)
// under a 32-byte key made once and kept in the store's state, so links
// survive a restart. It grants GET and HEAD under its prefix on the media
// paths only, until its expiry (at most MaxTicketTTL after minting).
//
// HLS: a playlist fetched with a ticket is rewritten by the guard so that
// each relative URI in it (segments, variant playlists, EXT-X-MAP and other
// URI="…" attributes) carries the same ticket. Why: a cloud player on
// another site fetches segments cross-origin without cookies, and few
// players let the page add a query to segment requests; rewriting works
// with every player. Absolute URIs to other hosts are left alone, so the
// ticket never leaves the box.
//
// # CLI token
//
// With auth on, New keeps (or makes) Options.CLITokenPath: 32 random bytes
// as 64 hex digits, mode 0600, owned by the daemon's user, written to a
// temporary file, fsynced and renamed into place. A file that is not a
// regular file, is open to group or others, belongs to another user, or
// is malformed is replaced, with a log line saying why. Whoever can read
// the file (root, the daemon's user) is admin on the API: the lubo CLI
// verbs read it (ReadCLIToken) and send it as a Bearer token. No cookie
// is involved, so there is no CSRF check; the token is compared in
// constant time, and every attempt goes through the sign-in limiter of the
// client's address: a wrong token is a failed sign-in, and a locked-out
// address gets 429 whatever token it sends. The token never prints
// (CLIToken's String, GoString, LogValue, MarshalText are "******").
//
// # Passwords and rate limits
//
// Hashes are argon2id (package api/auth/password). At most two hashes are
// computed at a time. A wrong name and a wrong password get the same answer
// after the same work (an unknown name is checked against a dummy hash of
// the same cost). After LoginFreeFailures failed sign-ins from one client
// address (IPv6: its /64) or for one user name, further attempts are
// refused with 429 and Retry-After for 30 s, doubling with every further
// failure up to 15 min; a success clears both. At most MaxTrackedKeys
// addresses and names are tracked.
//
// Logs name the user and the client address on sign-in, sign-out and
// refusals (a name that is no user is logged as "(unknown)": it is often a
// password typed into the wrong field); never a password, hash, session
// id, CSRF token, ticket or token.
package auth
