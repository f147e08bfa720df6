package testkit

import (
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"testing"
)

// Clips makes each named test file once per test binary, in a temporary
// folder that RunMain removes. A package declares one (var clips
// testkit.Clips) and runs its tests with func TestMain(m *testing.M) {
// clips.RunMain(m) }.
type Clips struct {
	mu   sync.Mutex
	dir  string
	made map[string]*clip
}

type clip struct {
	once sync.Once
	path string
	err  error
}

// Path returns dir/name, calling make(path) to create it on first use; a
// failure fails this and every later test that asks for the clip.
func (c *Clips) Path(t testing.TB, name string, make func(path string) error) string {
	t.Helper()
	c.mu.Lock()
	if c.dir == "" {
		dir, err := os.MkdirTemp("", "lubo-clips-")
		if err != nil {
			c.mu.Unlock()
			t.Fatal(err)
		}
		c.dir = dir
	}
	if c.made == nil {
		c.made = map[string]*clip{}
	}
	cl := c.made[name]
	if cl == nil {
		cl = &clip{path: filepath.Join(c.dir, name)}
		c.made[name] = cl
	}
	c.mu.Unlock()
	cl.once.Do(func() {
		if err := make(cl.path); err != nil {
			cl.err = fmt.Errorf("making test clip %s: %w", name, err)
		}
	})
	if cl.err != nil {
		t.Fatal(cl.err)
	}
	return cl.path
}

// RunMain runs the package's tests, removes the clips and exits.
func (c *Clips) RunMain(m *testing.M) {
	code := m.Run()
	c.mu.Lock()
	if c.dir != "" {
		os.RemoveAll(c.dir)
	}
	c.mu.Unlock()
	os.Exit(code)
}
