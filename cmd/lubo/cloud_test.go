package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// testClock is the one clock of a cloud test: the emulator and the client
// read it, and the client's Sleep advances it instead of waiting.
type testClock struct {
	mu sync.Mutex
	t  time.Time
}

func newTestClock() *testClock {
	return &testClock{t: time.Date(2026, 11, 27, 2, 0, 0, 0, time.UTC)}
}

func (c *testClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *testClock) Sleep(ctx context.Context, d time.Duration) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
	return nil
}

// useClock makes `lubo cloud` run on clock for the rest of the test.
func useClock(t *testing.T, clock *testClock) {
	t.Helper()
	cloudTestSeams.now, cloudTestSeams.sleep = clock.Now, clock.Sleep
	t.Cleanup(func() { cloudTestSeams.now, cloudTestSeams.sleep = nil, nil })
}

// cloudResult is what one `lubo cloud …` printed.
type cloudResult struct {
	code           int
	stdout, stderr string
}

func runCloud(t *testing.T, args ...string) cloudResult {
	t.Helper()
	var out, errb bytes.Buffer
	code := run(append([]string{"cloud"}, args...), &out, &errb)
	return cloudResult{code: code, stdout: out.String(), stderr: errb.String()}
}

// want fails the test unless the command exited with code.
func (r cloudResult) want(t *testing.T, code int) cloudResult {
	t.Helper()
	if r.code != code {
		t.Fatalf("exit %d, want %d\nstdout:\n%s\nstderr:\n%s", r.code, code, r.stdout, r.stderr)
	}
	return r
}

// decode reads stdout as JSON into v.
func (r cloudResult) decode(t *testing.T, v any) {
	t.Helper()
	if err := json.Unmarshal([]byte(r.stdout), v); err != nil {
		t.Fatalf("stdout is not the JSON expected: %v\n%s", err, r.stdout)
	}
}

// noSecrets fails the test if any secret shows on stdout or stderr.
func (r cloudResult) noSecrets(t *testing.T, secrets ...string) {
	t.Helper()
	for _, s := range secrets {
		if s == "" {
			t.Fatal("noSecrets called with an empty secret")
		}
		if strings.Contains(r.stdout, s) || strings.Contains(r.stderr, s) {
			t.Errorf("secret %q printed\nstdout:\n%s\nstderr:\n%s", s, r.stdout, r.stderr)
		}
	}
}

func (r cloudResult) stderrHas(t *testing.T, parts ...string) {
	t.Helper()
	for _, p := range parts {
		if !strings.Contains(r.stderr, p) {
			t.Errorf("stderr lacks %q:\n%s", p, r.stderr)
		}
	}
}

// cloudConfig writes a config whose cloud section is section (YAML lines
// under "cloud:", already indented by two spaces).
func cloudConfig(t *testing.T, section string) string {
	t.Helper()
	return writeCloudConfig(t, fmt.Sprintf("data_dir: %s\ntimezone: Asia/Shanghai\ncloud:\n%s\n", t.TempDir(), section))
}

