package auth

import (
	"net"
	"net/http"
	"net/netip"
	"slices"
	"sync"
	"time"
)

// Login rate limits.
const (
	// LoginFreeFailures is how many failed sign-ins a client address or a
	// user name gets before it is locked out.
	LoginFreeFailures = 5
	// LoginLockout is the first lockout; each further failure doubles it.
	LoginLockout = 30 * time.Second
	// LoginMaxLockout caps the lockout.
	LoginMaxLockout = 15 * time.Minute
	// LoginForget drops the failures of a key quiet for this long.
	LoginForget = time.Hour
	// MaxTrackedKeys bounds the addresses and names tracked.
	MaxTrackedKeys = 10000
)

// strikes is the failure record of one key.
type strikes struct {
	failures int
	pending  int // attempts being checked right now
	last     time.Time
	until    time.Time // locked until
}

// limiter counts failed sign-ins per key ("ip:…", "user:…"), bounded.
type limiter struct {
	mu   sync.Mutex
	keys map[string]*strikes
}

func newLimiter() *limiter { return &limiter{keys: map[string]*strikes{}} }

// begin admits an attempt for keys, or says how long to wait. An admitted
// attempt counts as pending until end, so a burst of parallel guesses
// cannot slip past the limit while the hashes are being computed.
func (l *limiter) begin(keys []string, now time.Time) (wait time.Duration, ok bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	for _, k := range keys {
		s := l.keys[k]
		if s == nil {
			continue
		}
		l.forgetIfQuiet(s, now)
		if now.Before(s.until) {
			wait = max(wait, s.until.Sub(now))
		} else if s.pending > 0 && s.failures+s.pending >= LoginFreeFailures {
			// Earlier attempts are still being checked; their outcome
			// decides whether this key locks.
			wait = max(wait, time.Second)
		}
	}
	if wait > 0 {
		return wait, false
	}
	for _, k := range keys {
		l.get(k, now).pending++
	}
	return 0, true
}

// end closes an attempt begun with begin: a failure counts and may lock
// the keys; a success clears them.
func (l *limiter) end(keys []string, success bool, now time.Time) {
	l.mu.Lock()
	defer l.mu.Unlock()
	for _, k := range keys {
		s := l.get(k, now)
		if s.pending > 0 {
			s.pending--
		}
		if success {
			s.failures, s.until = 0, time.Time{}
			if s.pending == 0 {
				delete(l.keys, k)
			}
			continue
		}
		s.failures++
		s.last = now
		if s.failures >= LoginFreeFailures {
			s.until = now.Add(lockout(s.failures))
		}
	}
}

// lockout after n failures: LoginLockout doubling from the
// LoginFreeFailures-th, capped at LoginMaxLockout.
func lockout(n int) time.Duration {
	d := LoginLockout
	for i := LoginFreeFailures; i < n && d < LoginMaxLockout; i++ {
		d *= 2
	}
	return min(d, LoginMaxLockout)
}

func (l *limiter) forgetIfQuiet(s *strikes, now time.Time) {
	if s.pending == 0 && !now.Before(s.until) && now.Sub(s.last) >= LoginForget {
		s.failures = 0
	}
}

// get returns the record of k, making room when the table is full.
func (l *limiter) get(k string, now time.Time) *strikes {
	if s := l.keys[k]; s != nil {
		return s
	}
	if len(l.keys) >= MaxTrackedKeys {
		l.makeRoomLocked(now)
	}
	s := &strikes{last: now}
	l.keys[k] = s
	return s
}

// makeRoomLocked drops quiet keys; if that is not enough, the tenth of
// the table whose locks end (or failures happened) first, so a flood of
// new keys costs one sort per MaxTrackedKeys/10 inserts, not a scan each.
func (l *limiter) makeRoomLocked(now time.Time) {
	type cand struct {
		key string
		end time.Time
	}
	var cands []cand
	for k, s := range l.keys {
		l.forgetIfQuiet(s, now)
		if s.pending > 0 {
			continue
		}
		if s.failures == 0 {
			delete(l.keys, k)
			continue
		}
		end := s.last
		if s.until.After(end) {
			end = s.until
		}
		cands = append(cands, cand{k, end})
	}
	if len(l.keys) < MaxTrackedKeys {
		return
	}
	slices.SortFunc(cands, func(a, b cand) int { return a.end.Compare(b.end) })
	for _, c := range cands[:min(len(cands), MaxTrackedKeys/10)] {
		delete(l.keys, c.key)
	}
}

// tracked is the number of keys held (tests).
func (l *limiter) tracked() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.keys)
}

// clientAddr is the rate-limit key of a request's peer: its IP, or the /64
// of an IPv6 address (one host usually owns a whole /64). Forwarded
// headers are not trusted: lubo is reached directly on the LAN.
func clientAddr(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		host = r.RemoteAddr
	}
	ip, err := netip.ParseAddr(host)
	if err != nil {
		return host
	}
	ip = ip.WithZone("").Unmap()
	if ip.Is4() {
		return ip.String()
	}
	return netip.PrefixFrom(ip, 64).Masked().String()
}
