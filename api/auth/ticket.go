package auth

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"
)

// MaxTicketTTL caps how long a ticket lives: a link given to a cloud
// player must stop working.
const MaxTicketTTL = 24 * time.Hour

// maxPrefixLen bounds a ticket's path prefix; maxTicketLen bounds what
// the parser reads.
const (
	maxPrefixLen = 256
	maxTicketLen = 512
	ticketKeyLen = 32
)

// ticketContext separates these MACs from any other use of the key.
const ticketContext = "lubo ticket v1\n"

var (
	errTicketBad     = errors.New("this link is not valid; ask for a new one")
	errTicketExpired = errors.New("this link has expired; ask for a new one")
	errTicketPath    = errors.New("this link is for another path")
)

// ticketSigner mints and checks tickets with one key.
type ticketSigner struct{ key []byte }

// newTicketKey makes a fresh random key.
func newTicketKey() ([]byte, error) {
	key := make([]byte, ticketKeyLen)
	if _, err := rand.Read(key); err != nil {
		return nil, fmt.Errorf("ticket key: %w", err)
	}
	return key, nil
}

func (s ticketSigner) mac(payload []byte) []byte {
	m := hmac.New(sha256.New, s.key)
	m.Write([]byte(ticketContext))
	m.Write(payload)
	return m.Sum(nil)
}

// mint signs prefix until expires.
func (s ticketSigner) mint(prefix string, expires time.Time) string {
	payload := make([]byte, 8, 8+len(prefix))
	binary.BigEndian.PutUint64(payload, uint64(expires.Unix()))
	payload = append(payload, prefix...)
	enc := base64.RawURLEncoding
	return enc.EncodeToString(payload) + "." + enc.EncodeToString(s.mac(payload))
}

// parsedTicket is what a genuine ticket says.
type parsedTicket struct {
	prefix  string
	expires time.Time
}

// parse checks a ticket's form and signature (constant time) and returns
// what it grants; it does not judge expiry or path.
func (s ticketSigner) parse(t string) (parsedTicket, error) {
	if t == "" || len(t) > maxTicketLen {
		return parsedTicket{}, errTicketBad
	}
	body, sig, ok := strings.Cut(t, ".")
	// Only the alphabet: the decoder would skip CR and LF.
	if !ok || !isBase64URL(body) || !isBase64URL(sig) {
		return parsedTicket{}, errTicketBad
	}
	enc := base64.RawURLEncoding.Strict()
	payload, err := enc.DecodeString(body)
	if err != nil || len(payload) < 9 {
		return parsedTicket{}, errTicketBad
	}
	mac, err := enc.DecodeString(sig)
	if err != nil || !hmac.Equal(mac, s.mac(payload)) {
		return parsedTicket{}, errTicketBad
	}
	secs := binary.BigEndian.Uint64(payload[:8])
	prefix := string(payload[8:])
	if secs > 1<<62 || !validPrefix(prefix) {
		return parsedTicket{}, errTicketBad
	}
	return parsedTicket{prefix: prefix, expires: time.Unix(int64(secs), 0)}, nil
}

// verify reports whether t opens path at now.
func (s ticketSigner) verify(t, path string, now time.Time) error {
	pt, err := s.parse(t)
	if err != nil {
		return err
	}
	if !now.Before(pt.expires) {
		return errTicketExpired
	}
	if !under(path, pt.prefix) {
		return errTicketPath
	}
	return nil
}

// validPrefix: an absolute, clean, bounded path on a media prefix.
func validPrefix(p string) bool {
	if p == "" || len(p) > maxPrefixLen || !utf8.ValidString(p) || cleanPath(p) != p {
		return false
	}
	if strings.ContainsAny(p, "?#\x00") {
		return false
	}
	for _, m := range mediaPrefixes {
		if under(p, strings.TrimSuffix(m, "/")) && p != strings.TrimSuffix(m, "/") {
			return true
		}
	}
	return false
}

// isBase64URL reports whether s holds only base64url characters.
func isBase64URL(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('A' <= c && c <= 'Z' || 'a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '-' || c == '_') {
			return false
		}
	}
	return true
}
