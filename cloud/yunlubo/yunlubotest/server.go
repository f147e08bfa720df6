// Package yunlubotest is an in-memory 云录播 server for tests, written from
// the vendor document (lubo's seeds/004): every §3 endpoint in both URL forms,
// GET only, case-sensitive paths, tokens that expire after 7200 s on an
// injectable clock, the documented err_codes where the document puts them,
// paging as documented, and add/mod/del changing the state. Tests can make
// it slow, fail, answer garbage, go down and come back, and expire tokens.
package yunlubotest

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"sync"
	"testing"
	"time"

	"github.com/lubo-edge/lubo/cloud/yunlubo"
)

// TokenLifetime is the document's token lifetime.
const TokenLifetime = 7200 * time.Second

// Server is the emulated 云录播 server. Its zero value is not usable: use New
// or Start.
type Server struct {
	// URL is the base URL when started with Start.
	URL string

	mu       sync.Mutex
	now      time.Time
	accounts map[string]bool // unionid -> has API access
	tokens   map[string]time.Time
	data     tables
	storage  string
	// exampleNames writes image_fds and device_cmd_prot as the document's
	// example does, instead of the field list's names.
	exampleNames bool

	// test controls
	delay     time.Duration
	failHTTP  []int
	failCodes []codedFailure
	garbage   int
	down      bool
	hook      func(endpoint string, params url.Values)
	requests  map[string]int
	issued    int
}

type codedFailure struct {
	endpoint string
	code     int
}

// New returns an empty server whose clock reads 2026-09-01 08:00:00 UTC.
func New() *Server {
	return &Server{
		now:      time.Date(2026, 9, 1, 8, 0, 0, 0, time.UTC),
		accounts: map[string]bool{},
		tokens:   map[string]time.Time{},
		data:     newTables(),
		storage:  "http://192.168.1.70:80",
		requests: map[string]int{},
	}
}

// Start runs a new server on an httptest listener (port 0), closed at the
// end of the test.
func Start(tb testing.TB) *Server {
	tb.Helper()
	s := New()
	hs := httptest.NewServer(s)
	tb.Cleanup(hs.Close)
	s.URL = hs.URL
	return s
}

// Now is the server's clock.
func (s *Server) Now() time.Time {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.now
}

// SetNow sets the server's clock.
func (s *Server) SetNow(t time.Time) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.now = t
}

// Advance moves the server's clock forward.
func (s *Server) Advance(d time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.now = s.now.Add(d)
}

// AddAccount registers a unionid; apiAccess false makes access_token answer
// 1003 for it.
func (s *Server) AddAccount(unionid string, apiAccess bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.accounts[unionid] = apiAccess
}

// ExpireTokens makes every issued token expired (1007 on use).
func (s *Server) ExpireTokens() {
	s.mu.Lock()
	defer s.mu.Unlock()
	for t := range s.tokens {
		s.tokens[t] = s.now
	}
}

// ForgetTokens drops every issued token (1006 on use, as for a token the
// server cannot parse).
func (s *Server) ForgetTokens() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.tokens = map[string]time.Time{}
}

// TokensIssued counts successful access_token answers.
func (s *Server) TokensIssued() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.issued
}

// Requests counts requests that reached an endpoint (down ones included).
func (s *Server) Requests(endpoint string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.requests[endpoint]
}

// SetDelay makes every request wait d (or until the request is cancelled)
// before it is answered.
func (s *Server) SetDelay(d time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.delay = d
}

// FailHTTP makes the next n requests answer the HTTP status (e.g. 500).
func (s *Server) FailHTTP(n, status int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for range n {
		s.failHTTP = append(s.failHTTP, status)
	}
}

// FailCode makes the next n requests to endpoint ("" for any) answer the
// err_code with its documented err_msg.
func (s *Server) FailCode(endpoint string, n, code int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for range n {
		s.failCodes = append(s.failCodes, codedFailure{endpoint, code})
	}
}

// Garbage makes the next n requests answer malformed JSON with status 200.
func (s *Server) Garbage(n int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.garbage += n
}

