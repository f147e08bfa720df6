package auth

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"

	"github.com/lubo-edge/lubo/internal/durable"
)

// CLITokenFile is the name of the local admin token in the data directory.
// Whoever can read it (root and the daemon's user) is admin on the API:
// the lubo CLI verbs that talk to a running daemon send it.
const CLITokenFile = "cli.token"

// cliTokenLen is the token's random part; the file holds it as hex.
const cliTokenLen = 32

// maxCLITokenFile bounds what is read of a token file: a well-formed one
// is 65 bytes.
const maxCLITokenFile = 256

// cliTokenTemp is the temporary file a new token is written to before it
// is renamed into place.
const cliTokenTemp = CLITokenFile + durable.TempSuffix

// errSymlink is a token path that is a symbolic link.
var errSymlink = errors.New("a symbolic link")

// errCLITokenMalformed is a token file that is not 64 hex digits.
var errCLITokenMalformed = errors.New("not a lubo CLI token (want 64 hex digits and a newline)")

// CLIToken is the local admin credential. Its value never prints: String,
// GoString, LogValue and MarshalText give "******".
type CLIToken struct{ hex string }

// String hides the token.
func (CLIToken) String() string { return "******" }

// GoString hides the token from %#v.
func (CLIToken) GoString() string { return "******" }

// LogValue hides the token from log/slog.
func (CLIToken) LogValue() slog.Value { return slog.StringValue("******") }

// MarshalText hides the token from encoders.
func (CLIToken) MarshalText() ([]byte, error) { return []byte("******"), nil }

// IsZero reports whether t holds no token.
func (t CLIToken) IsZero() bool { return t.hex == "" }

// Authorize puts the token on an outgoing request as
// "Authorization: Bearer …". A zero token leaves the request alone.
func (t CLIToken) Authorize(req *http.Request) {
	if !t.IsZero() {
		req.Header.Set("Authorization", "Bearer "+t.hex)
	}
}

// matches compares a presented token with t in constant time.
func (t CLIToken) matches(presented string) bool {
	return !t.IsZero() && subtle.ConstantTimeCompare([]byte(presented), []byte(t.hex)) == 1
}

// newCLIToken makes a fresh random token.
func newCLIToken() (CLIToken, error) {
	b := make([]byte, cliTokenLen)
	if _, err := rand.Read(b); err != nil {
		return CLIToken{}, fmt.Errorf("CLI token: %w", err)
	}
	return CLIToken{hex: hex.EncodeToString(b)}, nil
}

// parseCLIToken reads a token file's content: 64 lower-case hex digits,
// optionally followed by one newline (what an editor leaves).
func parseCLIToken(b []byte) (CLIToken, error) {
	if n := len(b); n > 0 && b[n-1] == '\n' {
		b = b[:n-1]
	}
	if len(b) != 2*cliTokenLen {
		return CLIToken{}, errCLITokenMalformed
	}
	for _, c := range b {
		if (c < '0' || c > '9') && (c < 'a' || c > 'f') {
			return CLIToken{}, errCLITokenMalformed
		}
	}
	return CLIToken{hex: string(b)}, nil
}

// ReadCLIToken reads the token file at path, for the CLI. The error wraps
// the file system's (errors.Is(err, fs.ErrPermission) for a user who may
// not read it, fs.ErrNotExist before the daemon made it) and names the
// file, never its content.
func ReadCLIToken(path string) (CLIToken, error) {
	f, err := os.Open(path)
	if err != nil {
		return CLIToken{}, err // *PathError: names the file
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, maxCLITokenFile))
	if err != nil {
		return CLIToken{}, fmt.Errorf("read %s: %w", path, err)
	}
	tok, err := parseCLIToken(b)
	if err != nil {
		return CLIToken{}, fmt.Errorf("%s: %w", path, err)
	}
	return tok, nil
}

// EnsureCLIToken keeps the token file at path when it is well-formed and
// private (a regular file of this process's user, mode 0600 or stricter),
// else writes a new one atomically (temporary file, fsync, rename, fsync
// of the directory) with mode 0600 and logs why. It returns the token.
func EnsureCLIToken(path string, log *slog.Logger) (CLIToken, error) {
	if log == nil {
		log = slog.Default()
	}
	// A temporary file a crash left behind holds a token too.
	_ = os.Remove(path + durable.TempSuffix)
	tok, why := keepableCLIToken(path)
	if why == "" {
		return tok, nil
	}
	if why == whyMissing {
		log.Info("auth: making the CLI token file (lubo's CLI verbs read it)", "file", path)
	} else {
		log.Warn("auth: replacing the CLI token file", "file", path, "reason", why)
	}
	tok, err := newCLIToken()
	if err != nil {
		return CLIToken{}, err
	}
	if err := writeFileAtomic(path, []byte(tok.hex+"\n")); err != nil {
		return CLIToken{}, fmt.Errorf("CLI token %s: %w", path, err)
	}
	return tok, nil
}

const whyMissing = "missing"

// keepableCLIToken returns the token at path, or why it is not kept.
func keepableCLIToken(path string) (CLIToken, string) {
	f, err := openNoFollow(path)
	if errors.Is(err, os.ErrNotExist) {
		return CLIToken{}, whyMissing
	}
	if errors.Is(err, errSymlink) {
		return CLIToken{}, "not a regular file (a symbolic link)"
	}
	if err != nil {
		return CLIToken{}, fmt.Sprintf("cannot open it (%v)", err)
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return CLIToken{}, fmt.Sprintf("cannot stat it (%v)", err)
	}
	if !fi.Mode().IsRegular() {
		return CLIToken{}, "not a regular file (" + fi.Mode().Type().String() + ")"
	}
	if perm := fi.Mode().Perm(); perm&0o077 != 0 {
		return CLIToken{}, fmt.Sprintf("others than its owner may read or write it (mode %#o)", perm)
	}
	if owner, mine := ownedByMe(fi); !mine {
		return CLIToken{}, fmt.Sprintf("owned by uid %d, not by this process's user", owner)
	}
	b, err := io.ReadAll(io.LimitReader(f, maxCLITokenFile))
	if err != nil {
		return CLIToken{}, fmt.Sprintf("cannot read it (%v)", err)
	}
	tok, err := parseCLIToken(b)
	if err != nil {
		return CLIToken{}, "malformed: " + err.Error()
	}
	return tok, ""
}

// writeFileAtomic replaces path with data, mode 0600, so a reader sees the
// old file or the new one, never a part, and a crash leaves one of them.
func writeFileAtomic(path string, data []byte) error {
	return durable.WriteFile(path, data, 0o600)
}
