package rtmp

import (
	"os"
	"sync"
	"testing"
)

// clipDir holds clips made once per test run and shared by the tests.
var (
	clipDir   string
	clipMu    sync.Mutex
	clipPaths = map[string]string{}
)

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "lubo-rtmp-test-")
	if err != nil {
		panic(err)
	}
	clipDir = dir
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// clipPath is makeClip, made once per run.
func clipPath(t testing.TB, audio string) string {
	t.Helper()
	clipMu.Lock()
	defer clipMu.Unlock()
	if p, ok := clipPaths[audio]; ok {
		return p
	}
	p := makeClipIn(t, clipDir, audio)
	clipPaths[audio] = p
	return p
}
