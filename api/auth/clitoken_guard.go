package auth

import (
	"net/http"
	"strings"
)

// maxBearerLen bounds the token compared; longer ones are wrong anyway.
const maxBearerLen = 512

// bearerToken returns the token of an "Authorization: Bearer …" header
// (the scheme is case-insensitive, RFC 7235).
func bearerToken(r *http.Request) (string, bool) {
	scheme, tok, _ := strings.Cut(strings.TrimSpace(r.Header.Get("Authorization")), " ")
	if !strings.EqualFold(scheme, "Bearer") {
		return "", false
	}
	return strings.TrimSpace(tok), true // "Bearer" alone is an empty, wrong token
}

// serveWithCLIToken lets an API request through as admin on the CLI
// token. Every attempt goes through the sign-in limiter of the client's
// address, so a wrong token counts as a failed sign-in and a locked-out
// address cannot keep guessing.
func (g *Guard) serveWithCLIToken(w http.ResponseWriter, r *http.Request, rt route, tok string, next http.Handler) {
	ip := clientAddr(r)
	keys := []string{"ip:" + ip}
	if wait, ok := g.limits.begin(keys, g.now()); !ok {
		g.log.Warn("bearer token refused", "ip", ip, "path", rt.path, "reason", "too many failures")
		refuseTooMany(w, wait)
		return
	}
	ok := len(tok) <= maxBearerLen && g.cli.matches(tok)
	g.limits.end(keys, ok, g.now())
	if !ok {
		g.log.Warn("bearer token refused", "ip", ip, "path", rt.path, "reason", "wrong token")
		w.Header().Set("WWW-Authenticate", `Bearer realm="lubo", error="invalid_token"`)
		writeError(w, http.StatusUnauthorized, "wrong bearer token")
		return
	}
	g.log.Debug("CLI token accepted", "ip", ip, "method", r.Method, "path", rt.path)
	next.ServeHTTP(w, withUser(r, user{name: CLIUser, role: RoleAdmin}))
}
