// Command lubo is the classroom media relay and recording daemon.
//
//	lubo run [-config FILE]   serve (no flag: the embedded demo channel)
//	lubo check -config FILE   validate a config, print every problem
//	lubo probe URL            print the tracks of a source
//	lubo record start|stop -channel ID   manual recording via a running lubo
//	lubo cloud VENDOR VERB -config FILE   installer tools for vendor clouds
//	lubo version
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"

	"github.com/lubo-edge/lubo/box"
	"github.com/lubo-edge/lubo/configs"
	"github.com/lubo-edge/lubo/internal/redact"
	"github.com/lubo-edge/lubo/recorder/schedule"
	"github.com/lubo-edge/lubo/relay/sources"
	"github.com/lubo-edge/lubo/testdata"
)

// version is set at build time with -ldflags "-X main.version=…".
var version = "dev"

const usage = `usage:
  lubo run [-config FILE]   serve; without -config, the embedded demo channel
  lubo check -config FILE   validate a config and print every problem
  lubo probe URL            print a source's tracks and codec parameters
  lubo record start -channel ID [-duration 45m] [-addr http://127.0.0.1:8080] [-config FILE]
  lubo record stop -channel ID [-addr …] [-config FILE]
                            start or stop a manual recording on a running lubo
  lubo outbox list|retry|drop [-id N] [-addr …] [-config FILE]   the upload queue of a running lubo
  lubo push start|stop|list [-channel ID -url rtmp://…] [-addr …] [-config FILE]   RTMP pushes of a running lubo
                            (-config: with auth on, the CLI signs in with the
                            daemon's <data_dir>/cli.token; default /etc/lubo/lubo.yaml)
  lubo cloud VENDOR VERB -config FILE   installer tools for the vendor clouds
                            (tplink, ezviz, hikyunmou, onenet; lubo cloud -h)
  lubo passwd               read a password, print its hash for auth.users[].password_hash
  lubo version              print the version
`

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

func run(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return 2
	}
	switch args[0] {
	case "run":
		return cmdRun(args[1:], stderr)
	case "check":
		return cmdCheck(args[1:], stdout, stderr)
	case "probe":
		return cmdProbe(args[1:], stdout, stderr)
	case "record":
		return cmdRecord(args[1:], stdout, stderr)
	case "cloud":
		return cmdCloud(args[1:], stdout, stderr)
	case "outbox":
		return cmdOutbox(args[1:], stdout, stderr)
	case "push":
		return cmdPush(args[1:], stdout, stderr)
	case "passwd":
		return cmdPasswd(args[1:], os.Stdin, stdout, stderr)
	case "version":
		fmt.Fprintln(stdout, "lubo", version)
		return 0
	case "-h", "-help", "--help", "help":
		fmt.Fprint(stdout, usage)
		return 0
	}
	fmt.Fprintf(stderr, "lubo: unknown command %q\n%s", args[0], usage)
	return 2
}

func cmdCheck(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("check", flag.ContinueOnError)
	fs.SetOutput(stderr)
	path := fs.String("config", "", "config file to validate")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if *path == "" {
		fmt.Fprintln(stderr, "lubo check: -config FILE is required")
		return 2
	}
	cfg, err := configs.Load(*path)
	if err != nil {
		printConfigError(stderr, *path, err)
		return 1
	}
	// The timetable is judged as the recorder judges it: a course that
	// `lubo run` would skip (a bad time, an overlap, crossing midnight) is
	// a problem here, not a lesson silently not recorded.
	if problems := scheduleProblems(cfg); len(problems) > 0 {
		fmt.Fprintf(stderr, "%s: %d problem(s) in the timetable; these courses would not be recorded:\n", *path, len(problems))
		for _, p := range problems {
			fmt.Fprintf(stderr, "  %s\n", p)
		}
		return 1
	}
	fmt.Fprintf(stdout, "%s: ok (%d channels, %d courses)\n", *path, len(cfg.Channels), len(cfg.Schedule))
	return 0
}

// scheduleProblems lists what the recorder would refuse in cfg's timetable.
func scheduleProblems(cfg *configs.Config) []string {
	var out []string
	courses, err := schedule.FromConfig(cfg.Schedule, cfg.Location())
	if err != nil {
		var joined interface{ Unwrap() []error }
		if errors.As(err, &joined) {
			for _, e := range joined.Unwrap() {
				out = append(out, e.Error())
			}
		} else {
			out = append(out, err.Error())
		}
	}
	for _, p := range schedule.Validate(courses) {
		out = append(out, p.Error())
	}
	return out
}

func cmdRun(args []string, stderr io.Writer) int {
	fs := flag.NewFlagSet("run", flag.ContinueOnError)
	fs.SetOutput(stderr)
	path := fs.String("config", "", "config file (default: the embedded demo)")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	var cfg *configs.Config
	if *path == "" {
		cfg = configs.Demo()
		if err := writeDemoSample(cfg); err != nil {
			fmt.Fprintln(stderr, "lubo:", err)
			return 1
		}
	} else {
		var err error
		if cfg, err = configs.Load(*path); err != nil {
			printConfigError(stderr, *path, err)
			return 1
		}
	}
	log := newLogger(cfg.Log, stderr)
	tuneGC()
	if *path == "" {
		log.Info("no -config given: running the embedded demo channel", "data_dir", cfg.DataDir)
	}

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	err := box.Run(ctx, box.Options{Config: cfg, ConfigPath: *path, Logger: log, Version: version})
	stop()
	if err != nil && !errors.Is(err, context.Canceled) {
		log.Error("stopped", "err", err)
		return 1
	}
	log.Info("stopped")
	return 0
}

// printConfigError prints every problem of a config, under a line naming
// the file and how many problems it has.
func printConfigError(w io.Writer, path string, err error) {
	var pe *configs.ProblemsError
	if errors.As(err, &pe) {
		fmt.Fprintf(w, "%s: %d problem(s):\n%s\n", path, len(pe.Problems), pe.Error())
		return
	}
	fmt.Fprintf(w, "%s: %v\n", path, err)
}

// writeDemoSample puts the embedded clip where the demo config's file source
// points, so the demo runs without any file of its own.
func writeDemoSample(cfg *configs.Config) error {
	path, ok := sources.FilePath(cfg.Channels[0].Source)
	if !ok {
		return fmt.Errorf("demo config: channel source %q is not a file", cfg.Channels[0].Source)
	}
	if st, err := os.Stat(path); err == nil && st.Size() == int64(len(testdata.Sample)) {
		return nil
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return fmt.Errorf("demo: %w", err)
	}
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, testdata.Sample, 0o644); err != nil {
		return fmt.Errorf("demo: %w", err)
	}
	return os.Rename(tmp, path)
}

func newLogger(l configs.Log, w io.Writer) *slog.Logger {
	opts := &slog.HandlerOptions{Level: l.SlogLevel(), ReplaceAttr: redact.ReplaceAttr}
	if l.Format == "json" {
		return slog.New(slog.NewJSONHandler(w, opts))
	}
	return slog.New(slog.NewTextHandler(w, opts))
}
