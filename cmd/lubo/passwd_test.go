package main

import (
	"bytes"
	"fmt"
	"os"
	"strings"
	"sync"
	"testing"

	"golang.org/x/sys/unix"

	"github.com/lubo-edge/lubo/api/auth/password"
	"github.com/lubo-edge/lubo/internal/testkit"
)

func TestPasswdFromPipe(t *testing.T) {
	for _, in := range []string{"correct horse battery\n", "correct horse battery\r\n", "correct horse battery"} {
		var out, errb bytes.Buffer
		code := cmdPasswd(nil, strings.NewReader(in), &out, &errb)
		if code != 0 {
			t.Fatalf("input %q: exit %d: %s", in, code, errb.String())
		}
		line := strings.TrimSuffix(out.String(), "\n")
		if strings.Contains(line, "\n") {
			t.Fatalf("more than one line on stdout: %q", out.String())
		}
		h, err := password.Parse(line)
		if err != nil {
			t.Fatalf("printed %q is not a hash: %v", line, err)
		}
		if h.Params() != password.Default {
			t.Errorf("hash parameters %+v, want %+v", h.Params(), password.Default)
		}
		if !h.Verify("correct horse battery") {
			t.Errorf("printed hash does not verify the password (input %q)", in)
		}
		if strings.Contains(out.String()+errb.String(), "horse") {
			t.Error("the password was printed")
		}
	}
}

func TestPasswdRefuses(t *testing.T) {
	cases := []struct{ in, want string }{
		{"", "no password on stdin"},
		{"\n", "empty password"},
		{"abc12\n", "shorter than 8 characters"},
		{strings.Repeat("p", password.MaxInput+5) + "\n", "longer than 1024 bytes"},
		{"\xff\xfe\xfdpassword\n", "not valid UTF-8"},
	}
	for _, c := range cases {
		var out, errb bytes.Buffer
		if code := cmdPasswd(nil, strings.NewReader(c.in), &out, &errb); code != 1 {
			t.Errorf("input %.20q: exit %d, want 1", c.in, code)
		}
		if out.Len() != 0 || !strings.Contains(errb.String(), c.want) {
			t.Errorf("input %.20q: stdout %q stderr %q, want %q", c.in, out.String(), errb.String(), c.want)
		}
		if strings.TrimSpace(c.in) != "" && strings.Contains(errb.String(), strings.TrimSpace(c.in)) {
			t.Errorf("the refused password is echoed: %q", errb.String())
		}
	}
	var out, errb bytes.Buffer
	if code := run([]string{"passwd", "hunter2hunter2"}, &out, &errb); code != 2 || strings.Contains(errb.String(), "hunter2") {
		t.Errorf("password as an argument: exit %d, stderr %q", code, errb.String())
	}
}

// openPTY opens a pseudo-terminal pair: the test types on master, lubo
// reads from the terminal end.
func openPTY(t *testing.T) (master, term *os.File) {
	t.Helper()
	m, err := os.OpenFile("/dev/ptmx", os.O_RDWR|unix.O_NOCTTY, 0)
	if err != nil {
		t.Fatalf("no pseudo-terminals here: %v", err)
	}
	if err := unix.IoctlSetPointerInt(int(m.Fd()), unix.TIOCSPTLCK, 0); err != nil {
		t.Fatal(err)
	}
	n, err := unix.IoctlGetUint32(int(m.Fd()), unix.TIOCGPTN)
	if err != nil {
		t.Fatal(err)
	}
	s, err := os.OpenFile(fmt.Sprintf("/dev/pts/%d", n), os.O_RDWR|unix.O_NOCTTY, 0)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close(); m.Close() })
	return m, s
}

// screen collects what the terminal shows.
type screen struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (s *screen) String() string { s.mu.Lock(); defer s.mu.Unlock(); return s.buf.String() }

func watch(m *os.File) *screen {
	sc := &screen{}
	go func() {
		b := make([]byte, 256)
		for {
			n, err := m.Read(b)
			sc.mu.Lock()
			sc.buf.Write(b[:n])
			sc.mu.Unlock()
			if err != nil {
				return // the test closed the terminal
			}
		}
	}()
	return sc
}

func TestPasswdOnTerminalDoesNotEcho(t *testing.T) {
	for _, c := range []struct {
		name, first, second string
		code                int
	}{
		{"same twice", "tty-secret-1234", "tty-secret-1234", 0},
		{"different", "tty-secret-1234", "tty-secret-9999", 1},
	} {
		t.Run(c.name, func(t *testing.T) {
			master, term := openPTY(t)
			sc := watch(master)
			var out bytes.Buffer
			done := make(chan int)
			go func() { done <- cmdPasswd(nil, term, &out, term) }()
			testkit.WaitFor(t, "the first prompt", func() bool { return strings.Contains(sc.String(), "Password: ") })
			if _, err := master.WriteString(c.first + "\n"); err != nil {
				t.Fatal(err)
			}
			testkit.WaitFor(t, "the second prompt", func() bool { return strings.Contains(sc.String(), "Again: ") })
			if _, err := master.WriteString(c.second + "\n"); err != nil {
				t.Fatal(err)
			}
			if code := <-done; code != c.code {
				t.Fatalf("exit %d, want %d; terminal:\n%s", code, c.code, sc.String())
			}
			// The last line lubo writes is on the screen: anything echoed
			// before it is too.
			last := map[int]string{0: "password_hash", 1: "differ"}[c.code]
			testkit.WaitFor(t, "lubo's last line on the terminal", func() bool { return strings.Contains(sc.String(), last) })
			if strings.Contains(sc.String(), "tty-secret") || strings.Contains(out.String(), "tty-secret") {
				t.Fatalf("the password was echoed or printed: %q", sc.String())
			}
			tio, err := unix.IoctlGetTermios(int(term.Fd()), unix.TCGETS)
			if err != nil || tio.Lflag&unix.ECHO == 0 {
				t.Fatalf("echo not restored (err %v)", err)
			}
			if c.code == 0 {
				h, err := password.Parse(strings.TrimSpace(out.String()))
				if err != nil || !h.Verify(c.first) {
					t.Fatalf("printed %q does not verify: %v", out.String(), err)
				}
			} else if out.Len() != 0 {
				t.Fatalf("mismatch printed %q", out.String())
			}
		})
	}
}
