package outbox_test

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/lubo-edge/lubo/cloud/outbox"
	"github.com/lubo-edge/lubo/internal/testkit"
	"github.com/lubo-edge/lubo/storage"
)

// The crash test re-runs this test binary as an uploader child that the
// parent SIGKILLs in the middle of uploads. These variables tell the child
// what to do.
const (
	childEnv      = "LUBO_OUTBOX_TEST_CHILD" // "first" (enqueue, then upload) or "resume"
	childDBEnv    = "LUBO_OUTBOX_TEST_DB"
	childFilesEnv = "LUBO_OUTBOX_TEST_FILES"
	childURLEnv   = "LUBO_OUTBOX_TEST_URL"
	childStallEnv = "LUBO_OUTBOX_TEST_STALL" // stall halfway through this upload (1-based)
	crashItems    = 12
	crashItemSize = 64 << 10
)

func TestMain(m *testing.M) {
	if mode := os.Getenv(childEnv); mode != "" {
		if err := runChild(mode); err != nil {
			fmt.Fprintln(os.Stderr, "child:", err)
			os.Exit(2)
		}
		os.Exit(0)
	}
	os.Exit(m.Run())
}

func crashName(i int) string { return fmt.Sprintf("item%02d", i) }

// crashKind alternates snapshots, whose files the queue owns and deletes,
// and recordings, whose files it must leave alone.
func crashKind(i int) outbox.Kind {
	if i%2 == 0 {
		return outbox.KindSnapshot
	}
	return outbox.KindRecord
}

// crashContent is item i's file: its name, then a byte pattern.
func crashContent(i int) []byte {
	b := make([]byte, crashItemSize)
	for j := range b {
		b[j] = byte(i + j)
	}
	copy(b, crashName(i))
	return b
}

// runChild is the uploader's whole life: open the store, enqueue the
// items on the first run, upload until nothing waits, exit 0.
func runChild(mode string) error {
	db, err := storage.Open(os.Getenv(childDBEnv), storage.Options{})
	if err != nil {
		return err
	}
	defer db.Close()
	stall, _ := strconv.Atoi(os.Getenv(childStallEnv))
	target := &httpTarget{url: os.Getenv(childURLEnv), stallAt: stall, client: &http.Client{Timeout: 20 * time.Second}}
	q, err := outbox.New(db, outbox.Options{
		Targets: []outbox.Target{target},
		Backoff: outbox.Backoff{Min: 5 * time.Millisecond, Max: 50 * time.Millisecond},
		Logger:  slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn})),
	})
	if err != nil {
		return err
	}
	if mode == "first" {
		for i := range crashItems {
			it := &outbox.Item{Target: "platform", Kind: crashKind(i), Path: filepath.Join(os.Getenv(childFilesEnv), crashName(i)),
				Owned: crashKind(i) != outbox.KindRecord, Name: crashName(i), Size: crashItemSize}
			if err := q.Enqueue(it); err != nil {
				return err
			}
		}
		fmt.Println("enqueued")
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- q.Run(ctx) }()
	for {
		stats, err := q.Stats()
		if err != nil {
			cancel()
			return err
		}
		if s := stats[0]; s.Waiting == 0 && s.Refused == 0 {
			fmt.Printf("done drops=%d\n", len(s.Drops))
			break
		}
		time.Sleep(5 * time.Millisecond) // the child polls; the parent's checks do not depend on it
	}
	cancel()
	return <-done
}

var errNameTaken = errors.New("platform: name taken")

// httpTarget uploads to the parent's platform with PUT ?name=; 409 means
// the name is taken, anything else but 200 is worth retrying.
type httpTarget struct {
	url     string
	client  *http.Client
	stallAt int // stall halfway through the stallAt-th upload
	mu      sync.Mutex
	uploads int
}

func (h *httpTarget) Name() string { return "platform" }

func (h *httpTarget) Upload(ctx context.Context, it outbox.Item, body io.Reader, size int64) error {
	h.mu.Lock()
	h.uploads++
	n := h.uploads
	h.mu.Unlock()
	if n == h.stallAt {
		body = &stallingReader{r: body, left: size / 2, name: it.Name}
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPut, h.url+"?name="+it.Name, body)
	if err != nil {
		return err
	}
	req.ContentLength = size
	resp, err := h.client.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<10))
	switch resp.StatusCode {
	case http.StatusOK:
		return nil
	case http.StatusConflict:
		return errNameTaken
	}
	return fmt.Errorf("platform answered %s", resp.Status)
}