func writeCloudConfig(t *testing.T, body string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "lubo.yaml")
	if err := os.WriteFile(p, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestCloudUsageErrorsExit2AndNameTheAcceptedValues(t *testing.T) {
	path := cloudConfig(t, `  ezviz: {app_key: k, app_secret: s}`)
	// Flags are judged before the file is read: a wrong command line is a
	// usage error even when the config file is missing.
	missing := filepath.Join(t.TempDir(), "missing.yaml")
	cases := []struct {
		name string
		args []string
		want []string
	}{
		{"no vendor", nil, []string{"usage: lubo cloud <vendor> <verb>", "tplink, ezviz, hikyunmou"}},
		{"unknown vendor", []string{"dahua", "devices"}, []string{`unknown vendor "dahua"`, "want one of tplink, ezviz, hikyunmou"}},
		{"no verb", []string{"tplink"}, []string{"which verb? want one of devices, stream-url"}},
		{"unknown verb", []string{"ezviz", "devices"}, []string{`unknown verb "devices"`, "want one of live-address, playback-address, ptz"}},
		{"no config", []string{"ezviz", "live-address", "-serial", "D1", "-channel", "1"}, []string{"-config FILE is required"}},
		{"unknown flag", []string{"ezviz", "live-address", "-config", missing, "-bogus"}, []string{"flag provided but not defined: -bogus"}},
		{"stray argument", []string{"ezviz", "live-address", "-config", missing, "D1"}, []string{`unexpected argument "D1"`}},
		{"missing serial", []string{"ezviz", "live-address", "-config", missing, "-channel", "1"}, []string{"-serial is required", "usage: lubo cloud ezviz live-address"}},
		{"missing channel", []string{"ezviz", "live-address", "-config", missing, "-serial", "D1"}, []string{"-channel is required"}},
		{"bad quality", []string{"ezviz", "live-address", "-config", missing, "-serial", "D1", "-channel", "1", "-quality", "3"}, []string{"-quality 3: want 1 (HD) or 2 (SD)"}},
		{"bad direction", []string{"ezviz", "ptz", "-config", missing, "-serial", "D1", "-channel", "1", "-direction", "sideways"}, []string{`-direction "sideways": want one of up, down, left, right`}},
		{"bad source", []string{"ezviz", "playback-address", "-config", missing, "-serial", "D1", "-channel", "1", "-start", "2026-11-27 08:00:00", "-stop", "2026-11-27 09:00:00", "-source", "nas"}, []string{`-source "nas": want local or cloud`}},
		{"bad time", []string{"ezviz", "playback-address", "-config", path, "-serial", "D1", "-channel", "1", "-start", "8 o'clock", "-stop", "2026-11-27 09:00:00"}, []string{`-start "8 o'clock": want "2006-01-02 15:04:05"`}},
		{"stop before start", []string{"ezviz", "playback-address", "-config", path, "-serial", "D1", "-channel", "1", "-start", "2026-11-27 09:00:00", "-stop", "2026-11-27 08:00:00"}, []string{"must be after -start"}},
		{"short qrcode", []string{"tplink", "stream-url", "-config", missing, "-qrcode", "ABC", "-channel", "1"}, []string{`-qrcode "ABC": want the 17 characters`}},
		{"bad stream type", []string{"tplink", "stream-url", "-config", missing, "-qrcode", "ABCDEFGHIJKLMNOPQ", "-channel", "1", "-type", "dtspk"}, []string{`-type "dtspk": want video or sdvod`}},
		{"channel out of range", []string{"tplink", "stream-url", "-config", missing, "-qrcode", "ABCDEFGHIJKLMNOPQ", "-channel", "70000"}, []string{"-channel 70000: want 1-65535"}},
		{"group without code", []string{"hikyunmou", "confirm", "-config", missing, "-serial", "S1", "-group", "g"}, []string{"-group needs -validate-code"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := runCloud(t, c.args...).want(t, 2)
			r.stderrHas(t, c.want...)
			if r.stdout != "" {
				t.Errorf("stdout not empty on a usage error:\n%s", r.stdout)
			}
		})
	}
}

func TestCloudHelpExits0(t *testing.T) {
	r := runCloud(t, "-h").want(t, 0)
	if !strings.Contains(r.stdout, "lubo cloud hikyunmou confirm -config FILE") {
		t.Errorf("help lacks the confirm verb:\n%s", r.stdout)
	}
	runCloud(t, "ezviz", "help").want(t, 0)
	r = runCloud(t, "ezviz", "ptz", "-h").want(t, 0)
	r.stderrHas(t, "-direction", "-show-secrets")
}

func TestCloudMissingSectionNamesTheFileAndTheKeys(t *testing.T) {
	path := cloudConfig(t, `  ezviz: {app_key: k, app_secret: s}`)
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"tplink", "devices"}, "cloud.tplink is not configured in " + path + "; add cloud: {tplink: {ak, sk}}"},
		{[]string{"hikyunmou", "confirm", "-serial", "S1"}, "cloud.hikyunmou is not configured in " + path + "; add cloud: {hikyunmou: {api, client_id, client_secret}}"},
	} {
		r := runCloud(t, append(c.args, "-config", path)...).want(t, 1)
		r.stderrHas(t, c.want)
	}
	path = cloudConfig(t, `  tplink: {ak: a, sk: b}`)
	runCloud(t, "ezviz", "live-address", "-config", path, "-serial", "D1", "-channel", "1").want(t, 1).
		stderrHas(t, "cloud.ezviz is not configured in "+path+"; add cloud: {ezviz: {app_key, app_secret}}")
}

