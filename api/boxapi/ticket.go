package boxapi

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// A play ticket names what a play page may show (a live channel or a record)
// and until when it may be opened, signed with a key made at start: the
// play_url carries it instead of the API token. A restart makes old tickets
// invalid, which is what short-lived means here.
//
// Form: base64url("live|c101|1767225600") "." base64url(HMAC-SHA256[:16]).

// Ticket kinds.
const (
	kindLive   = "live"
	kindRecord = "record"
)

const maxTicketLen = 300

var ticketTarget = regexp.MustCompile(`^[a-z0-9_-]{1,64}$`)

var (
	errTicketBad     = errors.New("this play link is not valid (bad ticket); ask play_camera or play_record for a new one")
	errTicketExpired = errors.New("this play link has expired; ask play_camera or play_record for a new one")
)

type ticket struct {
	kind    string // kindLive or kindRecord
	target  string // channel id, or record seq in decimal
	expires time.Time
}

type ticketSigner struct{ key []byte }

func newTicketSigner() (ticketSigner, error) {
	key := make([]byte, 32)
	if _, err := rand.Read(key); err != nil {
		return ticketSigner{}, err
	}
	return ticketSigner{key: key}, nil
}

func (s ticketSigner) mac(payload string) []byte {
	m := hmac.New(sha256.New, s.key)
	m.Write([]byte(payload))
	return m.Sum(nil)[:16]
}

func (s ticketSigner) sign(t ticket) string {
	payload := t.kind + "|" + t.target + "|" + strconv.FormatInt(t.expires.Unix(), 10)
	enc := base64.RawURLEncoding
	return enc.EncodeToString([]byte(payload)) + "." + enc.EncodeToString(s.mac(payload))
}

// parse checks the signature and form (not the expiry: a page kept alive by
// its heartbeats may go on past it, see leases).
func (s ticketSigner) parse(text string) (ticket, error) {
	if len(text) > maxTicketLen {
		return ticket{}, errTicketBad
	}
	p64, m64, ok := strings.Cut(text, ".")
	if !ok {
		return ticket{}, errTicketBad
	}
	enc := base64.RawURLEncoding.Strict() // one text per ticket
	payload, err1 := enc.DecodeString(p64)
	mac, err2 := enc.DecodeString(m64)
	if err1 != nil || err2 != nil || !hmac.Equal(mac, s.mac(string(payload))) {
		return ticket{}, errTicketBad
	}
	parts := strings.Split(string(payload), "|")
	if len(parts) != 3 || (parts[0] != kindLive && parts[0] != kindRecord) || !ticketTarget.MatchString(parts[1]) {
		return ticket{}, errTicketBad
	}
	exp, err := strconv.ParseInt(parts[2], 10, 64)
	if err != nil {
		return ticket{}, errTicketBad
	}
	return ticket{kind: parts[0], target: parts[1], expires: time.Unix(exp, 0)}, nil
}
