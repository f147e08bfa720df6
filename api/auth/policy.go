package auth

import (
	"net/http"
	"path"
	"strings"
)

// access is what a request needs to pass, by method and path.
type access int

const (
	// accessOwn: the box API (/api/v1, /play): its own scheme; untouched.
	accessOwn access = iota
	// accessPublic: anyone; a session is still recognised if present.
	accessPublic
	// accessMetrics: the metrics bearer token or any session.
	accessMetrics
	// accessViewer: any session; for media paths also a ticket.
	accessViewer
	// accessAdmin: an admin session.
	accessAdmin
)

// The guard's own endpoints.
const (
	pathLogin  = "/api/auth/login"
	pathLogout = "/api/auth/logout"
	pathMe     = "/api/auth/me"
	pathTicket = "/api/auth/ticket"
)

// mediaPrefixes are the paths a ticket can open.
var mediaPrefixes = []string{"/live/", "/hls/", "/records/", "/snapshots/"}

// adminReads are GET /api/… paths only an admin may read.
var adminReads = []string{"/api/outbox", "/api/cloud/", "/api/dash/admin/"}

// route is a request's judged path and what it needs.
type route struct {
	path   string // cleaned
	access access
	media  bool // a media path: a ticket may open it
	api    bool // an /api/ path the CLI token may open
}

// classify judges a request. The path is cleaned first, as http.ServeMux
// would redirect it, so "/live/../api/x" is judged as "/api/x".
func classify(r *http.Request) route {
	p := cleanPath(r.URL.Path)
	rt := route{path: p}
	if under(p, "/api/v1") || under(p, "/play") {
		rt.access = accessOwn
		return rt
	}
	if strings.Contains(strings.ToLower(r.URL.RawPath), "%2f") {
		// An encoded slash splits differently for the guard and for a
		// router: grant nothing on the guard's reading of it.
		rt.access = accessAdmin
		rt.api = cliTokenPath(p)
		return rt
	}
	read := r.Method == http.MethodGet || r.Method == http.MethodHead
	isMedia := hasAnyPrefix(p, mediaPrefixes)
	switch {
	case r.Method == http.MethodPost && (p == pathLogin || p == pathLogout):
		rt.access = accessPublic
	case r.Method == http.MethodGet && p == pathMe:
		rt.access = accessPublic
	case read && (p == "/healthz" || p == "/" || p == "/favicon.ico" || strings.HasPrefix(p, "/assets/")):
		rt.access = accessPublic
	case read && p == "/metrics":
		rt.access = accessMetrics
	case isMedia && r.Method == http.MethodOptions:
		rt.access = accessPublic
	case isMedia && read:
		rt.access, rt.media = accessViewer, true
	case read && strings.HasPrefix(p, "/api/") && !isAdminRead(p):
		rt.access = accessViewer
	default:
		rt.access = accessAdmin
	}
	rt.api = rt.access >= accessViewer && cliTokenPath(p)
	return rt
}

// cliTokenPath: the CLI token opens the API, not the guard's own
// endpoints (sign-in, tickets) nor the pages and media.
func cliTokenPath(p string) bool {
	return strings.HasPrefix(p, "/api/") && !strings.HasPrefix(p, "/api/auth/")
}

func isAdminRead(p string) bool {
	for _, a := range adminReads {
		if strings.HasSuffix(a, "/") {
			if strings.HasPrefix(p, a) || p == strings.TrimSuffix(a, "/") {
				return true
			}
		} else if under(p, a) {
			return true
		}
	}
	return false
}

// cleanPath is path.Clean keeping a trailing slash ("/hls/c1/" stays).
func cleanPath(p string) string {
	if p == "" || p[0] != '/' {
		p = "/" + p
	}
	c := path.Clean(p)
	if strings.HasSuffix(p, "/") && c != "/" {
		c += "/"
	}
	return c
}

// under reports whether p is prefix itself or below it. A prefix ending
// in "/" covers what starts with it; "/live/c1.flv" covers itself and
// "/live/c1.flv/…", never "/live/c1.flv2".
func under(p, prefix string) bool {
	if strings.HasSuffix(prefix, "/") {
		return strings.HasPrefix(p, prefix)
	}
	return p == prefix || strings.HasPrefix(p, prefix+"/")
}

func hasAnyPrefix(p string, prefixes []string) bool {
	for _, x := range prefixes {
		if strings.HasPrefix(p, x) {
			return true
		}
	}
	return false
}

// safeMethod: methods that must not change state.
func safeMethod(m string) bool {
	return m == http.MethodGet || m == http.MethodHead || m == http.MethodOptions
}
