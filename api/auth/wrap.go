package auth

import (
	"crypto/subtle"
	"net/http"
	"net/url"
	"strings"
)

// Wrap enforces the route policy (see the package doc) in front of next
// and serves the /api/auth/ endpoints itself.
func (g *Guard) Wrap(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rt := classify(r)
		if rt.access == accessOwn {
			next.ServeHTTP(w, r)
			return
		}
		if !safeMethod(r.Method) && !sameOrigin(r) {
			refuseCSRF(w)
			return
		}
		if g.open {
			g.serveOpen(w, withUser(r, user{role: RoleAdmin}), rt, next)
			return
		}
		if tok, ok := bearerToken(r); ok && rt.api {
			// No cookie is looked at, so no CSRF check is due.
			g.serveWithCLIToken(w, r, rt, tok, next)
			return
		}
		sess, signedIn := g.sessionOf(w, r)
		if signedIn && !safeMethod(r.Method) && rt.path != pathLogin && !csrfTokenOK(r, sess.csrf) {
			refuseCSRF(w)
			return
		}
		if signedIn {
			r = withUser(r, user{name: sess.user, role: sess.role})
		}
		switch {
		case rt.path == pathLogin && r.Method == http.MethodPost:
			g.serveLogin(w, r, sess, signedIn)
			return
		case rt.path == pathLogout && r.Method == http.MethodPost:
			g.serveLogout(w, r, sess, signedIn)
			return
		case rt.path == pathMe && r.Method == http.MethodGet:
			g.serveMe(w, sess, signedIn)
			return
		}
		switch rt.access {
		case accessPublic:
			next.ServeHTTP(w, r)
		case accessMetrics:
			if signedIn || g.metricsTokenOK(r) {
				next.ServeHTTP(w, r)
				return
			}
			w.Header().Set("WWW-Authenticate", `Bearer realm="lubo metrics"`)
			writeError(w, http.StatusUnauthorized, "sign in or send Authorization: Bearer <metrics_token>")
		case accessViewer:
			switch {
			case signedIn:
				next.ServeHTTP(w, r)
			case rt.media:
				g.serveWithTicket(w, r, rt, next)
			default:
				writeError(w, http.StatusUnauthorized, "sign in first")
			}
		default: // accessAdmin
			switch {
			case !signedIn:
				writeError(w, http.StatusUnauthorized, "sign in first")
			case sess.role != RoleAdmin:
				writeError(w, http.StatusForbidden, "admin only")
			case rt.path == pathTicket && r.Method == http.MethodPost:
				g.serveTicket(w, r, sess)
			default:
				next.ServeHTTP(w, r)
			}
		}
	})
}

// serveOpen is Wrap with auth off: everything passes, as the demo does.
func (g *Guard) serveOpen(w http.ResponseWriter, r *http.Request, rt route, next http.Handler) {
	switch {
	case rt.path == pathMe && r.Method == http.MethodGet:
		writeJSON(w, http.StatusOK, meAnswer{Auth: false, Role: RoleAdmin})
	case rt.path == pathLogin && r.Method == http.MethodPost:
		writeError(w, http.StatusNotFound, "sign-in is off: the config has no auth section")
	case rt.path == pathLogout && r.Method == http.MethodPost:
		writeJSON(w, http.StatusOK, map[string]bool{"ok": true})
	case rt.path == pathTicket && r.Method == http.MethodPost:
		g.serveTicket(w, r, sessionView{})
	default:
		next.ServeHTTP(w, r)
	}
}

// serveWithTicket lets a media request through on a valid ticket.
func (g *Guard) serveWithTicket(w http.ResponseWriter, r *http.Request, rt route, next http.Handler) {
	t := r.URL.Query().Get("ticket")
	if t == "" {
		writeText(w, http.StatusUnauthorized, "sign in or use a signed link")
		return
	}
	if rt.path != r.URL.Path { // a ticket opens only what it names, as written
		writeText(w, http.StatusUnauthorized, errTicketPath.Error())
		return
	}
	if err := g.tickets.verify(t, rt.path, g.now()); err != nil {
		writeText(w, http.StatusUnauthorized, err.Error())
		return
	}
	r = withUser(r, user{role: RoleViewer})
	if r.Method == http.MethodGet && strings.HasSuffix(rt.path, ".m3u8") {
		pw := &playlistWriter{ResponseWriter: w, ticket: t}
		next.ServeHTTP(pw, r)
		pw.finish()
		return
	}
	next.ServeHTTP(w, r)
}

func (g *Guard) metricsTokenOK(r *http.Request) bool {
	if g.metrics == nil {
		return false
	}
	tok, ok := bearerToken(r)
	if !ok || len(tok) > maxBearerLen {
		return false
	}
	return subtle.ConstantTimeCompare([]byte(tok), g.metrics) == 1
}

func refuseCSRF(w http.ResponseWriter) { writeError(w, http.StatusForbidden, "csrf") }

// csrfTokenOK compares the X-CSRF-Token header with the session's token in
// constant time.
func csrfTokenOK(r *http.Request, want string) bool {
	got := r.Header.Get("X-CSRF-Token")
	return got != "" && subtle.ConstantTimeCompare([]byte(got), []byte(want)) == 1
}

// sameOrigin reports whether a request's Origin header, when present,
// names the host it was sent to. "null" and unparsable origins fail.
func sameOrigin(r *http.Request) bool {
	o := r.Header.Get("Origin")
	if o == "" {
		return true
	}
	u, err := url.Parse(o)
	if err != nil || u.Host == "" || (u.Scheme != "http" && u.Scheme != "https") {
		return false
	}
	reqScheme := "http"
	if r.TLS != nil {
		reqScheme = "https"
	}
	return normalHost(u.Scheme, u.Host) == normalHost(reqScheme, r.Host)
}

// normalHost lower-cases a host and drops the scheme's default port.
func normalHost(scheme, host string) string {
	host = strings.ToLower(host)
	switch {
	case scheme == "http" && strings.HasSuffix(host, ":80"):
		return strings.TrimSuffix(host, ":80")
	case scheme == "https" && strings.HasSuffix(host, ":443"):
		return strings.TrimSuffix(host, ":443")
	}
	return host
}