func TestCloudBadConfigExits1WithoutSecrets(t *testing.T) {
	path := cloudConfig(t, `  ezviz: {api: "ftp://x", app_key: k, app_secret: "topsecret-1"}`)
	r := runCloud(t, "ezviz", "live-address", "-config", path, "-serial", "D1", "-channel", "1").want(t, 1)
	r.stderrHas(t, "cloud.ezviz.api")
	r.noSecrets(t, "topsecret-1")
	runCloud(t, "ezviz", "live-address", "-config", path+".missing", "-serial", "D1", "-channel", "1").want(t, 1)
}

// `lubo cloud` runs beside a daemon on the same data_dir: it must not open
// (or even create) lubo's database there.
func TestCloudLeavesTheDataDirAlone(t *testing.T) {
	e, _ := ezvizCloud(t)
	dataDir := filepath.Join(t.TempDir(), "lubo-data")
	path := writeCloudConfig(t, fmt.Sprintf("data_dir: %s\ncloud:\n  ezviz: {api: %q, app_key: %q, app_secret: %q}\n", dataDir, e.URL(), ezvizKey, ezvizSecret))
	runCloud(t, "ezviz", "live-address", "-config", path, "-serial", ezvizSerial, "-channel", "1").want(t, 0)
	if _, err := os.Stat(dataDir); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("data_dir %s was touched (stat: %v)", dataDir, err)
	}
}

// FuzzCloudArgs: whatever is typed after `lubo cloud`, the command answers
// with 0, 1 or 2 and never panics; a usage error prints its reason on stderr
// and nothing on stdout. The config file does not exist, so nothing reaches
// a network.
func FuzzCloudArgs(f *testing.F) {
	f.Add("tplink stream-url -qrcode ABCDEFGH123456789 -channel 1 -type sdvod")
	f.Add("ezviz ptz -serial D1 -channel 1 -direction zoom-in -duration 1s")
	f.Add("ezviz playback-address -serial D1 -channel 1 -start 2026-11-27T08:00:00 -stop 2026-11-27T09:00:00")
	f.Add("hikyunmou confirm -serial S -validate-code C -group G")
	f.Add("onenet picture -file x.jpg -device 1 -channel 1")
	f.Add("onenet status -device 1,2,3")
	f.Add("tplink devices -children -show-secrets -verbose")
	f.Add("ezviz -h")
	missing := filepath.Join(f.TempDir(), "missing.yaml")
	f.Fuzz(func(t *testing.T, line string) {
		args := strings.Fields(line)
		args = append(args, "-config", missing)
		var out, errb bytes.Buffer
		code := cmdCloud(args, &out, &errb)
		switch code {
		case 0:
		case 1, 2:
			if errb.Len() == 0 {
				t.Fatalf("%q: exit %d with nothing on stderr", line, code)
			}
			if out.Len() != 0 {
				t.Fatalf("%q: exit %d with stdout %q", line, code, out.String())
			}
		default:
			t.Fatalf("%q: exit %d", line, code)
		}
	})
}
