// Package sources is the table of source URL schemes: for each, how a URL
// is checked (config validation uses it) and how it is opened as a
// relay.Source (the daemon uses it). A scheme is added in one place, here.
//
// Cloud schemes (ezviz://, tplink://) name a camera that lives in a vendor
// cloud; a Resolver turns such a URL into a pullable address on every
// (re)connect, and the address is pulled with the scheme that it has.
package sources

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"strconv"
	"strings"

	"github.com/lubo-edge/lubo/cloud/ezviz"
	"github.com/lubo-edge/lubo/cloud/tplink"
	"github.com/lubo-edge/lubo/internal/redact"
	"github.com/lubo-edge/lubo/relay"
	"github.com/lubo-edge/lubo/relay/flv"
	"github.com/lubo-edge/lubo/relay/mp4file"
	"github.com/lubo-edge/lubo/relay/rtmp"
	"github.com/lubo-edge/lubo/relay/rtsp"
)

// Publisher is the source of a channel that encoders push to lubo over
// RTMP (rtmp://box:1935/live/{channel}) instead of lubo pulling it.
const Publisher = "publisher"

// Options are the per-channel settings a source may need.
type Options struct {
	// Channel is the channel's id; a Publisher source is named by it.
	Channel string
	// Transport is the RTSP transport: tcp, udp or auto. Default tcp.
	Transport string
	// Logger receives the source's log lines. Default slog.Default().
	Logger *slog.Logger
}

// Scheme is one kind of source URL.
type Scheme struct {
	// Names are the URL schemes, lower case ("rtsp", "rtsps").
	Names []string
	// Want describes the accepted form, for error messages.
	Want string
	// Check returns what is wrong with u ("" when nothing); shown is the
	// URL redacted, for quoting.
	Check func(u *url.URL, shown string) string
	// Open makes the source of raw. Nil for cloud schemes.
	Open func(raw string, u *url.URL, opts Options) (relay.Source, error)
	// Cloud is the config's cloud section whose resolver opens this
	// scheme ("ezviz"), "" for a scheme pulled directly.
	Cloud string
}

// Registry maps schemes to their Scheme and cloud schemes to resolvers.
// Make one with Builtin; it is not safe to change while in use.
type Registry struct {
	schemes   map[string]*Scheme
	order     []*Scheme
	resolvers map[string]Resolver // by Scheme.Cloud
	published func(channel string) relay.Source
}

// SetPublished makes Publisher sources openable: fn gives the source of
// what encoders push for a channel (the daemon's RTMP server).
func (r *Registry) SetPublished(fn func(channel string) relay.Source) { r.published = fn }

// Builtin is the registry of every scheme lubo knows; cloud schemes open
// only once their resolver is set with SetResolver.
func Builtin() *Registry {
	r := &Registry{schemes: map[string]*Scheme{}, resolvers: map[string]Resolver{}}
	for _, s := range builtins() {
		r.add(s)
	}
	return r
}

// Add registers a scheme (tests use it for fakes; lubo's are built in).
func (r *Registry) Add(s *Scheme) { r.add(s) }

func (r *Registry) add(s *Scheme) {
	r.order = append(r.order, s)
	for _, n := range s.Names {
		r.schemes[n] = s
	}
}

// SetResolver makes the cloud section's schemes openable through res.
func (r *Registry) SetResolver(cloud string, res Resolver) { r.resolvers[cloud] = res }

// Want lists the accepted schemes, for error messages.
func (r *Registry) Want() string {
	var ws []string
	for _, s := range r.order {
		ws = append(ws, s.Want)
	}
	return "want " + strings.Join(ws, ", ") + ", or " + Publisher + " (pushed to lubo over RTMP)"
}

