package configs

import (
	"context"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"
)

// recordHandler passes each log record's message to a channel, so a test
// can wait for "the broken file was seen" instead of sleeping.
type recordHandler struct {
	records chan slog.Record
}

func (h *recordHandler) Enabled(context.Context, slog.Level) bool { return true }
func (h *recordHandler) Handle(_ context.Context, r slog.Record) error {
	select {
	case h.records <- r.Clone():
	default: // the test reads only what it waits for
	}
	return nil
}
func (h *recordHandler) WithAttrs([]slog.Attr) slog.Handler { return h }
func (h *recordHandler) WithGroup(string) slog.Handler      { return h }

const baseConfig = `
channels:
  - {id: c1, source: "rtsp://cam/1"}
`

// writeReplacing writes the file the way editors do: a temporary file
// renamed over the original.
func writeReplacing(t *testing.T, path, content string) {
	t.Helper()
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(tmp, path); err != nil {
		t.Fatal(err)
	}
}

func TestWatcherReloads(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "lubo.yaml")
	if err := os.WriteFile(path, []byte(baseConfig), 0o644); err != nil {
		t.Fatal(err)
	}
	running, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	logs := &recordHandler{records: make(chan slog.Record, 64)}
	w := NewWatcher(path, slog.New(logs))
	ctx, cancel := context.WithCancel(context.Background())
	runErr := make(chan error, 1)
	go func() { runErr <- w.Run(ctx) }()
	defer func() {
		cancel()
		if err := <-runErr; err != nil {
			t.Errorf("Run: %v", err)
		}
	}()
	select {
	case <-w.ready:
	case err := <-runErr:
		t.Fatalf("Run ended before watching: %v", err)
	}

	next := func() *Config {
		t.Helper()
		select {
		case cfg := <-w.Updates():
			return cfg
		case err := <-runErr:
			t.Fatalf("Run ended: %v", err)
		case <-time.After(10 * time.Second):
			t.Fatal("no update within 10s")
		}
		return nil
	}

	// An in-place write adding a channel.
	if err := os.WriteFile(path, []byte(baseConfig+`  - {id: c2, source: "rtsp://cam/2"}`+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	cfg := next()
	added, removed, changed := ChannelDiff(running, cfg)
	if !slices.Equal(added, []string{"c2"}) || removed != nil || changed != nil {
		t.Fatalf("diff = +%v -%v ~%v, want +[c2]", added, removed, changed)
	}
	running = cfg

	// A broken file is logged with its problems and not delivered.
	writeReplacing(t, path, baseConfig+`  - {id: "C 3", source: "htp://cam/3"}`+"\n")
	waitForLog(t, logs, "config not reloaded: keeping the running configuration", func(r slog.Record) {
		var problems []string
		r.Attrs(func(a slog.Attr) bool {
			if a.Key == "problems" {
				problems, _ = a.Value.Any().([]string)
			}
			return true
		})
		want := []string{
			`channels[1].id: "C 3" has characters outside [a-z0-9_-]`,
			`channels[1].source: unsupported scheme "htp"; want rtsp, rtmp, http(s) (FLV), file, ezviz (cloud.ezviz), tplink (cloud.tplink), or publisher (pushed to lubo over RTMP)`,
		}
		if !slices.Equal(problems, want) {
			t.Errorf("logged problems = %q, want %q", problems, want)
		}
	})
	if st := w.Status(); !st.Stale || st.Since.IsZero() || len(st.Problems) != 2 {
		t.Errorf("status with a broken file on disk: %+v", st)
	}

	// The next update is the next valid file (replaced via rename), c1
	// changed and c2 removed.
	writeReplacing(t, path, `
channels:
  - {id: c1, source: "rtsp://cam/1", idle_timeout: 1m}
`)
	cfg = next()
	added, removed, changed = ChannelDiff(running, cfg)
	if added != nil || !slices.Equal(removed, []string{"c2"}) || !slices.Equal(changed, []string{"c1"}) {
		t.Fatalf("diff = +%v -%v ~%v, want -[c2] ~[c1]", added, removed, changed)
	}
	if st := w.Status(); st.Stale {
		t.Errorf("status after a good file: %+v", st)
	}
	if cfg.Channels[0].IdleTimeout != time.Minute {
		t.Errorf("idle_timeout = %v", cfg.Channels[0].IdleTimeout)
	}
}

func waitForLog(t *testing.T, h *recordHandler, msg string, check func(slog.Record)) {
	t.Helper()
	deadline := time.After(10 * time.Second)
	for {
		select {
		case r := <-h.records:
			if r.Message == msg {
				check(r)
				return
			}
		case <-deadline:
			t.Fatalf("no log %q within 10s", msg)
		}
	}
}

func TestWatcherStopsOnCancel(t *testing.T) {
	path := filepath.Join(t.TempDir(), "lubo.yaml")
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := NewWatcher(path, nil).Run(ctx); err != nil {
		t.Errorf("Run after cancel = %v, want nil", err)
	}
	missing := filepath.Join(t.TempDir(), "missing", "lubo.yaml")
	if err := NewWatcher(missing, nil).Run(context.Background()); err == nil {
		t.Error("Run in a missing directory succeeded")
	}
}

func TestChannelDiff(t *testing.T) {
	parse := func(s string) *Config {
		t.Helper()
		cfg, err := Parse([]byte(s), "t")
		if err != nil {
			t.Fatal(err)
		}
		return cfg
	}
	old := parse(`
channels:
  - {id: keep, source: "rtsp://cam/1"}
  - {id: gone, source: "rtsp://cam/2"}
  - {id: pw, device: {vendor: hikvision, host: 10.0.0.1, user: u, password: old}}
  - {id: name, source: "rtsp://cam/3"}
`)
	cur := parse(`
channels:
  - {id: name, name: Renamed, source: "rtsp://cam/3"}
  - {id: new, source: "rtsp://cam/4"}
  - {id: pw, device: {vendor: hikvision, host: 10.0.0.1, user: u, password: new}}
  - {id: keep, source: "rtsp://cam/1"}
`)
	// A rename alone is not a change (it applies in place).
	added, removed, changed := ChannelDiff(old, cur)
	if !slices.Equal(added, []string{"new"}) || !slices.Equal(removed, []string{"gone"}) || !slices.Equal(changed, []string{"pw"}) {
		t.Errorf("diff = +%v -%v ~%v", added, removed, changed)
	}
	if r := ChannelsRenamed(old, cur); !slices.Equal(r, []string{"name"}) {
		t.Errorf("renamed = %v, want [name]", r)
	}
	added, removed, changed = ChannelDiff(nil, old)
	if len(added) != 4 || removed != nil || changed != nil {
		t.Errorf("diff from nil = +%v -%v ~%v", added, removed, changed)
	}
	added, removed, changed = ChannelDiff(old, old)
	if added != nil || removed != nil || changed != nil {
		t.Errorf("diff with itself = +%v -%v ~%v", added, removed, changed)
	}
}
