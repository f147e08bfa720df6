package ezviztest

import (
	"sync"
	"time"
)

// AddApp registers an application (appKey, appSecret) that may fetch tokens.
func (e *Emulator) AddApp(appKey, appSecret string) {
	e.mu.Lock()
	e.apps[appKey] = &app{secret: appSecret}
	e.mu.Unlock()
}

// FreezeApp makes the token call answer 10005 for appKey.
func (e *Emulator) FreezeApp(appKey string) {
	e.mu.Lock()
	if a := e.apps[appKey]; a != nil {
		a.frozen = true
	}
	e.mu.Unlock()
}

// AddDevice adds or replaces a device.
func (e *Emulator) AddDevice(d Device) {
	if d.Channels <= 0 {
		d.Channels = 1
	}
	e.mu.Lock()
	e.devices[d.Serial] = d
	e.mu.Unlock()
}

// SetOnline marks a device online or offline.
func (e *Emulator) SetOnline(serial string, online bool) {
	e.mu.Lock()
	if d, ok := e.devices[serial]; ok {
		d.Online = online
		e.devices[serial] = d
	}
	e.mu.Unlock()
}

// SetStreamBase changes the base of generated stream addresses (e.g. a local test camera).
func (e *Emulator) SetStreamBase(base string) {
	e.mu.Lock()
	e.cfg.StreamBase = base
	e.mu.Unlock()
}

// SetAddressTTL makes every new address expire d after it is issued, whatever
// expireTime the client asked for; zero goes back to the request's (default 86400 s).
func (e *Emulator) SetAddressTTL(d time.Duration) {
	e.mu.Lock()
	e.addressTTL = d
	e.mu.Unlock()
}

// SetBareURLs makes addresses of devices with a StreamURL be exactly that URL,
// without the emulator's expire/id/t query, for test cameras that reject queries.
func (e *Emulator) SetBareURLs(bare bool) {
	e.mu.Lock()
	e.bareURLs = bare
	e.mu.Unlock()
}

// ExpireTokens makes every token issued so far expired from now on (10002).
func (e *Emulator) ExpireTokens() {
	e.mu.Lock()
	now := e.cfg.Now()
	for k, t := range e.tokens {
		t.expires = now
		e.tokens[k] = t
	}
	e.mu.Unlock()
}

// FailNext makes the next n calls to path answer the Ezviz code with msg
// (e.g. "49999", "10029", or "10002" to refuse a token that is still valid).
func (e *Emulator) FailNext(path string, n int, code, msg string) {
	e.addFault(path, n, fault{code: code, msg: msg})
}

// FailHTTP makes the next n calls to path answer HTTP status with a text body.
func (e *Emulator) FailHTTP(path string, n int, status int) {
	e.addFault(path, n, fault{status: status, raw: "upstream error\n"})
}

// Garbage makes the next n calls to path answer body as is, with HTTP 200.
func (e *Emulator) Garbage(path string, n int, body string) {
	e.addFault(path, n, fault{raw: body})
}

func (e *Emulator) addFault(path string, n int, f fault) {
	e.mu.Lock()
	for range n {
		e.faults[path] = append(e.faults[path], f)
	}
	e.mu.Unlock()
}

// Stall makes every request hang until release is called or the client gives
// up; it stands for a slow or unresponsive cloud. arrived is closed when the
// first request is hanging.
func (e *Emulator) Stall() (release func(), arrived <-chan struct{}) {
	s := &stall{release: make(chan struct{}), arrived: make(chan struct{})}
	e.mu.Lock()
	e.stall = s
	e.mu.Unlock()
	return func() {
		e.mu.Lock()
		if e.stall == s {
			close(s.release)
			e.stall = nil
		}
		e.mu.Unlock()
	}, s.arrived
}

type stall struct {
	release chan struct{}
	arrived chan struct{}
	once    sync.Once
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

// PTZ returns the PTZ state of a channel.
func (e *Emulator) PTZ(serial string, channel int) PTZState {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.ptz[chanKey{serial, channel}]
}
