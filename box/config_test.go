package box

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/lubo-edge/lubo/internal/testkit"
)

// A broken edit keeps the last good config running, and the dashboard and
// /metrics say so until the file is fixed.
func TestBrokenConfigFileIsShownAsStale(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "lubo.yaml")
	good := fmt.Sprintf("data_dir: %s\nhttp: {listen: \"127.0.0.1:0\"}\nrtsp: {listen: \"\"}\n", dir)
	write := func(s string) {
		tmp := path + ".tmp"
		if err := os.WriteFile(tmp, []byte(s), 0o600); err != nil {
			t.Fatal(err)
		}
		if err := os.Rename(tmp, path); err != nil {
			t.Fatal(err)
		}
	}
	b := startTestBox(t, dir, good)
	base := b.base
	metric := func() string {
		_, body := getText(t, base+"/metrics")
		return body
	}
	if !strings.Contains(metric(), "\nlubo_config_stale 0\n") {
		t.Fatal("a good config is reported stale")
	}
	// The watcher starts asynchronously: break the file again every
	// second until it notices (writes closer together would keep its
	// debounce from ever firing).
	var wrote time.Time
	testkit.WaitFor(t, "the broken file reported", func() bool {
		if time.Since(wrote) > time.Second {
			write(good + "channels: [{id: \"Bad Id\", source: \"htp://x\"}]\n")
			wrote = time.Now()
		}
		return strings.Contains(metric(), "\nlubo_config_stale 1\n")
	})
	_, dash := getText(t, base+"/api/dash/status")
	if !strings.Contains(dash, `"Stale":true`) || !strings.Contains(dash, `unsupported scheme \"htp\"`) {
		t.Errorf("dashboard JSON does not show the stale file: %s\n%s", dash, b.logs.String())
	}
	write(good)
	testkit.WaitFor(t, "the fixed file", func() bool { return strings.Contains(metric(), "\nlubo_config_stale 0\n") })
}
