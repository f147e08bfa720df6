package auth

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"time"
	"unicode/utf8"
)

// Cookie names: with TLS the __Host- prefix makes the browser refuse a
// cookie set by another host or for a narrower path.
const (
	cookieName       = "lubo_session"
	secureCookieName = "__Host-lubo_session"
)

// Bounds on request bodies and fields of the guard's endpoints.
const (
	maxBody        = 4 << 10
	maxNameLen     = 128
	maxPasswordLen = 1024
	defaultTicket  = 10 * time.Minute
)

// errWrongLogin is the one answer for an unknown name and a wrong password.
const errWrongLogin = "wrong user name or password"

type loginRequest struct {
	User     string `json:"user"`
	Password string `json:"password"`
}

type loginAnswer struct {
	User string `json:"user"`
	Role string `json:"role"`
	CSRF string `json:"csrf"`
}

type meAnswer struct {
	Auth bool   `json:"auth"`
	User string `json:"user"`
	Role string `json:"role"`
	CSRF string `json:"csrf"`
}

func (g *Guard) cookieName() string {
	if g.secure {
		return secureCookieName
	}
	return cookieName
}

// sessionOf finds the request's live session, rotating its id when due
// (the new cookie goes out with the answer).
func (g *Guard) sessionOf(w http.ResponseWriter, r *http.Request) (sessionView, bool) {
	c, err := r.Cookie(g.cookieName())
	if err != nil {
		return sessionView{}, false
	}
	key, ok := parseSessionCookie(c.Value)
	if !ok {
		return sessionView{}, false
	}
	now := g.now()
	v, newID, ok := g.sessions.lookup(key, now)
	if !ok {
		return sessionView{}, false
	}
	if newID != "" {
		g.setCookie(w, newID, now)
	}
	return v, true
}

func (g *Guard) setCookie(w http.ResponseWriter, id string, now time.Time) {
	http.SetCookie(w, &http.Cookie{
		Name:     g.cookieName(),
		Value:    id,
		Path:     "/",
		Expires:  now.Add(MaxLifetime),
		HttpOnly: true,
		Secure:   g.secure,
		SameSite: http.SameSiteLaxMode,
	})
}

func (g *Guard) clearCookie(w http.ResponseWriter) {
	http.SetCookie(w, &http.Cookie{
		Name:     g.cookieName(),
		Value:    "",
		Path:     "/",
		MaxAge:   -1,
		HttpOnly: true,
		Secure:   g.secure,
		SameSite: http.SameSiteLaxMode,
	})
}

func (g *Guard) serveLogin(w http.ResponseWriter, r *http.Request, old sessionView, hadSession bool) {
	var req loginRequest
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, maxBody))
	if err := dec.Decode(&req); err != nil {
		writeError(w, http.StatusBadRequest, `want a JSON body {"user":"…","password":"…"}`)
		return
	}
	ip := clientAddr(r)
	// An unknown name is not logged: it is often a password typed into
	// the wrong field.
	name := "(unknown)"
	if _, known := g.accounts[req.User]; known {
		name = logName(req.User)
	}
	if req.User == "" || len(req.User) > maxNameLen || len(req.Password) > maxPasswordLen {
		// Nothing to hash; still counts against the address.
		req.User = ""
	}
	keys := []string{"ip:" + ip, "user:" + req.User}
	now := g.now()
	if wait, ok := g.limits.begin(keys, now); !ok {
		g.log.Warn("sign-in refused", "user", name, "ip", ip, "reason", "too many failures")
		refuseTooMany(w, wait)
		return
	}
	acc, ok := g.checkPassword(r, req.User, req.Password)
	g.limits.end(keys, ok, g.now())
	if !ok {
		g.log.Warn("sign-in refused", "user", name, "ip", ip, "reason", "wrong user name or password")
		writeError(w, http.StatusUnauthorized, errWrongLogin)
		return
	}
	if hadSession { // a fresh id on every login: no fixation
		g.sessions.remove(old.key)
	}
	id, v, err := g.sessions.create(req.User, acc.role, g.now())
	if err != nil {
		writeError(w, http.StatusInternalServerError, "cannot start a session")
		return
	}
	g.setCookie(w, id, g.now())
	g.log.Info("signed in", "user", name, "ip", ip, "role", acc.role)
	writeJSON(w, http.StatusOK, loginAnswer{User: req.User, Role: v.role, CSRF: v.csrf})
}

