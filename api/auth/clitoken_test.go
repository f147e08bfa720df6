package auth

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/lubo-edge/lubo/internal/testkit"
)

// goodToken is a well-formed token file's content.
const goodToken = "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff"

// cliTokenCases feed TestParseCLIToken and FuzzCLIToken.
var cliTokenCases = []struct {
	in string
	ok bool
}{
	{goodToken + "\n", true},
	{goodToken, true},
	{"", false},
	{"\n", false},
	{goodToken + "\n\n", false},
	{goodToken + "\r\n", false},
	{" " + goodToken, false},
	{strings.ToUpper(goodToken), false},
	{goodToken[:63], false},
	{goodToken + "0", false},
	{strings.Repeat("g", 64), false},
	{strings.Repeat("0", 63) + "\x00", false},
}

func TestParseCLIToken(t *testing.T) {
	for _, c := range cliTokenCases {
		tok, err := parseCLIToken([]byte(c.in))
		if (err == nil) != c.ok {
			t.Errorf("parse %q: err %v, want ok=%v", c.in, err, c.ok)
		}
		if c.ok && tok.hex != goodToken {
			t.Errorf("parse %q: got another token", c.in)
		}
		if err != nil && strings.Contains(err.Error(), c.in) && c.in != "" {
			t.Errorf("the error repeats the content: %v", err)
		}
	}
}

// readFileMode returns a file's content and permission bits.
func readFileMode(t *testing.T, path string) (string, fs.FileMode) {
	t.Helper()
	fi, err := os.Lstat(path)
	if err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b), fi.Mode()
}

// A new token file is 0600, this user's, 64 hex digits; a restart keeps it.
func TestEnsureCLITokenCreatesAndKeeps(t *testing.T) {
	path := filepath.Join(t.TempDir(), CLITokenFile)
	var logs testkit.LogBuffer
	tok, err := EnsureCLIToken(path, logs.Logger())
	if err != nil {
		t.Fatal(err)
	}
	content, mode := readFileMode(t, path)
	if mode != 0o600 {
		t.Errorf("mode %v, want -rw-------", mode)
	}
	if content != tok.hex+"\n" || len(tok.hex) != 64 {
		t.Errorf("file holds %d bytes, not the token and a newline", len(content))
	}
	if _, err := parseCLIToken([]byte(content)); err != nil {
		t.Errorf("the new file does not parse: %v", err)
	}
	if fi, _ := os.Stat(path); fi != nil {
		if uid, mine := ownedByMe(fi); !mine {
			t.Errorf("owned by uid %d, not this process's user", uid)
		}
	}
	if !strings.Contains(logs.String(), "making the CLI token file") || !strings.Contains(logs.String(), path) {
		t.Errorf("making the file is not logged with its name:\n%s", logs.String())
	}

	// A restart keeps the file and the token, and says nothing.
	var again testkit.LogBuffer
	tok2, err := EnsureCLIToken(path, again.Logger())
	if err != nil {
		t.Fatal(err)
	}
	if tok2.hex != tok.hex {
		t.Error("a restart replaced a good token")
	}
	if again.String() != "" {
		t.Errorf("keeping the token logged:\n%s", again.String())
	}
	if read, err := ReadCLIToken(path); err != nil || read.hex != tok.hex {
		t.Errorf("ReadCLIToken: %v", err)
	}
	// Two fresh tokens differ.
	other, err := EnsureCLIToken(filepath.Join(t.TempDir(), CLITokenFile), slog.New(slog.DiscardHandler))
	if err != nil || other.hex == tok.hex {
		t.Errorf("a second box got the same token (err %v)", err)
	}
}

// A file that is malformed, open to others, not a regular file or someone
// else's is replaced by a fresh 0600 token, and the log says why.
func TestEnsureCLITokenReplaces(t *testing.T) {
	for _, c := range []struct {
		name  string
		setup func(t *testing.T, path string)
		why   string
	}{
		{"empty", writeToken("", 0o600), "malformed"},
		{"short", writeToken(goodToken[:40]+"\n", 0o600), "malformed"},
		{"upper case", writeToken(strings.ToUpper(goodToken)+"\n", 0o600), "malformed"},
		{"huge", writeToken(strings.Repeat(goodToken, 1000), 0o600), "malformed"},
		{"world readable", writeToken(goodToken+"\n", 0o644), "mode 0644"},
		{"group writable", writeToken(goodToken+"\n", 0o620), "mode 0620"},
		{"symlink", func(t *testing.T, path string) {
			target := filepath.Join(t.TempDir(), "elsewhere")
			writeToken(goodToken+"\n", 0o600)(t, target)
			if err := os.Symlink(target, path); err != nil {
				t.Fatal(err)
			}
		}, "not a regular file"},
		{"fifo", func(t *testing.T, path string) {
			if err := syscall.Mkfifo(path, 0o600); err != nil {
				t.Fatal(err)
			}
		}, "not a regular file"},
		{"another user's", func(t *testing.T, path string) {
			if os.Geteuid() != 0 {
				t.Skip("needs root to give a file to another user")
			}
			writeToken(goodToken+"\n", 0o600)(t, path)
			if err := os.Chown(path, 4242, 4242); err != nil {
				t.Fatal(err)
			}
		}, "owned by uid 4242"},
	} {
		t.Run(c.name, func(t *testing.T) {
			dir := t.TempDir()
			path := filepath.Join(dir, CLITokenFile)
			c.setup(t, path)
			var logs testkit.LogBuffer
			tok, err := EnsureCLIToken(path, logs.Logger())
			if err != nil {
				t.Fatal(err)
			}
			if tok.hex == goodToken {
				t.Error("the old token was kept")
			}
			content, mode := readFileMode(t, path)
			if mode != 0o600 || content != tok.hex+"\n" {
				t.Errorf("after replacing: mode %v, content is the token: %v", mode, content == tok.hex+"\n")
			}
			l := logs.String()
			if !strings.Contains(l, "level=WARN") || !strings.Contains(l, "replacing the CLI token file") || !strings.Contains(l, c.why) || !strings.Contains(l, path) {
				t.Errorf("the log does not say which file and why (%q):\n%s", c.why, l)
			}
			if strings.Contains(l, goodToken) || strings.Contains(l, tok.hex) {
				t.Errorf("the log shows a token:\n%s", l)
			}
			if left, _ := filepath.Glob(filepath.Join(dir, cliTokenTemp)); len(left) != 0 {
				t.Errorf("temporary files left: %v", left)
			}
		})
	}
}

