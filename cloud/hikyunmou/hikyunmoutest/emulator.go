// Package hikyunmoutest is an emulator of the Hikvision 云眸·普教 open API for
// tests, written from the vendor document (seed 000) and lubo's issue 8: an
// OAuth client-credentials token endpoint with expiry on an injectable clock,
// device registration answering {"code","message","data"}, and the 设备确权
// calls, whose answers follow the device's online state as the test sets it.
// It records the time of every poll so tests can check the document's spacing
// (>= 5 s) and limits (120 s, 180 s, 20 min).
//
// The document prints no code other than 515019 and no answer for the 确权
// calls beyond "success"; the emulator's other codes (Code* constants) are its
// own and a client must only rely on "200" meaning success.
package hikyunmoutest

import (
	"crypto/rand"
	"encoding/hex"
	"net/http"
	"net/http/httptest"
	"sync"
	"time"
)

// Codes the emulator answers. Only 515019 is the document's.
const (
	CodeOK                = "200"
	CodeNeedsConfirm      = "515019" // 设备需要确权 (the document's)
	CodeBadParameter      = "400"    // 参数错误 (emulator's choice)
	CodeNoDevice          = "515001" // 设备不存在 (emulator's choice)
	CodeBadValidateCode   = "515002" // 验证码错误 (emulator's choice)
	CodeAlreadyAdded      = "515003" // 设备已添加 (emulator's choice)
	CodeAutoConfirmFailed = "515020" // 自动确权失败 (emulator's choice)
	CodeStillOnline       = "515021" // 设备未下线 (emulator's choice)
	CodeNotOnline         = "515022" // 设备未上线 (emulator's choice)
	CodeNoOfflineConfirm  = "515023" // 未完成下线确认 (emulator's choice)
)

// Device is a device known to the emulated cloud.
type Device struct {
	Serial       string
	ValidateCode string
	NeedsConfirm bool // register answers 515019 until 确权 completes
	AutoConfirm  bool // auto-confirm succeeds
	Online       bool
}

// Config sets up an Emulator. Zero fields take the default in their comment.
type Config struct {
	Now      func() time.Time // default time.Now; share a Clock with the client
	TokenTTL time.Duration    // expires_in; default 7 days
	// Paths, when set, replace the default paths (the client's Paths must match).
	Token, Register, AutoConfirm, OfflineConfirm, OnlineConfirm string
}

// PollKind names a 确权 call.
type PollKind string

// The 确权 calls.
const (
	PollAuto    PollKind = "auto"
	PollOffline PollKind = "offline"
	PollOnline  PollKind = "online"
)

// Poll is one 确权 call as the emulator saw it.
type Poll struct {
	Kind PollKind
	At   time.Time
	OK   bool
}

// Call is one request the emulator received.
type Call struct {
	Path string
	At   time.Time
}

type device struct {
	Device
	changes          []stateChange // scheduled online/offline changes
	offlineConfirmed bool
	confirmed        bool
	registered       bool
	polls            []Poll
}

type stateChange struct {
	at     time.Time
	online bool
}

type fault struct {
	status int
	raw    string
	code   string
	msg    string
}

type stall struct {
	release, arrived chan struct{}
	once             sync.Once
}

// Emulator is a running emulated cloud. Its methods are safe for concurrent use.
type Emulator struct {
	srv *httptest.Server
	cfg Config

	mu      sync.Mutex
	clients map[string]string // client_id -> client_secret
	tokens  map[string]time.Time
	devices map[string]*device
	faults  map[string][]fault
	calls   []Call
	stall   *stall

	rejectTokens int
}

// New starts an emulator on a free local port; Close it when done.
func New(cfg Config) *Emulator {
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.TokenTTL <= 0 {
		cfg.TokenTTL = 7 * 24 * time.Hour
	}
	for _, p := range []struct {
		field *string
		def   string
	}{
		{&cfg.Token, "/oauth/token"},
		{&cfg.Register, "/api/v1/open/basic/devices/create"},
		{&cfg.AutoConfirm, "/v1/carrier/wing/endpoint/confirm/right/autoconfirm"},
		{&cfg.OfflineConfirm, "/v1/carrier/wing/endpoint/confirm/right/offlineconfirm"},
		{&cfg.OnlineConfirm, "/v1/carrier/wing/endpoint/confirm/right/onlineconfirm"},
	} {
		if *p.field == "" {
			*p.field = p.def
		}
	}
	e := &Emulator{
		cfg:     cfg,
		clients: map[string]string{},
		tokens:  map[string]time.Time{},
		devices: map[string]*device{},
		faults:  map[string][]fault{},
	}
	mux := http.NewServeMux()
	mux.HandleFunc(cfg.Token, e.handleToken)
	mux.HandleFunc(cfg.Register, e.handleRegister)
	mux.HandleFunc(cfg.AutoConfirm, e.confirmHandler(PollAuto))
	mux.HandleFunc(cfg.OfflineConfirm, e.confirmHandler(PollOffline))
	mux.HandleFunc(cfg.OnlineConfirm, e.confirmHandler(PollOnline))
	e.srv = httptest.NewServer(mux)
	return e
}

// URL is the emulator's base URL.
func (e *Emulator) URL() string { return e.srv.URL }

// Close stops the emulator and releases stalled requests.
func (e *Emulator) Close() {
	e.mu.Lock()
	if e.stall != nil {
		close(e.stall.release)
		e.stall = nil
	}
	e.mu.Unlock()
	e.srv.Close()
}

func randomHex(n int) string {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		panic(err) // crypto/rand does not fail on supported platforms
	}
	return hex.EncodeToString(b)
}

// Calls returns the requests received on path ("" = all), oldest first.
func (e *Emulator) Calls(path string) []Call {
	e.mu.Lock()
	defer e.mu.Unlock()
	var out []Call
	for _, c := range e.calls {
		if path == "" || c.Path == path {
			out = append(out, c)
		}
	}
	return out
}