// refuseTooMany answers 429 with Retry-After: the client is locked out.
func refuseTooMany(w http.ResponseWriter, wait time.Duration) {
	secs := int((wait + time.Second - 1) / time.Second)
	w.Header().Set("Retry-After", fmt.Sprint(secs))
	writeError(w, http.StatusTooManyRequests, fmt.Sprintf("too many failed sign-ins; try again in %d s", secs))
}

// checkPassword does the same work for an unknown name as for a known one.
func (g *Guard) checkPassword(r *http.Request, name, pw string) (account, bool) {
	select {
	case g.hashing <- struct{}{}:
	case <-r.Context().Done():
		return account{}, false
	}
	defer func() { <-g.hashing }()
	acc, known := g.accounts[name]
	h := g.dummy
	if known {
		h = acc.hash
	}
	match := h.Verify(pw)
	return acc, known && match
}

func (g *Guard) serveLogout(w http.ResponseWriter, r *http.Request, s sessionView, signedIn bool) {
	if signedIn {
		g.sessions.remove(s.key)
		g.log.Info("signed out", "user", logName(s.user), "ip", clientAddr(r))
	}
	g.clearCookie(w)
	writeJSON(w, http.StatusOK, map[string]bool{"ok": true})
}

func (g *Guard) serveMe(w http.ResponseWriter, s sessionView, signedIn bool) {
	if !signedIn {
		writeJSON(w, http.StatusUnauthorized, map[string]bool{"auth": true})
		return
	}
	writeJSON(w, http.StatusOK, meAnswer{Auth: true, User: s.user, Role: s.role, CSRF: s.csrf})
}

type ticketRequest struct {
	Path string `json:"path"`
	TTL  string `json:"ttl"`
}

type ticketAnswer struct {
	Ticket  string    `json:"ticket"`
	URL     string    `json:"url"`
	Expires time.Time `json:"expires"`
}

func (g *Guard) serveTicket(w http.ResponseWriter, r *http.Request, s sessionView) {
	var req ticketRequest
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, maxBody))
	if err := dec.Decode(&req); err != nil {
		writeError(w, http.StatusBadRequest, `want a JSON body {"path":"/live/c1.flv","ttl":"10m"}`)
		return
	}
	if !validPrefix(req.Path) {
		writeError(w, http.StatusBadRequest, "path: want a clean path under /live/, /hls/, /records/ or /snapshots/ (at most 256 bytes)")
		return
	}
	ttl := defaultTicket
	if req.TTL != "" {
		d, err := time.ParseDuration(req.TTL)
		if err != nil || d <= 0 || d > MaxTicketTTL {
			writeError(w, http.StatusBadRequest, fmt.Sprintf("ttl: want a duration like \"10m\", above 0 and at most %v", MaxTicketTTL))
			return
		}
		ttl = d
	}
	t := g.Mint(req.Path, ttl)
	expires := g.now().Add(ttl).UTC().Truncate(time.Second)
	g.log.Info("signed link made", "user", logName(s.user), "ip", clientAddr(r), "path", req.Path, "ttl", ttl.String())
	writeJSON(w, http.StatusOK, ticketAnswer{Ticket: t, URL: req.Path + "?ticket=" + t, Expires: expires})
}

// logName makes a user name safe to log: valid UTF-8, at most 64 runes.
func logName(s string) string {
	s = strings.ToValidUTF8(s, "?")
	if utf8.RuneCountInString(s) > 64 {
		s = string([]rune(s)[:64]) + "…"
	}
	return s
}

func writeJSON(w http.ResponseWriter, code int, v any) {
	h := w.Header()
	h.Set("Content-Type", "application/json; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	w.WriteHeader(code)
	_ = json.NewEncoder(w).Encode(v) // the client went away: nothing to do
}

func writeError(w http.ResponseWriter, code int, msg string) {
	writeJSON(w, code, map[string]string{"error": msg})
}

func writeText(w http.ResponseWriter, code int, msg string) {
	h := w.Header()
	h.Set("Content-Type", "text/plain; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	w.WriteHeader(code)
	_, _ = fmt.Fprintln(w, msg)
}
