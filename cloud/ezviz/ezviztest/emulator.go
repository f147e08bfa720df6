// Package ezviztest is an emulator of the Ezviz open platform for tests,
// written from the vendor document (seed 002) and its decisions: form-encoded
// POSTs, {"code","msg","data"} answers with code "200", access tokens that
// expire on an injectable clock (an expired token answers 10002), the
// documented refusal codes, devices seeded by the test, stream addresses built
// from a test-settable base URL, and controls to make it slow, fail or answer garbage.
package ezviztest

import (
	"crypto/rand"
	"encoding/hex"
	"net/http"
	"net/http/httptest"
	"net/url"
	"sync"
	"time"
)

// Device is a device registered in the emulated cloud.
type Device struct {
	Serial    string
	Channels  int    // channels 1..Channels exist; 0 means 1
	Online    bool   // offline devices answer 20007
	Encrypted bool   // encrypted devices answer 60019 for addresses
	PTZ       bool   // devices without PTZ answer 60000 to PTZ calls
	Owner     string // appKey of the account that owns it; "" = owned by every app
	// StreamURL, when set, is the base of this device's addresses (the emulator
	// appends its query); otherwise StreamBase/openlive/SERIAL_CH_Q is used.
	StreamURL string
}

// Config sets up an Emulator.
type Config struct {
	Now        func() time.Time // default time.Now; share a Clock with the client
	TokenTTL   time.Duration    // default 7 days
	StreamBase string           // default rtmp://127.0.0.1:1935/v3
}

// Call is one request the emulator received.
type Call struct {
	Path string
	Form url.Values
	At   time.Time
}

// PTZState is what a channel's PTZ is doing.
type PTZState struct {
	Moving    bool
	Direction int
	Speed     int
	Starts    int
	Stops     int
}

type app struct {
	secret string
	frozen bool
}

type issuedToken struct {
	appKey  string
	expires time.Time
}

type fault struct {
	status int    // HTTP status; 0 = 200
	raw    string // body as is, when set
	code   string // an Ezviz code, when raw is empty
	msg    string
}

type chanKey struct {
	serial  string
	channel int
}

// Emulator is a running emulated cloud. Its methods are safe for concurrent use.
type Emulator struct {
	srv *httptest.Server
	cfg Config
	key []byte // signs stream addresses

	mu         sync.Mutex
	apps       map[string]*app
	tokens     map[string]issuedToken
	devices    map[string]Device
	ptz        map[chanKey]PTZState
	faults     map[string][]fault
	calls      []Call
	addressTTL time.Duration
	bareURLs   bool
	stall      *stall
	nextID     int64
}

// New starts an emulator on a free local port; Close it when done.
func New(cfg Config) *Emulator {
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.TokenTTL <= 0 {
		cfg.TokenTTL = 7 * 24 * time.Hour
	}
	if cfg.StreamBase == "" {
		cfg.StreamBase = "rtmp://127.0.0.1:1935/v3"
	}
	e := &Emulator{
		cfg:     cfg,
		key:     randomBytes(32),
		apps:    map[string]*app{},
		tokens:  map[string]issuedToken{},
		devices: map[string]Device{},
		ptz:     map[chanKey]PTZState{},
		faults:  map[string][]fault{},
		nextID:  247116619786670080,
	}
	e.srv = httptest.NewServer(e.routes())
	return e
}

// URL is the emulator's base URL, for the client's BaseURL.
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

func randomBytes(n int) []byte {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		panic(err) // crypto/rand does not fail on supported platforms
	}
	return b
}

func randomHex(n int) string { return hex.EncodeToString(randomBytes(n)) }

func (e *Emulator) routes() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("/api/lapp/token/get", e.handleToken)
	mux.HandleFunc("/api/lapp/v2/live/address/get", e.handleAddress)
	mux.HandleFunc("/api/lapp/device/ptz/start", e.handlePTZStart)
	mux.HandleFunc("/api/lapp/device/ptz/stop", e.handlePTZStop)
	return mux
}
