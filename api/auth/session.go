package auth

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"sync"
	"time"
)

// Session limits.
const (
	// IdleTimeout ends a session nobody used for this long.
	IdleTimeout = 12 * time.Hour
	// MaxLifetime ends every session this long after sign-in.
	MaxLifetime = 7 * 24 * time.Hour
	// RotateEvery replaces a session's id after this much time in use.
	RotateEvery = 15 * time.Minute
	// RotateGrace keeps a replaced id working this long, for requests
	// the browser sent before it saw the new cookie.
	RotateGrace = time.Minute
	// MaxSessions bounds the sessions kept; the least recently used goes.
	MaxSessions = 1000
)

// sessionIDLen is the random part of a session id and of a CSRF token.
const sessionIDLen = 32

// sessionKey is the SHA-256 of an id: the store never holds usable ids.
type sessionKey [sha256.Size]byte

// session is one signed-in browser.
type session struct {
	user, role string
	csrf       string
	created    time.Time
	lastUsed   time.Time
	rotated    time.Time
	current    sessionKey
	old        map[sessionKey]time.Time // replaced ids and when they stop working
}

// sessionView is a copy of what a request may know about its session.
type sessionView struct {
	user, role, csrf string
	key              sessionKey // the key the request presented
}

// sessionStore keeps sessions in memory, bounded.
type sessionStore struct {
	mu    sync.Mutex
	byKey map[sessionKey]*session // current and grace ids
	count int                     // sessions (not ids)
}

func newSessionStore() *sessionStore {
	return &sessionStore{byKey: map[sessionKey]*session{}}
}

// randomToken is 32 random bytes, base64url without padding (43 chars).
func randomToken() (string, error) {
	b := make([]byte, sessionIDLen)
	if _, err := rand.Read(b); err != nil {
		return "", err
	}
	return base64.RawURLEncoding.EncodeToString(b), nil
}

// parseSessionCookie checks a cookie value's form and returns its key.
// Anything but 43 base64url characters is not a session id.
func parseSessionCookie(v string) (sessionKey, bool) {
	if len(v) != base64.RawURLEncoding.EncodedLen(sessionIDLen) || !isBase64URL(v) {
		return sessionKey{}, false
	}
	raw, err := base64.RawURLEncoding.Strict().DecodeString(v)
	if err != nil || len(raw) != sessionIDLen {
		return sessionKey{}, false
	}
	return sha256.Sum256([]byte(v)), true
}

// create starts a session and returns its id (for the cookie) and view.
func (st *sessionStore) create(user, role string, now time.Time) (string, sessionView, error) {
	id, err := randomToken()
	if err != nil {
		return "", sessionView{}, err
	}
	csrf, err := randomToken()
	if err != nil {
		return "", sessionView{}, err
	}
	key := sha256.Sum256([]byte(id))
	s := &session{user: user, role: role, csrf: csrf, created: now, lastUsed: now, rotated: now, current: key}
	st.mu.Lock()
	defer st.mu.Unlock()
	if st.count >= MaxSessions {
		st.sweepLocked(now)
	}
	if st.count >= MaxSessions {
		st.evictLRULocked()
	}
	st.byKey[key] = s
	st.count++
	return id, sessionView{user: user, role: role, csrf: csrf, key: key}, nil
}

// lookup finds the live session of key and marks it used. When its id is
// due for rotation, it gets a new one, returned as newID ("" otherwise).
func (st *sessionStore) lookup(key sessionKey, now time.Time) (v sessionView, newID string, ok bool) {
	st.mu.Lock()
	defer st.mu.Unlock()
	s := st.byKey[key]
	if s == nil {
		return sessionView{}, "", false
	}
	if st.expired(s, now) {
		st.removeLocked(s)
		return sessionView{}, "", false
	}
	if key != s.current {
		if until, live := s.old[key]; !live || !now.Before(until) {
			delete(s.old, key)
			delete(st.byKey, key)
			return sessionView{}, "", false
		}
	}
	s.lastUsed = now
	if key == s.current && now.Sub(s.rotated) >= RotateEvery {
		if id, err := randomToken(); err == nil {
			newKey := sha256.Sum256([]byte(id))
			if s.old == nil {
				s.old = map[sessionKey]time.Time{}
			}
			for k, until := range s.old { // drop graces that ran out
				if !now.Before(until) {
					delete(s.old, k)
					delete(st.byKey, k)
				}
			}
			s.old[key] = now.Add(RotateGrace)
			s.current, s.rotated = newKey, now
			st.byKey[newKey] = s
			newID, key = id, newKey
		}
	}
	return sessionView{user: s.user, role: s.role, csrf: s.csrf, key: key}, newID, true
}

// remove ends the session key belongs to, every id of it.
func (st *sessionStore) remove(key sessionKey) {
	st.mu.Lock()
	defer st.mu.Unlock()
	if s := st.byKey[key]; s != nil {
		st.removeLocked(s)
	}
}

// len is the number of sessions held (tests).
func (st *sessionStore) len() int {
	st.mu.Lock()
	defer st.mu.Unlock()
	return st.count
}

func (st *sessionStore) expired(s *session, now time.Time) bool {
	return now.Sub(s.lastUsed) >= IdleTimeout || now.Sub(s.created) >= MaxLifetime
}

func (st *sessionStore) removeLocked(s *session) {
	if st.byKey[s.current] == s {
		delete(st.byKey, s.current)
		st.count--
	}
	for k := range s.old {
		delete(st.byKey, k)
	}
}

func (st *sessionStore) sweepLocked(now time.Time) {
	for _, s := range st.byKey {
		if st.expired(s, now) {
			st.removeLocked(s)
		}
	}
}

func (st *sessionStore) evictLRULocked() {
	var lru *session
	for _, s := range st.byKey {
		if lru == nil || s.lastUsed.Before(lru.lastUsed) {
			lru = s
		}
	}
	if lru != nil {
		st.removeLocked(lru)
	}
}