// Check returns what is wrong with a source URL, "" when nothing. The
// message quotes the URL redacted.
func (r *Registry) Check(raw string) string {
	if raw == Publisher {
		return ""
	}
	shown := redact.URL(raw)
	u, err := url.Parse(raw)
	if err != nil {
		msg := fmt.Sprintf("%q is not a valid URL", shown)
		var ue *url.Error
		switch {
		case strings.Contains(raw, "@"):
			// The parser's reason may quote part of the password.
			msg += "; percent-encode special characters in the user and password (@ as %40, : as %3A, / as %2F, # as %23, ? as %3F)"
		case errors.As(err, &ue):
			msg += ": " + ue.Err.Error()
		}
		return msg
	}
	if p := u.Port(); p != "" {
		if n, err := strconv.Atoi(p); err != nil || n < 1 || n > 65535 {
			return fmt.Sprintf("%q has port %s; want a port from 1 to 65535", shown, p)
		}
	}
	if u.Scheme == "" {
		return fmt.Sprintf("%q has no scheme; %s", shown, r.Want())
	}
	s, ok := r.schemes[strings.ToLower(u.Scheme)]
	if !ok {
		return fmt.Sprintf("unsupported scheme %q; %s", u.Scheme, r.Want())
	}
	return s.Check(u, shown)
}

// Cloud is the cloud section a source URL needs, "" for a direct source
// (or a URL that does not parse).
func (r *Registry) Cloud(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return ""
	}
	if s, ok := r.schemes[strings.ToLower(u.Scheme)]; ok {
		return s.Cloud
	}
	return ""
}

// Open returns the source for raw.
func (r *Registry) Open(raw string, opts Options) (relay.Source, error) {
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	if msg := r.Check(raw); msg != "" {
		return nil, fmt.Errorf("source: %s", msg)
	}
	if raw == Publisher {
		if r.published == nil || opts.Channel == "" {
			return nil, fmt.Errorf("source %s: rtmp.listen is not set, so nothing can publish channel %q", Publisher, opts.Channel)
		}
		return r.published(opts.Channel), nil
	}
	u, _ := url.Parse(raw) // Check parsed it
	s := r.schemes[strings.ToLower(u.Scheme)]
	if s.Cloud == "" {
		return s.Open(raw, u, opts)
	}
	res, ok := r.resolvers[s.Cloud]
	if !ok {
		return nil, fmt.Errorf("source %s: cloud.%s is not configured; lubo needs its credentials to resolve this camera", redact.URL(raw), s.Cloud)
	}
	return newResolving(raw, res, r, opts), nil
}

// Resolve asks the cloud of a cloud camera's URL for a play address now.
func (r *Registry) Resolve(ctx context.Context, raw string) (Address, error) {
	if msg := r.Check(raw); msg != "" {
		return Address{}, errors.New(msg)
	}
	u, _ := url.Parse(raw)
	s := r.schemes[strings.ToLower(u.Scheme)]
	if s.Cloud == "" {
		return Address{}, fmt.Errorf("%s is not a cloud camera; want %s", redact.URL(raw), "ezviz://… or tplink://…")
	}
	res, ok := r.resolvers[s.Cloud]
	if !ok {
		return Address{}, fmt.Errorf("cloud.%s is not configured; lubo needs its credentials to resolve this camera", s.Cloud)
	}
	ctx, cancel := context.WithTimeout(ctx, resolveTimeout)
	defer cancel()
	return res.Resolve(ctx, raw)
}

// openDirect opens a resolved address: only schemes pulled directly.
func (r *Registry) openDirect(raw string, opts Options) (relay.Source, error) {
	u, err := url.Parse(raw)
	if err != nil {
		return nil, fmt.Errorf("resolved address %s does not parse", redact.URL(raw))
	}
	s, ok := r.schemes[strings.ToLower(u.Scheme)]
	if !ok || s.Cloud != "" {
		return nil, fmt.Errorf("resolved address %s has scheme %q, which lubo cannot pull", redact.URL(raw), u.Scheme)
	}
	return s.Open(raw, u, opts)
}

