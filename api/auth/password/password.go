// Package password makes and checks the password hashes of lubo's users.
//
// The format is argon2id in the PHC string form that the reference argon2
// tool and most libraries print:
//
//	$argon2id$v=19$m=19456,t=2,p=1$<salt, base64 without padding>$<key, base64 without padding>
//
// Why argon2id and these numbers: argon2id is memory-hard (a GPU or ASIC
// guessing passwords pays for memory, not only for cycles) and is the first
// choice of OWASP's password storage sheet; bcrypt would also do but
// silently cares only about the first 72 bytes. The box has 2 cores, so the
// parameters are OWASP's smallest recommended set, 19 MiB with 2 passes and
// one lane (about 30-60 ms on such a box), not the 64 MiB of RFC 9106's
// second choice: a burst of sign-ins must not eat the memory the relay needs.
// Callers that verify many hashes at once should bound how many run at the
// same time (api/auth runs at most two).
//
// Hashes with other parameters are accepted when they are within Limits, so
// a hash made by another argon2 tool works, and tests can use cheap ones.
package password

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"golang.org/x/crypto/argon2"
)

// Params are the argon2id costs of one hash.
type Params struct {
	// Memory in KiB.
	Memory uint32
	// Time is the number of passes over the memory.
	Time uint32
	// Threads is the number of lanes.
	Threads uint8
}

// Default is what Hash uses: OWASP's 19 MiB, t=2, p=1.
var Default = Params{Memory: 19 * 1024, Time: 2, Threads: 1}

// Limits a hash must stay within to be accepted: a config may not make one
// sign-in cost a gigabyte or a minute.
const (
	MaxMemory  = 256 * 1024 // KiB
	MaxTime    = 16
	MaxThreads = 16
	MaxInput   = 1024 // bytes of password considered; longer is refused
	saltLen    = 16
	keyLen     = 32
	minSalt    = 8
	minKey     = 16
	maxB64     = 128 // characters of salt or key
)

// ErrTooLong is returned by Hash for a password over MaxInput bytes.
var ErrTooLong = fmt.Errorf("password longer than %d bytes", MaxInput)

// Hash returns the PHC string of pw with the Default parameters and a fresh
// random salt.
func Hash(pw string) (string, error) { return HashWith(pw, Default) }

// HashWith is Hash with chosen parameters (tests use cheap ones).
func HashWith(pw string, p Params) (string, error) {
	if len(pw) > MaxInput {
		return "", ErrTooLong
	}
	if err := p.check(); err != nil {
		return "", err
	}
	salt := make([]byte, saltLen)
	if _, err := rand.Read(salt); err != nil {
		return "", fmt.Errorf("password salt: %w", err)
	}
	key := argon2.IDKey([]byte(pw), salt, p.Time, p.Memory, p.Threads, keyLen)
	return encode(p, salt, key), nil
}

func encode(p Params, salt, key []byte) string {
	b64 := base64.RawStdEncoding
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s",
		argon2.Version, p.Memory, p.Time, p.Threads, b64.EncodeToString(salt), b64.EncodeToString(key))
}

// Hashed is a parsed hash, ready to verify passwords against.
type Hashed struct {
	params Params
	salt   []byte
	key    []byte
}

// Params returns the hash's costs (to make a dummy hash of the same work).
func (h *Hashed) Params() Params { return h.params }

// String hides the hash: it is as good as a password to an offline guesser.
func (h *Hashed) String() string { return "******" }

// GoString hides the hash from %#v too.
func (h *Hashed) GoString() string { return "******" }

// Verify reports whether pw is the password of h, in time that depends on
// the parameters only, not on where pw differs.
func (h *Hashed) Verify(pw string) bool {
	if len(pw) > MaxInput {
		// Still do the work, so a long input is not a faster "no".
		pw = pw[:MaxInput]
		_ = argon2.IDKey([]byte(pw), h.salt, h.params.Time, h.params.Memory, h.params.Threads, uint32(len(h.key)))
		return false
	}
	got := argon2.IDKey([]byte(pw), h.salt, h.params.Time, h.params.Memory, h.params.Threads, uint32(len(h.key)))
	return subtle.ConstantTimeCompare(got, h.key) == 1
}