// SetDown(true) makes the server drop every connection without an answer
// until SetDown(false).
func (s *Server) SetDown(down bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.down = down
}

// OnRequest calls f (outside the server's lock) with each parsed request
// before it is answered; nil removes it. Tests use it to act between pages.
func (s *Server) OnRequest(f func(endpoint string, params url.Values)) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.hook = f
}

// SetStorageAddr sets list_camera's and list_record's storage_addr.
func (s *Server) SetStorageAddr(addr string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.storage = addr
}

// UseExampleFieldNames(true) writes image_fds and device_cmd_prot, as the
// document's list_camera example spells them.
func (s *Server) UseExampleFieldNames(on bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.exampleNames = on
}

var unionidPattern = regexp.MustCompile(`^[A-Za-z0-9_-]{1,128}$`)

func newToken() string {
	b := make([]byte, 16)
	if _, err := rand.Read(b); err != nil {
		panic(err) // crypto/rand does not fail on supported platforms
	}
	return hex.EncodeToString(b)
}

// ServeHTTP answers one request.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	endpoint, params, perr := yunlubo.ParseRequest(r)
	s.mu.Lock()
	s.requests[endpoint]++
	down, delay, hook := s.down, s.delay, s.hook
	s.mu.Unlock()
	if down {
		dropConnection(w)
		return
	}
	if perr != nil {
		status := http.StatusBadRequest
		switch {
		case errors.Is(perr, yunlubo.ErrNotGET):
			status = http.StatusMethodNotAllowed
		case errors.Is(perr, yunlubo.ErrUnknownEndpoint):
			status = http.StatusNotFound
		}
		http.Error(w, perr.Error(), status)
		return
	}
	if hook != nil {
		hook(endpoint, params)
	}
	if delay > 0 {
		t := time.NewTimer(delay)
		select {
		case <-r.Context().Done():
			t.Stop()
			return
		case <-t.C:
		}
	}
	s.mu.Lock()
	if len(s.failHTTP) > 0 {
		status := s.failHTTP[0]
		s.failHTTP = s.failHTTP[1:]
		s.mu.Unlock()
		http.Error(w, http.StatusText(status), status)
		return
	}
	if s.garbage > 0 {
		s.garbage--
		s.mu.Unlock()
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
		_, _ = w.Write([]byte(`{"err_code":0,"err_msg":"OK","total_num":3,"data":[{"camera_id":1,`))
		return
	}
	ans := s.answer(endpoint, params, r.Host)
	s.mu.Unlock()
	writeJSON(w, ans)
}

// answer runs under s.mu.
func (s *Server) answer(endpoint string, params url.Values, host string) any {
	for i, f := range s.failCodes {
		if f.endpoint == "" || f.endpoint == endpoint {
			s.failCodes = append(s.failCodes[:i:i], s.failCodes[i+1:]...)
			return errAnswer(endpoint, f.code)
		}
	}
	if yunlubo.NeedsToken(endpoint) {
		tok := params.Get("token")
		exp, known := s.tokens[tok]
		switch {
		case tok == "":
			return errAnswer(endpoint, yunlubo.CodeNoToken)
		case !known:
			return errAnswer(endpoint, yunlubo.CodeTokenInvalid)
		case !s.now.Before(exp):
			return errAnswer(endpoint, yunlubo.CodeTokenExpired)
		}
	}
	if err := yunlubo.ValidateParams(endpoint, params); err != nil {
		var e *yunlubo.Error
		if errors.As(err, &e) {
			return errAnswer(endpoint, e.Code)
		}
	}
	h := handlers[endpoint]
	ans, code := h(s, params, host)
	if code != 0 {
		return errAnswer(endpoint, code)
	}
	return ans
}

// dropConnection closes the connection without an answer (a server that is
// down); without a hijackable connection it answers 503.
func dropConnection(w http.ResponseWriter) {
	hj, ok := w.(http.Hijacker)
	if !ok {
		http.Error(w, "down", http.StatusServiceUnavailable)
		return
	}
	conn, _, err := hj.Hijack()
	if err != nil {
		http.Error(w, "down", http.StatusServiceUnavailable)
		return
	}
	_ = conn.Close()
}
