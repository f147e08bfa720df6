package storage

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// The crash tests re-run this test binary as a child process that uses the
// store and is then SIGKILLed. childEnv selects what the child does.
const (
	childEnv   = "LUBO_STORAGE_TEST_CHILD" // "write" or "hold"
	childDBEnv = "LUBO_STORAGE_TEST_DB"
)

func TestMain(m *testing.M) {
	if mode := os.Getenv(childEnv); mode != "" {
		if err := runChild(mode, os.Getenv(childDBEnv)); err != nil {
			fmt.Fprintln(os.Stderr, "child:", err)
			os.Exit(2)
		}
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// crashRecord is the i-th record the writing child puts; the parent
// rebuilds it to compare.
func crashRecord(i int) *Record {
	r := newRecord("c"+strconv.Itoa(i%3), base.Add(time.Duration(i)*time.Minute), 1, StateRecording)
	r.Size = int64(i)
	return r
}

// runChild is the child's whole life. "write" puts records forever and
// reports each one after PutRecord returned; every third one it also marks
// the previous record uploaded. "hold" opens the store and waits.
func runChild(mode, path string) error {
	db, err := Open(path, Options{})
	if err != nil {
		return err
	}
	switch mode {
	case "hold":
		fmt.Println("open")
		_, _ = io.Copy(io.Discard, os.Stdin) // until the parent kills us
		return db.Close()
	case "write":
		first, err := db.CountRecords(RecordQuery{})
		if err != nil {
			return err
		}
		for i := first; ; i++ {
			r := crashRecord(i)
			if err := db.PutRecord(r); err != nil {
				return err
			}
			// os.Stdout is unbuffered: the line is in the pipe before the
			// next write starts.
			fmt.Printf("put %s\n", r.ID)
			if i%3 == 2 {
				prev := crashRecord(i - 1).ID
				if err := db.UpdateRecord(prev, func(r *Record) error { r.State = StateUploaded; return nil }); err != nil {
					return err
				}
				fmt.Printf("uploaded %s\n", prev)
			}
		}
	}
	return fmt.Errorf("unknown mode %q", mode)
}

func startChild(t *testing.T, mode, path string) (*exec.Cmd, *bufio.Scanner, *strings.Builder) {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), childEnv+"="+mode, childDBEnv+"="+path)
	stderr := new(strings.Builder)
	cmd.Stderr = stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if mode == "hold" {
		if _, err := cmd.StdinPipe(); err != nil { // kept open: the child blocks on it
			t.Fatal(err)
		}
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	return cmd, bufio.NewScanner(out), stderr
}

// killAndWait SIGKILLs the child and requires that it died of the signal,
// not of an error of its own.
func killAndWait(t *testing.T, cmd *exec.Cmd, stderr *strings.Builder) {
	t.Helper()
	if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	err := cmd.Wait()
	var exit *exec.ExitError
	if !errors.As(err, &exit) || exit.Sys().(syscall.WaitStatus).Signal() != syscall.SIGKILL {
		t.Fatalf("child ended with %v, want killed by SIGKILL; stderr: %s", err, stderr)
	}
}

// Every record the child reported as written survives a SIGKILL at an
// arbitrary point, over several rounds on the same file.
func TestCrashKeepsAcknowledgedWrites(t *testing.T) {
	path := filepath.Join(t.TempDir(), "lubo.db")
	const rounds, linesPerRound = 3, 60
	acked := map[string]State{} // id -> last acknowledged state
	for round := range rounds {
		cmd, lines, stderr := startChild(t, "write", path)
		n := 0
		killed := false
		for lines.Scan() {
			// Lines after the kill were acknowledged before it: count them.
			verb, id, ok := strings.Cut(lines.Text(), " ")
			switch {
			case ok && verb == "put":
				acked[id] = StateRecording
			case ok && verb == "uploaded":
				acked[id] = StateUploaded
			default:
				t.Fatalf("child said %q", lines.Text())
			}
			if n++; n == linesPerRound && !killed {
				killAndWait(t, cmd, stderr) // mid-transaction, most likely
				killed = true
			}
		}
		if !killed {
			t.Fatalf("round %d: child stopped after %d lines: %v; stderr: %s", round, n, lines.Err(), stderr)
		}

		db, err := Open(path, Options{})
		if err != nil {
			t.Fatalf("round %d: reopen after SIGKILL: %v", round, err)
		}
		if err := db.Check(); err != nil {
			t.Errorf("round %d: %v", round, err)
		}
		for id, state := range acked {
			got, err := db.GetRecord(id)
			if err != nil {
				t.Errorf("round %d: acknowledged record lost: %v", round, err)
				continue
			}
			// A later, unacknowledged upload may have committed too.
			if got.State != state && !(state == StateRecording && got.State == StateUploaded) {
				t.Errorf("round %d: record %s state %s, acknowledged %s", round, id, got.State, state)
			}
			// The child put crashRecord(i) with Size i: the rest must match.
			if want := crashRecord(int(got.Size)); want.ID != id || got.Channel != want.Channel || got.Path != want.Path || !got.Start.Equal(want.Start) {
				t.Errorf("round %d: record %s does not match what the child wrote: %+v", round, id, got)
			}
		}
		total, err := db.CountRecords(RecordQuery{})
		if err != nil {
			t.Fatal(err)
		}
		// At most one put per round may have committed without being
		// reported, and those of earlier rounds stay.
		if total < len(acked) || total > len(acked)+round+1 {
			t.Errorf("round %d: %d records stored, %d acknowledged", round, total, len(acked))
		}
		if err := db.Close(); err != nil {
			t.Fatal(err)
		}
	}
}

// A lubo that dies holds no lock: the kernel drops the flock with the
// process, so the next start does not need a manual cleanup.
func TestLockHeldByAnotherProcess(t *testing.T) {
	path := filepath.Join(t.TempDir(), "lubo.db")
	cmd, lines, stderr := startChild(t, "hold", path)
	if !lines.Scan() || lines.Text() != "open" {
		t.Fatalf("child did not open the store: %q %v; stderr: %s", lines.Text(), lines.Err(), stderr)
	}
	db, err := Open(path, Options{LockTimeout: 200 * time.Millisecond})
	if err == nil {
		db.Close()
		t.Fatal("Open succeeded while another process holds the store")
	}
	if want := "another lubo is using " + path; err.Error() != want {
		t.Errorf("error %q, want %q", err, want)
	}
	killAndWait(t, cmd, stderr)
	db, err = Open(path, Options{LockTimeout: 200 * time.Millisecond})
	if err != nil {
		t.Fatalf("Open after the holder was killed: %v", err)
	}
	db.Close()
}