func writeToken(content string, mode fs.FileMode) func(t *testing.T, path string) {
	return func(t *testing.T, path string) {
		t.Helper()
		if err := os.WriteFile(path, []byte(content), mode); err != nil {
			t.Fatal(err)
		}
		if err := os.Chmod(path, mode); err != nil { // past the umask
			t.Fatal(err)
		}
	}
}

// A temporary file a crash left behind (it holds a token) is removed.
func TestEnsureCLITokenRemovesStaleTemp(t *testing.T) {
	dir := t.TempDir()
	stale := filepath.Join(dir, cliTokenTemp)
	writeToken(goodToken, 0o600)(t, stale)
	if _, err := EnsureCLIToken(filepath.Join(dir, CLITokenFile), slog.New(slog.DiscardHandler)); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(stale); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("stale temporary file: %v", err)
	}
}

// Where no file can be written, New fails and says which file.
func TestEnsureCLITokenUnwritable(t *testing.T) {
	path := filepath.Join(t.TempDir(), "no-such-dir", CLITokenFile)
	_, err := EnsureCLIToken(path, slog.New(slog.DiscardHandler))
	if err == nil || !strings.Contains(err.Error(), path) {
		t.Fatalf("err %v, want one naming %s", err, path)
	}
	// A directory in the way cannot be renamed over.
	dir := t.TempDir()
	path = filepath.Join(dir, CLITokenFile)
	if err := os.MkdirAll(filepath.Join(path, "x"), 0o700); err != nil {
		t.Fatal(err)
	}
	if _, err := EnsureCLIToken(path, slog.New(slog.DiscardHandler)); err == nil {
		t.Fatal("a directory in the way was accepted")
	}
	if left, _ := filepath.Glob(filepath.Join(dir, cliTokenTemp)); len(left) != 0 {
		t.Errorf("temporary files left: %v", left)
	}
}

func TestReadCLITokenErrors(t *testing.T) {
	dir := t.TempDir()
	missing := filepath.Join(dir, CLITokenFile)
	if _, err := ReadCLIToken(missing); !errors.Is(err, fs.ErrNotExist) || !strings.Contains(err.Error(), missing) {
		t.Errorf("missing file: %v", err)
	}
	bad := filepath.Join(dir, "bad")
	writeToken("secret-ish-but-malformed\n", 0o600)(t, bad)
	_, err := ReadCLIToken(bad)
	if err == nil || !strings.Contains(err.Error(), bad) || strings.Contains(err.Error(), "secret-ish") {
		t.Errorf("malformed file: %v", err)
	}
	if _, err := ReadCLIToken(dir); err == nil {
		t.Error("a directory read as a token")
	}
}

// A CLIToken never prints its value.
func TestCLITokenFormatting(t *testing.T) {
	tok := CLIToken{hex: goodToken}
	var out bytes.Buffer
	slog.New(slog.NewTextHandler(&out, nil)).Info("x", "tok", tok)
	slog.New(slog.NewJSONHandler(&out, nil)).Info("x", "tok", tok)
	for _, f := range []string{"%v", "%+v", "%#v", "%s", "%q"} {
		fmt.Fprintf(&out, f+"\n", tok)
		fmt.Fprintf(&out, f+"\n", struct{ T CLIToken }{tok})
	}
	j, err := json.Marshal(map[string]any{"t": tok})
	if err != nil {
		t.Fatal(err)
	}
	out.Write(j)
	if strings.Contains(out.String(), goodToken) || strings.Contains(out.String(), goodToken[:16]) {
		t.Errorf("a token prints:\n%s", out.String())
	}
	if !strings.Contains(out.String(), "******") {
		t.Errorf("no mask printed:\n%s", out.String())
	}
}