// Open opens raw with the built-in registry (no cloud schemes).
func Open(raw string, opts Options) (relay.Source, error) { return Builtin().Open(raw, opts) }

func builtins() []*Scheme {
	hostPath := func(form string) func(u *url.URL, shown string) string {
		return func(u *url.URL, shown string) string {
			if u.Host == "" {
				return fmt.Sprintf("%q has no host; want %s", shown, strings.ReplaceAll(form, "SCHEME", u.Scheme))
			}
			return ""
		}
	}
	return []*Scheme{
		{
			Names: []string{"rtsp", "rtsps"}, Want: "rtsp",
			Check: hostPath("SCHEME://HOST[:PORT]/PATH"),
			Open: func(raw string, _ *url.URL, o Options) (relay.Source, error) {
				return rtsp.NewSource(raw, rtsp.SourceOptions{Transport: o.Transport, Logger: o.Logger}), nil
			},
		},
		{
			Names: []string{"rtmp"}, Want: "rtmp",
			Check: hostPath("SCHEME://HOST[:PORT]/PATH"),
			Open:  func(raw string, _ *url.URL, _ Options) (relay.Source, error) { return rtmp.NewSource(raw), nil },
		},
		{
			Names: []string{"http", "https"}, Want: "http(s) (FLV)",
			Check: func(u *url.URL, shown string) string {
				if u.Host == "" {
					return fmt.Sprintf("%q has no host; want %s://HOST[:PORT]/PATH.flv", shown, u.Scheme)
				}
				if strings.HasSuffix(strings.ToLower(u.Path), ".m3u8") {
					return fmt.Sprintf("%q is an HLS playlist; HTTP sources must be HTTP-FLV", shown)
				}
				return ""
			},
			Open: func(raw string, _ *url.URL, o Options) (relay.Source, error) {
				return flv.NewSource(raw, flv.WithLogger(o.Logger)), nil
			},
		},
		{
			Names: []string{"file"}, Want: "file",
			Check: func(u *url.URL, shown string) string {
				if u.Host != "" && u.Host != "localhost" {
					return fmt.Sprintf("%q names host %q; want file:///abs/path.mp4 or file:relative/path.mp4", shown, u.Host)
				}
				if p := filePath(u); p == "" {
					return fmt.Sprintf("%q has no file path; want file:///abs/path.mp4 or file:relative/path.mp4", shown)
				}
				return ""
			},
			Open: func(_ string, u *url.URL, o Options) (relay.Source, error) {
				return mp4file.NewSource(filePath(u), mp4file.WithLogger(o.Logger)), nil
			},
		},
		{
			Names: []string{"ezviz"}, Want: "ezviz (cloud.ezviz)", Cloud: "ezviz",
			Check: func(u *url.URL, _ string) string {
				if _, _, _, err := ezviz.ParseURI(u.String()); err != nil {
					return err.Error()
				}
				return ""
			},
		},
		{
			Names: []string{"tplink"}, Want: "tplink (cloud.tplink)", Cloud: "tplink",
			Check: func(u *url.URL, _ string) string {
				if _, _, _, err := tplink.ParseURI(u.String()); err != nil {
					return err.Error()
				}
				return ""
			},
		},
	}
}

// FilePath returns the local path of a file: source (file:///abs/x.mp4 or
// file:relative/x.mp4, relative to the working directory) and true, or ""
// and false when source is not a file URL.
func FilePath(source string) (string, bool) {
	u, err := url.Parse(source)
	if err != nil || u.Scheme != "file" {
		return "", false
	}
	if u.Opaque != "" {
		p, err := url.PathUnescape(u.Opaque)
		return p, err == nil
	}
	return u.Path, true
}

func filePath(u *url.URL) string {
	if u.Opaque != "" {
		p, err := url.PathUnescape(u.Opaque)
		if err != nil {
			return ""
		}
		return p
	}
	return u.Path
}
