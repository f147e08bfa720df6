package onenettest

import (
	"net/http"
	"net/http/httptest"
	"time"
)

// controls are the test's levers on how the next requests are answered.
type controls struct {
	down       bool
	latency    time.Duration
	hold       chan struct{} // non-nil: requests wait until it is closed
	failN      int
	failPath   string // "" for any path
	failStatus int
	failErrno  int
	garbageN   int
	garbage    string
	dropN      int
}

// SetDown makes every request answer HTTP 503 (errno 503) until called
// with false.
func (e *Emulator) SetDown(down bool) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.ctl.down = down
}

// SetLatency delays every answer by d (0: none); a request whose client
// gives up is abandoned.
func (e *Emulator) SetLatency(d time.Duration) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.ctl.latency = d
}

// Hold makes requests wait, unanswered, until Release (or until their
// client gives up).
func (e *Emulator) Hold() {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.ctl.hold == nil {
		e.ctl.hold = make(chan struct{})
	}
}

// Release lets held requests through.
func (e *Emulator) Release() {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.ctl.hold != nil {
		close(e.ctl.hold)
		e.ctl.hold = nil
	}
}

// FailNext makes the next n requests answer httpStatus with
// {"errno": errno, "error": "injected failure"} without acting on them.
// errno 0 becomes ErrnoInternal.
func (e *Emulator) FailNext(n, httpStatus, errno int) { e.FailNextOn("", n, httpStatus, errno) }

// FailNextOn is FailNext for requests to one path (e.g.
// "/ipc/video/picture/get_info"); others are answered normally.
func (e *Emulator) FailNextOn(path string, n, httpStatus, errno int) {
	if errno == 0 {
		errno = ErrnoInternal
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	e.ctl.failN, e.ctl.failPath, e.ctl.failStatus, e.ctl.failErrno = n, path, httpStatus, errno
}

// GarbageNext makes the next n requests answer HTTP 200 with body instead
// of JSON, without acting on them.
func (e *Emulator) GarbageNext(n int, body string) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.ctl.garbageN, e.ctl.garbage = n, body
}

// DropNextAnswers makes the next n requests take effect but lose their
// answer: the connection is closed before anything is written, as when a
// mobile uplink drops after the upload arrived.
func (e *Emulator) DropNextAnswers(n int) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.ctl.dropN = n
}

// Requests is how many requests have reached the emulator.
func (e *Emulator) Requests() int {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.count
}

// verdict is what the controls decided for one request.
type verdict struct {
	down       bool
	latency    time.Duration
	hold       chan struct{}
	fail       bool
	failStatus int
	failErrno  int
	garbage    *string
	drop       bool
}

func (e *Emulator) decide(path string) verdict {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.count++
	v := verdict{down: e.ctl.down, latency: e.ctl.latency, hold: e.ctl.hold}
	switch {
	case v.down:
	case e.ctl.failN > 0 && (e.ctl.failPath == "" || e.ctl.failPath == path):
		e.ctl.failN--
		v.fail, v.failStatus, v.failErrno = true, e.ctl.failStatus, e.ctl.failErrno
	case e.ctl.garbageN > 0:
		e.ctl.garbageN--
		g := e.ctl.garbage
		v.garbage = &g
	case e.ctl.dropN > 0:
		e.ctl.dropN--
		v.drop = true
	}
	return v
}

// ServeHTTP applies the controls, then answers as the platform would.
func (e *Emulator) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	v := e.decide(r.URL.Path)
	if v.hold != nil {
		select {
		case <-v.hold:
		case <-r.Context().Done():
			return
		}
	}
	if v.latency > 0 {
		t := time.NewTimer(v.latency)
		select {
		case <-t.C:
		case <-r.Context().Done():
			t.Stop()
			return
		}
	}
	switch {
	case v.down:
		writeJSON(w, http.StatusServiceUnavailable, map[string]any{"errno": 503, "error": "service unavailable"})
	case v.fail:
		writeJSON(w, v.failStatus, map[string]any{"errno": v.failErrno, "error": "injected failure"})
	case v.garbage != nil:
		w.Header().Set("Content-Type", "text/html")
		_, _ = w.Write([]byte(*v.garbage))
	case v.drop:
		e.route(httptest.NewRecorder(), r)
		dropConnection(w)
	default:
		e.route(w, r)
	}
}

// dropConnection closes the client's connection without an answer.
func dropConnection(w http.ResponseWriter) {
	if hj, ok := w.(http.Hijacker); ok {
		if conn, _, err := hj.Hijack(); err == nil {
			_ = conn.Close()
			return
		}
	}
	panic(http.ErrAbortHandler) // net/http closes the connection quietly
}
