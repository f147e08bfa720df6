// Package onenettest is an in-process emulator of the OneNET video platform
// API, written from the platform's document, for testing package onenet
// and whatever is built on it.
//
// It refuses what the document says the platform refuses: a missing or
// wrong api-key, a device key used for another device or where the master
// key is needed, titles and names beyond their limits, unknown devices and
// channels (errno 17), a second channel of the same number (errno 16), a
// second picture of the same name, files over 8 MiB. Where the document
// gives no errno, the emulator uses the Errno* constants below (chosen
// here, not from the document); object storage answers with the codes of
// its table in section 15, as both HTTP status and errno.
//
// It keeps devices, channels, pictures, files, preload requests and
// recording state for tests to inspect, and has controls to make it slow
// (Hold, SetLatency), fail (FailNext), answer garbage (GarbageNext), lose
// answers after acting on them (DropNextAnswers), or go away (SetDown for
// 503 on everything, Disconnect/Reconnect for refused connections).
package onenettest

import (
	"errors"
	"fmt"
	"net"
	"net/http"
	"sync"
	"testing"
	"time"
)

// Errno values for refusals the document prints no code for.
const (
	ErrnoAuthFailed      = 1  // missing or wrong api-key, key not allowed here
	ErrnoDeviceNotFound  = 2  // unknown device
	ErrnoParamRequired   = 3  // a required parameter is missing
	ErrnoInvalidParam    = 4  // a parameter breaks its documented rule
	ErrnoInternal        = 7  // the default of FailNext
	ErrnoChannelExists   = 16 // documented in 2.3
	ErrnoChannelNotFound = 17 // documented in 2.4
	ErrnoPictureExists   = 18 // 5.1 "如果与已经上传的图片名字相同,则返回错误"
	ErrnoPictureNotFound = 19
	ErrnoAuthInfoExists  = 20 // 1.1 auth_info "产品下唯一"
)

// Limits the emulator enforces, from the document.
const (
	MaxFileSize      = 8 << 20  // 15.1 "8M以内", 8 MiB
	maxPictureSize   = 16 << 20 // not documented; bounds the emulator's memory
	maxJSONBody      = 64 << 10
	maxDeviceTitle   = 64
	maxRegisterTitle = 32
	maxSNMAC         = 512
	maxChannelTitle  = 64
	maxStatusIDs     = 30
	maxStatusIDsLen  = 500
	maxIdleTime      = 120
	maxFileName      = 256
	maxFileDesc      = 1024
)

// Config describes the emulated product.
type Config struct {
	MasterKey     string           // required
	ProductID     string           // default "7355"
	RegisterCodes []string         // codes register_de accepts
	Now           func() time.Time // default time.Now
	// RTMPType is the "type" answered for RTMP play addresses; default "rtmp".
	RTMPType string
	// OverwriteFiles makes an object-storage upload replace a file of the
	// same name; by default it is refused (errno 400), which the document
	// neither says nor excludes.
	OverwriteFiles bool
}

// Emulator is a running emulated platform. Its methods are safe for
// concurrent use.
type Emulator struct {
	cfg  Config
	addr string // host:port, kept across Disconnect/Reconnect

	netMu sync.Mutex // guards srv and serving
	srv   *http.Server
	serve sync.WaitGroup

	mu    sync.Mutex
	st    state
	ctl   controls
	count int
}

// New starts an emulator on a free local port and stops it when the test
// ends.
func New(tb testing.TB, cfg Config) *Emulator {
	tb.Helper()
	e, err := Start(cfg)
	if err != nil {
		tb.Fatalf("onenettest: %v", err)
	}
	tb.Cleanup(e.Close)
	return e
}

// Start starts an emulator on a free local port; Close stops it.
func Start(cfg Config) (*Emulator, error) {
	if cfg.MasterKey == "" {
		return nil, errors.New("a master key is required")
	}
	if cfg.ProductID == "" {
		cfg.ProductID = "7355"
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.RTMPType == "" {
		cfg.RTMPType = "rtmp"
	}
	e := &Emulator{cfg: cfg, st: newState(cfg.RegisterCodes)}
	if err := e.listen("127.0.0.1:0"); err != nil {
		return nil, err
	}
	return e, nil
}

func (e *Emulator) listen(addr string) error {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("listen: %w", err)
	}
	srv := &http.Server{Handler: e, ReadHeaderTimeout: 10 * time.Second}
	e.netMu.Lock()
	defer e.netMu.Unlock()
	e.srv, e.addr = srv, ln.Addr().String()
	e.serve.Add(1)
	go func() {
		defer e.serve.Done()
		_ = srv.Serve(ln) // ends with ErrServerClosed on Close/Disconnect
	}()
	return nil
}

// URL is the API base URL, e.g. "http://127.0.0.1:41234".
func (e *Emulator) URL() string { return "http://" + e.Addr() }

// Addr is the emulator's host:port; HLS play addresses point here too.
func (e *Emulator) Addr() string {
	e.netMu.Lock()
	defer e.netMu.Unlock()
	return e.addr
}

// ProductID is the emulated product's id.
func (e *Emulator) ProductID() string { return e.cfg.ProductID }

// Close stops the emulator and cuts open connections.
func (e *Emulator) Close() {
	e.Release()
	e.netMu.Lock()
	srv := e.srv
	e.srv = nil
	e.netMu.Unlock()
	if srv != nil {
		_ = srv.Close()
	}
	e.serve.Wait()
}

// Disconnect closes the listener and every open connection: until
// Reconnect, connections are refused.
func (e *Emulator) Disconnect() { e.Close() }

// Reconnect listens again on the same address after Disconnect.
func (e *Emulator) Reconnect() error {
	e.netMu.Lock()
	running, addr := e.srv != nil, e.addr
	e.netMu.Unlock()
	if running {
		return nil
	}
	return e.listen(addr)
}
