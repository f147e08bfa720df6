package main

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"unicode/utf8"

	"golang.org/x/sys/unix"

	"github.com/lubo-edge/lubo/api/auth/password"
)

// minPasswordLen is the shortest password `lubo passwd` hashes.
const minPasswordLen = 8

// cmdPasswd reads a password and prints its hash for a user's
// password_hash: twice without echo when stdin is a terminal, else one
// line (for scripts: `echo "$PW" | lubo passwd`).
func cmdPasswd(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	if len(args) > 0 {
		if args[0] == "-h" || args[0] == "-help" || args[0] == "--help" {
			fmt.Fprintln(stdout, "usage: lubo passwd   (reads the password from the terminal, or one line from stdin)")
			return 0
		}
		fmt.Fprintf(stderr, "lubo passwd: takes no arguments (the password is read from stdin, never from the command line)\n")
		return 2
	}
	var pw string
	var err error
	if f, ok := stdin.(*os.File); ok && isTerminal(f) {
		pw, err = readFromTerminal(f, stderr)
	} else {
		pw, err = readLine(bufio.NewReader(stdin))
	}
	if err != nil {
		fmt.Fprintf(stderr, "lubo passwd: %v\n", err)
		return 1
	}
	if err := checkNewPassword(pw); err != nil {
		fmt.Fprintf(stderr, "lubo passwd: %v\n", err)
		return 1
	}
	h, err := password.Hash(pw)
	if err != nil {
		fmt.Fprintf(stderr, "lubo passwd: %v\n", err)
		return 1
	}
	fmt.Fprintln(stdout, h)
	fmt.Fprintln(stderr, "put this line in the config as a user's password_hash (auth.users[].password_hash)")
	return 0
}

func checkNewPassword(pw string) error {
	switch {
	case pw == "":
		return errors.New("empty password")
	case !utf8.ValidString(pw):
		return errors.New("the password is not valid UTF-8")
	case utf8.RuneCountInString(pw) < minPasswordLen:
		return fmt.Errorf("the password is shorter than %d characters", minPasswordLen)
	case len(pw) > password.MaxInput:
		return fmt.Errorf("the password is longer than %d bytes", password.MaxInput)
	}
	return nil
}

// readLine reads one line, without its line ending, at most
// password.MaxInput+2 bytes.
func readLine(r *bufio.Reader) (string, error) {
	var b strings.Builder
	for {
		c, err := r.ReadByte()
		if err == io.EOF {
			if b.Len() == 0 {
				return "", errors.New("no password on stdin")
			}
			break
		}
		if err != nil {
			return "", fmt.Errorf("read password: %w", err)
		}
		if c == '\n' {
			break
		}
		if b.Len() > password.MaxInput {
			return "", fmt.Errorf("the password is longer than %d bytes", password.MaxInput)
		}
		b.WriteByte(c)
	}
	return strings.TrimSuffix(b.String(), "\r"), nil
}

func isTerminal(f *os.File) bool {
	_, err := unix.IoctlGetTermios(int(f.Fd()), unix.TCGETS)
	return err == nil
}

// readFromTerminal asks twice with echo off and restores the terminal,
// also when interrupted.
func readFromTerminal(f *os.File, prompt io.Writer) (string, error) {
	fd := int(f.Fd())
	old, err := unix.IoctlGetTermios(fd, unix.TCGETS)
	if err != nil {
		return "", fmt.Errorf("terminal: %w", err)
	}
	quiet := *old
	quiet.Lflag &^= unix.ECHO
	quiet.Lflag |= unix.ICANON | unix.ISIG
	if err := unix.IoctlSetTermios(fd, unix.TCSETS, &quiet); err != nil {
		return "", fmt.Errorf("terminal: turn echo off: %w", err)
	}
	restore := func() { _ = unix.IoctlSetTermios(fd, unix.TCSETS, old) }
	defer restore()
	sigs := make(chan os.Signal, 1)
	signal.Notify(sigs, os.Interrupt, syscall.SIGTERM)
	done := make(chan struct{})
	defer func() { signal.Stop(sigs); close(done) }()
	go func() {
		select {
		case <-sigs:
			restore()
			fmt.Fprintln(prompt)
			os.Exit(130)
		case <-done:
		}
	}()

	r := bufio.NewReader(f)
	fmt.Fprint(prompt, "Password: ")
	first, err := readLine(r)
	fmt.Fprintln(prompt)
	if err != nil {
		return "", err
	}
	fmt.Fprint(prompt, "Again: ")
	second, err := readLine(r)
	fmt.Fprintln(prompt)
	if err != nil {
		return "", err
	}
	if first != second {
		return "", errors.New("the two passwords differ; nothing printed")
	}
	return first, nil
}
