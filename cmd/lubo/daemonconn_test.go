package main

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"

	"github.com/lubo-edge/lubo/api/auth"
	"github.com/lubo-edge/lubo/box"
	"github.com/lubo-edge/lubo/configs"
	"github.com/lubo-edge/lubo/daemon"
	"github.com/lubo-edge/lubo/internal/testkit"
	"github.com/lubo-edge/lubo/testdata/testmedia"
)

// cliArgsEnv makes the test binary run `lubo` with these arguments
// (separated by \x1f) instead of the tests: a helper process under
// another user.
const cliArgsEnv = "LUBO_TEST_CLI_ARGS"

func TestMain(m *testing.M) {
	// Tests never read the host's installed config.
	installedConfig = filepath.Join(os.TempDir(), "lubo-tests-have-no-installed-config", "lubo.yaml")
	if args, ok := os.LookupEnv(cliArgsEnv); ok {
		os.Exit(run(strings.Split(args, "\x1f"), os.Stdout, os.Stderr))
	}
	os.Exit(m.Run())
}

// testHash is an argon2id hash nobody signs in with here.
const testHash = "$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHRzYWx0c2FsdA$YWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWE"

// startAuthBox runs a whole box with sign-in on, its config at
// dir/lubo.yaml and its data in dir/data; it returns the HTTP address and
// the config's path.
func startAuthBox(t *testing.T, dir string) (addr, path string) {
	t.Helper()
	clip := testmedia.Require(t, "h264_aac.mp4")
	data := filepath.Join(dir, "data")
	if err := os.MkdirAll(data, 0o755); err != nil {
		t.Fatal(err)
	}
	path = filepath.Join(dir, "lubo.yaml")
	doc := fmt.Sprintf(`data_dir: %s
http: {listen: "127.0.0.1:0"}
rtsp: {listen: ""}
record: {slice: 0s, snapshot_interval: 0s}
channels:
  - {id: c1, source: "file://%s", on_demand: true}
auth:
  users: [{name: admin, role: admin, password_hash: %q}]
`, data, clip, testHash)
	var logs testkit.LogBuffer
	t.Cleanup(func() { // after the box has stopped (cleanups run last first)
		tok, err := auth.ReadCLIToken(filepath.Join(data, auth.CLITokenFile))
		if err == nil && strings.Contains(logs.String(), tokenHex(t, tok)) {
			t.Error("the box logged the CLI token")
		}
	})
	return runBox(t, path, doc, &logs), path
}

// runBox writes doc to path (readable by all: a test runs the CLI as
// another user, who must get as far as the token) and runs a whole box on
// it, logging to logs, until the test ends; it returns its HTTP address.
func runBox(t *testing.T, path, doc string, logs *testkit.LogBuffer) string {
	t.Helper()
	if err := os.WriteFile(path, []byte(doc), 0o644); err != nil {
		t.Fatal(err)
	}
	cfg, err := configs.Load(path)
	if err != nil {
		t.Fatal(err)
	}
	ready := make(chan *daemon.Daemon, 1)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		done <- box.Run(ctx, box.Options{Config: cfg, Logger: logs.Logger(), Ready: func(d *daemon.Daemon) { ready <- d }})
	}()
	var addr string
	select {
	case d := <-ready:
		addr = "http://" + d.HTTPAddr().String()
	case err := <-done:
		cancel()
		t.Fatalf("box did not start: %v", err)
	}
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("box: %v", err)
		}
	})
	return addr
}

// tokenHex is the token as it is sent, read off a request.
func tokenHex(t *testing.T, tok auth.CLIToken) string {
	t.Helper()
	req := httptest.NewRequest("GET", "/", nil)
	tok.Authorize(req)
	h, ok := strings.CutPrefix(req.Header.Get("Authorization"), "Bearer ")
	if !ok || len(h) != 64 {
		t.Fatalf("Authorize set %d bytes", len(h))
	}
	return h
}

