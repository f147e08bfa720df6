package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"slices"
	"strings"
	"syscall"
	"time"

	"github.com/lubo-edge/lubo/cloud/setup"
	"github.com/lubo-edge/lubo/configs"
	"github.com/lubo-edge/lubo/internal/redact"
)

// cloudVendor is one `lubo cloud <vendor>`: the verbs an installer can run
// against that vendor's cloud.
type cloudVendor struct {
	name  string
	verbs []cloudVerb
}

// cloudVerb is one `lubo cloud <vendor> <verb>`. define declares the verb's
// own flags on fs and returns what runs once they are parsed; the runner
// returns the value printed as JSON on stdout.
type cloudVerb struct {
	name     string
	synopsis string // the verb's flags, for the usage text
	about    string
	define   func(fs *flag.FlagSet) cloudRunner
}

// cloudRunner checks the verb's flags (a *usageError for a missing or bad
// one), then does the work.
type cloudRunner func(ctx context.Context, env *cloudEnv) (any, error)

// cloudVendors lists every vendor the command knows, in usage order.
func cloudVendors() []cloudVendor {
	return []cloudVendor{tplinkVendor(), ezvizVendor(), hikyunmouVendor(), onenetVendor()}
}

// cloudEnv is what a verb runs with: the config file and where to report.
type cloudEnv struct {
	path        string          // the -config file
	cfg         *configs.Config // loaded by config, after the verb checked its flags
	opts        setup.Options
	showSecrets bool
	progress    io.Writer // stderr: progress lines for the installer
}

// cloudTestSeams lets tests replace the clock, which the command line cannot
// reach: the 确权 flow polls every 5 s at least and a PTZ move lasts -duration.
// Nil fields use the real clock.
var cloudTestSeams struct {
	now   func() time.Time
	sleep func(ctx context.Context, d time.Duration) error
}

// usageError is a command line the verb cannot run: exit 2 with the usage.
type usageError struct{ msg string }

func (e *usageError) Error() string { return e.msg }

func usagef(format string, args ...any) error {
	return &usageError{msg: fmt.Sprintf(format, args...)}
}

// cmdCloud runs `lubo cloud <vendor> <verb> -config FILE`: JSON on stdout,
// progress and errors on stderr, exit 1 when the call fails and 2 when the
// command line is wrong. It never opens lubo's database, so it works beside
// a running daemon.
func cmdCloud(args []string, stdout, stderr io.Writer) int {
	vendors := cloudVendors()
	if len(args) == 0 {
		fmt.Fprint(stderr, cloudUsage(vendors))
		return 2
	}
	if isHelp(args[0]) {
		fmt.Fprint(stdout, cloudUsage(vendors))
		return 0
	}
	i := slices.IndexFunc(vendors, func(v cloudVendor) bool { return v.name == args[0] })
	if i < 0 {
		fmt.Fprintf(stderr, "lubo cloud: unknown vendor %q; want one of %s\n\n%s", args[0], vendorNames(vendors), cloudUsage(vendors))
		return 2
	}
	vendor := vendors[i]
	if len(args) < 2 || isHelp(args[1]) {
		w, code := stderr, 2
		if len(args) >= 2 {
			w, code = stdout, 0
		} else {
			fmt.Fprintf(stderr, "lubo cloud %s: which verb? want one of %s\n\n", vendor.name, verbNames(vendor))
		}
		fmt.Fprint(w, vendorUsage(vendor))
		return code
	}
	j := slices.IndexFunc(vendor.verbs, func(v cloudVerb) bool { return v.name == args[1] })
	if j < 0 {
		fmt.Fprintf(stderr, "lubo cloud %s: unknown verb %q; want one of %s\n\n%s", vendor.name, args[1], verbNames(vendor), vendorUsage(vendor))
		return 2
	}
	return runCloudVerb(vendor, vendor.verbs[j], args[2:], stdout, stderr)
}

func runCloudVerb(vendor cloudVendor, verb cloudVerb, args []string, stdout, stderr io.Writer) int {
	name := "lubo cloud " + vendor.name + " " + verb.name
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "usage: %s %s\n  %s\n\nflags:\n", name, verb.synopsis, verb.about)
		fs.PrintDefaults()
	}
	path := fs.String("config", "", "lubo's config file, holding the cloud."+vendor.name+" section (required)")
	showSecrets := fs.Bool("show-secrets", false, "print addresses, cookies and tokens in full (the output then holds secrets)")
	verbose := fs.Bool("verbose", false, "log the client's steps (retries, token renewals) on stderr")
	runner := verb.define(fs)
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "%s: unexpected argument %q (flags come after the verb: -name value)\n", name, fs.Arg(0))
		fs.Usage()
		return 2
	}
	if *path == "" {
		fmt.Fprintf(stderr, "%s: -config FILE is required\n", name)
		fs.Usage()
		return 2
	}

	level := slog.LevelWarn
	if *verbose {
		level = slog.LevelDebug
	}
	env := &cloudEnv{
		path: *path,
		opts: setup.Options{
			Logger: slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: level, ReplaceAttr: redact.ReplaceAttr})),
			Now:    cloudTestSeams.now,
			Sleep:  cloudTestSeams.sleep,
		},
		showSecrets: *showSecrets,
		progress:    stderr,
	}

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	out, err := runner(ctx, env)
	var ue *usageError
	if errors.As(err, &ue) {
		fmt.Fprintf(stderr, "%s: %s\n", name, ue.msg)
		fs.Usage()
		return 2
	}
	var ce *configError
	if errors.As(err, &ce) {
		printConfigError(stderr, *path, ce.err)
		return 1
	}
	if err != nil {
		fmt.Fprintf(stderr, "%s: %s\n", name, env.errorText(err))
		return 1
	}
	if env.showSecrets {
		fmt.Fprintf(stderr, "%s: -show-secrets: the JSON on stdout holds secrets (a playable address, cookie or token); do not paste it into tickets or chats\n", name)
	}
	if err := writeJSON(stdout, out); err != nil {
		fmt.Fprintf(stderr, "%s: writing the answer: %v\n", name, err)
		return 1
	}
	return 0
}