func (h *httpTarget) Retryable(err error) bool    { return !errors.Is(err, errNameTaken) }
func (h *httpTarget) AlreadyThere(err error) bool { return errors.Is(err, errNameTaken) }

// stallingReader passes left bytes, then says so on stdout and blocks
// until the parent kills the process.
type stallingReader struct {
	r    io.Reader
	left int64
	name string
}

func (s *stallingReader) Read(p []byte) (int, error) {
	if s.left <= 0 {
		fmt.Println("stalled", s.name)
		select {}
	}
	if int64(len(p)) > s.left {
		p = p[:s.left]
	}
	n, err := s.r.Read(p)
	s.left -= int64(n)
	return n, err
}

// platform is the parent's side: it stores one object per name, answers
// 409 to a second, and can hold an answer while the parent kills the
// child.
type platform struct {
	mu       sync.Mutex
	stored   map[string][]byte
	order    []string
	dups     []string
	requests int    // uploads read since arm
	holdAt   int    // hold the holdAt-th upload ...
	holdWhen string // ... "stored" (before answering) or "answered"
	hit      chan string
	release  chan struct{}
}

func (p *platform) arm(when string, at int) {
	p.mu.Lock()
	p.requests, p.holdAt, p.holdWhen = 0, at, when
	p.hit, p.release = make(chan string, 1), make(chan struct{})
	p.mu.Unlock()
}

func (p *platform) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	name := r.URL.Query().Get("name")
	data, err := io.ReadAll(http.MaxBytesReader(w, r.Body, 1<<20))
	if err != nil || int64(len(data)) != r.ContentLength {
		return // the uploader died mid-body: nothing is stored
	}
	p.mu.Lock()
	if _, taken := p.stored[name]; taken {
		p.dups = append(p.dups, name)
		p.mu.Unlock()
		http.Error(w, "name taken", http.StatusConflict)
		return
	}
	p.stored[name] = data
	p.order = append(p.order, name)
	p.requests++
	hold := p.requests == p.holdAt
	when, hit, release := p.holdWhen, p.hit, p.release
	p.mu.Unlock()
	if hold && when == "stored" {
		hit <- name
		<-release
	}
	w.WriteHeader(http.StatusOK)
	w.(http.Flusher).Flush()
	if hold && when == "answered" {
		hit <- name
		<-release
	}
}

func startUploader(t *testing.T, mode, dbPath, files, url string, stall int) (*exec.Cmd, *bufio.Scanner, *strings.Builder) {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), childEnv+"="+mode, childDBEnv+"="+dbPath, childFilesEnv+"="+files,
		childURLEnv+"="+url, childStallEnv+"="+strconv.Itoa(stall))
	stderr := new(strings.Builder)
	cmd.Stderr = stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	return cmd, bufio.NewScanner(out), stderr
}

func killUploader(t *testing.T, cmd *exec.Cmd, stderr *strings.Builder) {
	t.Helper()
	if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	err := cmd.Wait()
	var exit *exec.ExitError
	if !errors.As(err, &exit) || exit.Sys().(syscall.WaitStatus).Signal() != syscall.SIGKILL {
		t.Fatalf("uploader ended with %v, want killed by SIGKILL; stderr: %s", err, stderr)
	}
}

// waitHit waits for the platform to hold an answer, kills the uploader,
// then lets the answer go to the dead connection.
func waitHit(t *testing.T, p *platform, cmd *exec.Cmd, stderr *strings.Builder) string {
	t.Helper()
	select {
	case name := <-p.hit:
		killUploader(t, cmd, stderr)
		close(p.release)
		return name
	case <-time.After(testkit.Patience):
		t.Fatalf("the platform was never reached; stderr: %s", stderr)
	}
	return ""
}

func checkStore(t *testing.T, dbPath string) {
	t.Helper()
	db, err := storage.Open(dbPath, storage.Options{})
	if err != nil {
		t.Fatalf("reopen after SIGKILL: %v", err)
	}
	defer db.Close()
	if err := db.Check(); err != nil {
		t.Error(err)
	}
	if err := db.Outbox().Check(); err != nil {
		t.Error(err)
	}
}