// Parse reads a PHC argon2id string. Its errors say what is accepted and
// never repeat the hash.
func Parse(s string) (*Hashed, error) {
	if len(s) > 400 {
		return nil, errors.New("too long for an argon2id hash")
	}
	parts := strings.Split(s, "$")
	// "", "argon2id", "v=19", "m=..,t=..,p=..", salt, key
	if len(parts) != 6 || parts[0] != "" {
		return nil, errors.New(`not an argon2id hash; want "$argon2id$v=19$m=…,t=…,p=…$salt$key" as printed by lubo passwd`)
	}
	if parts[1] != "argon2id" {
		return nil, errors.New("the algorithm is not argon2id (lubo passwd prints one)")
	}
	if parts[2] != "v="+strconv.Itoa(argon2.Version) {
		return nil, fmt.Errorf("the argon2 version is not accepted; want v=%d", argon2.Version)
	}
	p, err := parseParams(parts[3])
	if err != nil {
		return nil, err
	}
	salt, err := decodeB64(parts[4], "salt", minSalt)
	if err != nil {
		return nil, err
	}
	key, err := decodeB64(parts[5], "key", minKey)
	if err != nil {
		return nil, err
	}
	return &Hashed{params: p, salt: salt, key: key}, nil
}

// Check reports whether s is a hash Parse accepts.
func Check(s string) error {
	_, err := Parse(s)
	return err
}

func parseParams(s string) (Params, error) {
	const want = `want "m=KiB,t=passes,p=lanes", e.g. "m=19456,t=2,p=1"`
	fields := strings.Split(s, ",")
	if len(fields) != 3 {
		return Params{}, fmt.Errorf("parameters are not %s", want)
	}
	var vals [3]uint64
	for i, name := range []string{"m=", "t=", "p="} {
		v, ok := strings.CutPrefix(fields[i], name)
		if !ok {
			return Params{}, fmt.Errorf("parameters are not %s", want)
		}
		n, err := strconv.ParseUint(v, 10, 32)
		if err != nil {
			return Params{}, fmt.Errorf("parameter %s is not a number; %s", name[:1], want)
		}
		vals[i] = n
	}
	if vals[2] > MaxThreads {
		return Params{}, fmt.Errorf("p=%d is above the limit %d", vals[2], MaxThreads)
	}
	p := Params{Memory: uint32(vals[0]), Time: uint32(vals[1]), Threads: uint8(vals[2])}
	return p, p.check()
}

func (p Params) check() error {
	switch {
	case p.Threads < 1 || p.Threads > MaxThreads:
		return fmt.Errorf("p=%d is outside 1-%d", p.Threads, MaxThreads)
	case p.Time < 1 || p.Time > MaxTime:
		return fmt.Errorf("t=%d is outside 1-%d", p.Time, MaxTime)
	case p.Memory < 8*uint32(p.Threads) || p.Memory > MaxMemory:
		return fmt.Errorf("m=%d is outside %d-%d KiB", p.Memory, 8*uint32(p.Threads), MaxMemory)
	}
	return nil
}

func decodeB64(s, what string, min int) ([]byte, error) {
	if len(s) > maxB64 {
		return nil, fmt.Errorf("%s is longer than %d characters", what, maxB64)
	}
	b, err := base64.RawStdEncoding.Strict().DecodeString(s)
	if err != nil {
		return nil, fmt.Errorf("%s is not base64 without padding", what)
	}
	if len(b) < min {
		return nil, fmt.Errorf("%s is %d bytes; want at least %d", what, len(b), min)
	}
	return b, nil
}