// configError is a config file that does not load.
type configError struct{ err error }

func (e *configError) Error() string { return e.err.Error() }

// config loads the -config file once. Verbs call it after checking their
// flags, so a wrong command line is a usage error whatever the file holds.
func (env *cloudEnv) config() (*configs.Config, error) {
	if env.cfg == nil {
		cfg, err := configs.Load(env.path)
		if err != nil {
			return nil, &configError{err: err}
		}
		env.cfg = cfg
	}
	return env.cfg, nil
}

// location is the config's timezone, for times an installer types.
func (env *cloudEnv) location() (*time.Location, error) {
	cfg, err := env.config()
	if err != nil {
		return nil, err
	}
	return cfg.Location(), nil
}

// errorText is what an installer reads when a call fails: the client's
// message, with a missing section explained against the file, and any URL's
// credentials masked.
func (env *cloudEnv) errorText(err error) string {
	var nc *setup.NotConfiguredError
	if errors.As(err, &nc) {
		return fmt.Sprintf("cloud.%s is not configured in %s; add %s", nc.Section, env.path, nc.Example())
	}
	return redact.Text(err.Error())
}

// reveal returns s when the installer asked for secrets, else hidden(s).
func (env *cloudEnv) reveal(s string, hidden func(string) string) string {
	if env.showSecrets || s == "" {
		return s
	}
	return hidden(s)
}

// secret is a value printed only with -show-secrets.
func (env *cloudEnv) secret(s string) string {
	return env.reveal(s, func(string) string { return redact.Mask })
}

// progressf writes one progress line for the installer, masking any URL's
// credentials.
func (env *cloudEnv) progressf(format string, args ...any) {
	fmt.Fprintln(env.progress, redact.Text(fmt.Sprintf(format, args...)))
}

// now is the clock the verb reports times with.
func (env *cloudEnv) now() time.Time {
	if env.opts.Now != nil {
		return env.opts.Now()
	}
	return time.Now()
}

// sleep waits d or until ctx ends.
func (env *cloudEnv) sleep(ctx context.Context, d time.Duration) error {
	if env.opts.Sleep != nil {
		return env.opts.Sleep(ctx, d)
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false) // addresses keep their '&'
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

func isHelp(s string) bool {
	return s == "-h" || s == "-help" || s == "--help" || s == "help"
}

func vendorNames(vs []cloudVendor) string {
	names := make([]string, len(vs))
	for i, v := range vs {
		names[i] = v.name
	}
	return strings.Join(names, ", ")
}

func verbNames(v cloudVendor) string {
	names := make([]string, len(v.verbs))
	for i, verb := range v.verbs {
		names[i] = verb.name
	}
	return strings.Join(names, ", ")
}

func vendorUsage(v cloudVendor) string {
	var b strings.Builder
	for _, verb := range v.verbs {
		fmt.Fprintf(&b, "  lubo cloud %s %s -config FILE %s\n      %s\n", v.name, verb.name, verb.synopsis, verb.about)
	}
	return b.String()
}

func cloudUsage(vs []cloudVendor) string {
	var b strings.Builder
	b.WriteString("usage: lubo cloud <vendor> <verb> -config FILE [flags]\n")
	b.WriteString("  JSON on stdout; progress and errors on stderr; exit 1 when the cloud call fails, 2 on a wrong command line.\n")
	b.WriteString("  Addresses, cookies and tokens are masked unless -show-secrets is given. -verbose logs the client's steps.\n\n")
	b.WriteString("vendors: " + vendorNames(vs) + "\n\n")
	for _, v := range vs {
		b.WriteString(vendorUsage(v))
	}
	return b.String()
}

// requireString is a usage error naming the flag when it was not given.
func requireString(flagName, v string) error {
	if strings.TrimSpace(v) == "" {
		return usagef("-%s is required", flagName)
	}
	return nil
}

// checkChannel is a usage error unless n is a channel number in 1..max.
func checkChannel(n, max int) error {
	if n == 0 {
		return usagef("-channel is required (from 1)")
	}
	if n < 1 || n > max {
		return usagef("-channel %d: want 1-%d", n, max)
	}
	return nil
}
