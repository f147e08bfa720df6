package hikyunmoutest

import "time"

// AddClient registers an application's client_id and client_secret.
func (e *Emulator) AddClient(id, secret string) {
	e.mu.Lock()
	e.clients[id] = secret
	e.mu.Unlock()
}

// AddDevice adds or replaces a device.
func (e *Emulator) AddDevice(d Device) {
	e.mu.Lock()
	e.devices[d.Serial] = &device{Device: d}
	e.mu.Unlock()
}

// SetOnline changes a device's state now.
func (e *Emulator) SetOnline(serial string, online bool) {
	e.SetOnlineAt(serial, online, time.Time{})
}

// SetOnlineAt changes a device's state at a time of the emulator's clock (a
// zero time: now), e.g. "the installer unplugs it 12 s after being told".
func (e *Emulator) SetOnlineAt(serial string, online bool, at time.Time) {
	e.mu.Lock()
	defer e.mu.Unlock()
	d := e.devices[serial]
	if d == nil {
		return
	}
	if at.IsZero() {
		d.Online = online
		d.changes = nil
		return
	}
	d.changes = append(d.changes, stateChange{at: at, online: online})
}

// online applies due state changes and returns the device's state. Call with e.mu held.
func (e *Emulator) online(d *device) bool {
	now := e.cfg.Now()
	rest := d.changes[:0]
	for _, c := range d.changes {
		if !now.Before(c.at) {
			d.Online = c.online
		} else {
			rest = append(rest, c)
		}
	}
	d.changes = rest
	return d.Online
}

// Polls returns the 确权 calls made for serial, of kind ("" = all), oldest first.
func (e *Emulator) Polls(serial string, kind PollKind) []Poll {
	e.mu.Lock()
	defer e.mu.Unlock()
	d := e.devices[serial]
	if d == nil {
		return nil
	}
	var out []Poll
	for _, p := range d.polls {
		if kind == "" || p.Kind == kind {
			out = append(out, p)
		}
	}
	return out
}

// Registered says whether serial has been registered.
func (e *Emulator) Registered(serial string) bool {
	e.mu.Lock()
	defer e.mu.Unlock()
	d := e.devices[serial]
	return d != nil && d.registered
}

// ExpireTokens makes every token issued so far expired from now on.
func (e *Emulator) ExpireTokens() {
	e.mu.Lock()
	now := e.cfg.Now()
	for k := range e.tokens {
		e.tokens[k] = now
	}
	e.mu.Unlock()
}

// FailNext makes the next n calls to path answer code with msg.
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
// up; arrived is closed when the first request is hanging.
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

// RejectTokens makes the next n bearer-token checks answer 401 invalid_token,
// even for valid tokens.
func (e *Emulator) RejectTokens(n int) {
	e.mu.Lock()
	e.rejectTokens += n
	e.mu.Unlock()
}

// IssuedTokens returns every access token issued, so tests can check none is printed.
func (e *Emulator) IssuedTokens() []string {
	e.mu.Lock()
	defer e.mu.Unlock()
	out := make([]string, 0, len(e.tokens))
	for t := range e.tokens {
		out = append(out, t)
	}
	return out
}