// With sign-in on, the verbs work through the same code as the CLI with
// the token from the config's data_dir; without the config or the token
// file they fail and say what to do.
func TestDaemonVerbsWithSignIn(t *testing.T) {
	dir := t.TempDir()
	addr, cfgPath := startAuthBox(t, dir)
	tokenPath := filepath.Join(dir, "data", auth.CLITokenFile)
	fi, err := os.Stat(tokenPath)
	if err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("token file: %v %v", fi, err)
	}
	tok, err := auth.ReadCLIToken(tokenPath)
	if err != nil {
		t.Fatal(err)
	}
	secret := tokenHex(t, tok)

	type cliCase struct {
		args []string
		code int
		want []string
	}
	check := func(cases []cliCase) {
		t.Helper()
		for _, c := range cases {
			code, out, errs := runCLI(c.args...)
			for _, w := range c.want {
				if code != c.code || !strings.Contains(out+errs, w) {
					t.Errorf("lubo %s: exit %d %q %q, want %d with %q", strings.Join(c.args, " "), code, out, errs, c.code, w)
				}
			}
			if strings.Contains(out+errs, secret) {
				t.Errorf("lubo %s printed the token", strings.Join(c.args, " "))
			}
		}
	}
	check([]cliCase{
		{[]string{"push", "list", "-addr", addr, "-config", cfgPath}, 0, []string{`"pushes":[]`}},
		{[]string{"outbox", "list", "-addr", addr, "-config", cfgPath}, 1, []string{"has no outbox"}},
		{[]string{"record", "stop", "-channel", "c1", "-addr", addr, "-config", cfgPath}, 1, []string{"no manual recording"}},
		// No -config, and no installed one: the daemon's 401, then how to fix it.
		{[]string{"push", "list", "-addr", addr}, 1, []string{"sign in first", "run this as root or as the lubo user", "-config", installedConfig}},
		{[]string{"record", "stop", "-channel", "c1", "-addr", addr}, 1, []string{"sign in first", "-config"}},
		// The token goes to this box only.
		{[]string{"push", "list", "-addr", "http://192.0.2.7:8080", "-config", cfgPath}, 1, []string{"192.0.2.7:8080 is not this box"}},
		{[]string{"outbox", "list", "-addr", "ftp://x", "-config", cfgPath}, 1, []string{"want http://host:port"}},
		// lubo check neither needs nor shows it.
		{[]string{"check", "-config", cfgPath}, 0, []string{"ok (1 channels"}},
	})
	// localhost is this box too.
	check([]cliCase{{[]string{"push", "list", "-addr", strings.Replace(addr, "127.0.0.1", "localhost", 1), "-config", cfgPath}, 0, []string{`"pushes":[]`}}})

	// A config without auth: sends nothing, and a 401 says the config is
	// not the daemon's.
	plain := filepath.Join(dir, "plain.yaml")
	if err := os.WriteFile(plain, []byte("data_dir: "+filepath.Join(dir, "data")+"\nchannels: [{id: c1, source: \"rtsp://10.0.0.1/x\"}]\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	check([]cliCase{{[]string{"push", "list", "-addr", addr, "-config", plain}, 1, []string{"sign in first", "has no auth: section"}}})

	// The token file gone: the file is named, and who may read it.
	moved := tokenPath + ".away"
	if err := os.Rename(tokenPath, moved); err != nil {
		t.Fatal(err)
	}
	check([]cliCase{
		{[]string{"push", "list", "-addr", addr, "-config", cfgPath}, 1, []string{tokenPath, "cannot be read", "does not exist", "root or as the lubo user"}},
		{[]string{"record", "start", "-channel", "c1", "-addr", addr, "-config", cfgPath}, 1, []string{tokenPath, "root or as the lubo user"}},
		{[]string{"push", "list", "-addr", addr, "-config", filepath.Join(dir, "none.yaml")}, 1, []string{"none.yaml: no such file"}},
	})
	// A malformed one is named, its content is not shown.
	if err := os.WriteFile(tokenPath, []byte("not-a-token-"+secret[:8]+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	check([]cliCase{{[]string{"outbox", "list", "-addr", addr, "-config", cfgPath}, 1, []string{tokenPath, "not a lubo CLI token", "root or as the lubo user"}}})
	if err := os.Rename(moved, tokenPath); err != nil {
		t.Fatal(err)
	}
	check([]cliCase{{[]string{"push", "list", "-addr", addr, "-config", cfgPath}, 0, []string{`"pushes":[]`}}})
}

// A user who may not read the token file (here: nobody, on a config it
// may read) is told which file and to run as root or the lubo user.
func TestDaemonVerbTokenUnreadable(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("needs root to run the CLI as another user")
	}
	// Directories nobody can walk: t.TempDir's are 0700.
	dir, err := os.MkdirTemp("", "lubo-cli-token-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = os.RemoveAll(dir) })
	if err := os.Chmod(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	addr, cfgPath := startAuthBox(t, dir)
	tokenPath := filepath.Join(dir, "data", auth.CLITokenFile)
	// The test binary, where nobody may run it.
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	bin := filepath.Join(dir, "lubo.test")
	b, err := os.ReadFile(self)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(bin, b, 0o755); err != nil {
		t.Fatal(err)
	}
	const nobody = 65534
	asNobody := func(args ...string) (int, string) {
		cmd := exec.Command(bin)
		cmd.Env = append(os.Environ(), cliArgsEnv+"="+strings.Join(args, "\x1f"))
		cmd.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: nobody, Gid: nobody}}
		out, err := cmd.CombinedOutput()
		code := 0
		if ee, ok := err.(*exec.ExitError); ok {
			code = ee.ExitCode()
		} else if err != nil {
			t.Fatalf("helper: %v", err)
		}
		return code, string(out)
	}
	// The helper can read the config (0644), not the token (0600 root).
	code, out := asNobody("push", "list", "-addr", addr, "-config", cfgPath)
	for _, want := range []string{tokenPath, "permission denied", "run this as root or as the lubo user"} {
		if code != 1 || !strings.Contains(out, want) {
			t.Errorf("as nobody: exit %d %q, want 1 with %q", code, out, want)
		}
	}
	// The config itself unreadable: named, and the same advice.
	if err := os.Chmod(cfgPath, 0o600); err != nil {
		t.Fatal(err)
	}
	code, out = asNobody("outbox", "list", "-addr", addr, "-config", cfgPath)
	if code != 1 || !strings.Contains(out, cfgPath+": permission denied; run this as root or as the lubo user") {
		t.Errorf("config unreadable as nobody: exit %d %q", code, out)
	}
}

// With auth off nothing changes: no Authorization header is sent, whether
// a config is given or not.
func TestDaemonVerbsAuthOffSendNoToken(t *testing.T) {
	var sent atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") != "" {
			sent.Add(1)
		}
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprint(w, `{"pushes":[],"items":[]}`)
	}))
	defer srv.Close()
	dir := t.TempDir()
	// A token file lying in data_dir from an earlier auth-on run is not read.
	if err := os.WriteFile(filepath.Join(dir, auth.CLITokenFile), []byte(strings.Repeat("ab", 32)+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	plain := filepath.Join(dir, "lubo.yaml")
	if err := os.WriteFile(plain, []byte("data_dir: "+dir+"\nchannels: [{id: c1, source: \"rtsp://10.0.0.1/x\"}]\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, args := range [][]string{
		{"push", "list", "-addr", srv.URL},
		{"push", "list", "-addr", srv.URL, "-config", plain},
		{"outbox", "list", "-addr", srv.URL, "-config", plain},
	} {
		if code, out, errs := runCLI(args...); code != 0 {
			t.Errorf("lubo %s: exit %d %q %q", strings.Join(args, " "), code, out, errs)
		}
	}
	if n := sent.Load(); n != 0 {
		t.Errorf("%d requests carried an Authorization header with auth off", n)
	}
}