// The uploader is SIGKILLed mid-body, after the platform stored an item
// but before its answer, and right after an answer; after the last restart
// every item is on the platform exactly once, in order, and the only
// duplicate-name answers are for items whose answer the kill took away.
func TestSIGKILLLosesAndDuplicatesNothing(t *testing.T) {
	dir := t.TempDir()
	dbPath, files := filepath.Join(dir, "lubo.db"), filepath.Join(dir, "files")
	if err := os.MkdirAll(files, 0o750); err != nil {
		t.Fatal(err)
	}
	for i := range crashItems {
		if err := os.WriteFile(filepath.Join(files, crashName(i)), crashContent(i), 0o640); err != nil {
			t.Fatal(err)
		}
	}
	plat := &platform{stored: map[string][]byte{}}
	plat.arm("", 0)
	srv := httptest.NewServer(plat)
	defer srv.Close()

	// Round 1: enqueue everything, stall halfway through the third upload.
	cmd, lines, stderr := startUploader(t, "first", dbPath, files, srv.URL, 3)
	if !lines.Scan() || lines.Text() != "enqueued" {
		t.Fatalf("child: %q %v; stderr: %s", lines.Text(), lines.Err(), stderr)
	}
	if !lines.Scan() || !strings.HasPrefix(lines.Text(), "stalled ") {
		t.Fatalf("child: %q %v; stderr: %s", lines.Text(), lines.Err(), stderr)
	}
	stalled := strings.TrimPrefix(lines.Text(), "stalled ")
	killUploader(t, cmd, stderr)
	checkStore(t, dbPath)
	plat.mu.Lock()
	_, halfStored := plat.stored[stalled]
	plat.mu.Unlock()
	if halfStored {
		t.Fatalf("%s was stored from half a body", stalled)
	}

	// Round 2: the platform stores the second upload; the kill takes its answer.
	plat.arm("stored", 2)
	cmd, _, stderr = startUploader(t, "resume", dbPath, files, srv.URL, 0)
	lostAnswer := waitHit(t, plat, cmd, stderr)
	checkStore(t, dbPath)

	// Round 3: killed just after the third answer, before or after the
	// uploader recorded it.
	plat.arm("answered", 3)
	cmd, _, stderr = startUploader(t, "resume", dbPath, files, srv.URL, 0)
	racedAnswer := waitHit(t, plat, cmd, stderr)
	checkStore(t, dbPath)

	// Round 4: runs until nothing waits.
	plat.arm("", 0)
	cmd, lines, stderr = startUploader(t, "resume", dbPath, files, srv.URL, 0)
	if !lines.Scan() || lines.Text() != "done drops=0" {
		t.Errorf("last uploader said %q (%v), want done drops=0; stderr: %s", lines.Text(), lines.Err(), stderr)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	select {
	case err := <-exited:
		if err != nil {
			t.Fatalf("last uploader: %v; stderr: %s", err, stderr)
		}
	case <-time.After(testkit.Patience):
		t.Fatalf("last uploader did not finish; stderr: %s", stderr)
	}

	plat.mu.Lock()
	defer plat.mu.Unlock()
	var want []string
	for i := range crashItems {
		want = append(want, crashName(i))
		if got := plat.stored[crashName(i)]; !slices.Equal(got, crashContent(i)) {
			t.Errorf("%s: platform holds %d bytes, not the file", crashName(i), len(got))
		}
	}
	if !slices.Equal(plat.order, want) {
		t.Errorf("platform stored %v, want each once in order %v", plat.order, want)
	}
	if !slices.Contains(plat.dups, lostAnswer) {
		t.Errorf("%s, whose answer was lost, was not retried (duplicates %v)", lostAnswer, plat.dups)
	}
	for _, d := range plat.dups {
		if d != lostAnswer && d != racedAnswer {
			t.Errorf("%s sent again though its delivery was recorded (duplicates %v)", d, plat.dups)
		}
	}
	if len(plat.dups) > 2 {
		t.Errorf("duplicates %v: more than one per killed answer", plat.dups)
	}
	checkStore(t, dbPath)
	db, err := storage.Open(dbPath, storage.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if items, err := db.Outbox().List(storage.OutboxFilter{}); err != nil || len(items) != 0 {
		t.Errorf("store still holds %d items (%v)", len(items), err)
	}
	for i := range crashItems {
		if kept, owned := exists(filepath.Join(files, crashName(i))), crashKind(i) != outbox.KindRecord; kept == owned {
			t.Errorf("%s (owned %v): file kept %v after delivery", crashName(i), owned, kept)
		}
	}
}
