package push

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/lubo-edge/lubo/relay"
)

// Errors a caller of Start and Stop acts on (the Handler maps them to
// HTTP statuses); a refused URL is a *URLError.
var (
	ErrNoChannel      = errors.New("push: channel is required")
	ErrUnknownChannel = errors.New("push: no such channel")
	ErrUnknownPush    = errors.New("push: no such push")
	ErrTooMany        = errors.New("push: too many pushes for this channel")
)

// Options configures a Manager. Zero values mean the documented default.
type Options struct {
	// Lookup finds a channel's Stream. It is called on every (re)connect,
	// so a Stream replaced by a reload is picked up. Required.
	Lookup func(channel string) (*relay.Stream, bool)
	// Backoff paces reconnects to a failed ingest; zero fields take
	// relay.Backoff's defaults (1s, 30s cap, 2m fast period).
	Backoff relay.Backoff
	// MaxPerChannel bounds the pushes of one channel (each holds an
	// upstream connection and a reader). Default 8.
	MaxPerChannel int
	// Logger receives the pushes' log lines, with channel and (redacted)
	// url attributes. Default slog.Default().
	Logger *slog.Logger

	dial dialFunc // tests: another ingest client
}

// Manager runs the RTMP pushes of every channel: those the config lists
// (Configure) and those started through the API (Start).
type Manager struct {
	opts Options

	mu     sync.Mutex
	pushes map[key]*entry
	// stopping holds, per key, the done channel of a removed push whose
	// runner may still be closing its connection: a new push of the same
	// key waits for it, so the ingest never sees two publishers of one
	// stream (nginx-rtmp refuses the second: "already publishing"). A
	// runner's done closes only after those it waited for, so the newest
	// one stands for them all.
	stopping map[key]chan struct{}
	runCtx   context.Context // nil while Run is not running
	seq      uint64          // creation order, for stable listings
}

type key struct{ channel, url string }

// entry is one push: its identity, who wants it and, while it runs, its
// goroutine.
type entry struct {
	key      key
	target   target
	label    string // target.display, made unique within the channel
	seq      uint64
	byConfig bool
	byAPI    bool
	invalid  error // a configured URL that cannot be pushed to
	c        counters

	cancel context.CancelFunc // nil while not running
	done   chan struct{}
}

// NewManager makes a Manager; pushes run once Run is called.
func NewManager(o Options) *Manager {
	o.Backoff = o.Backoff.WithDefaults()
	if o.MaxPerChannel <= 0 {
		o.MaxPerChannel = 8
	}
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	if o.dial == nil {
		o.dial = dialRTMP
	}
	if o.Lookup == nil {
		o.Lookup = func(string) (*relay.Stream, bool) { return nil, false }
	}
	return &Manager{opts: o, pushes: map[key]*entry{}, stopping: map[key]chan struct{}{}}
}

// Run runs every push until ctx ends, then stops them all and returns.
// Pushes added before Run wait for it.
func (m *Manager) Run(ctx context.Context) {
	m.mu.Lock()
	m.runCtx = ctx
	for _, e := range m.pushes {
		m.launch(e)
	}
	m.mu.Unlock()
	<-ctx.Done()
	m.mu.Lock()
	m.runCtx = nil
	running := make([]*entry, 0, len(m.pushes))
	for _, e := range m.pushes {
		if e.cancel != nil {
			running = append(running, e)
		}
	}
	m.mu.Unlock()
	for _, e := range running {
		m.halt(e)
	}
}

// Configure sets the channel's configured pushes to urls: new ones start,
// ones no longer listed stop (unless the API started them too). Called on
// every config apply; a URL that cannot be pushed to is listed as stopped
// with the reason.
func (m *Manager) Configure(channel string, urls []string) {
	want := map[string]bool{}
	for _, u := range urls {
		want[strings.TrimSpace(u)] = true
	}
	var halt []*entry
	m.mu.Lock()
	for k, e := range m.pushes {
		if k.channel != channel || !e.byConfig || want[k.url] {
			continue
		}
		e.byConfig = false
		if !e.byAPI {
			m.remove(e)
			halt = append(halt, e)
		}
	}
	for _, u := range urls {
		u = strings.TrimSpace(u)
		k := key{channel, u}
		if e, ok := m.pushes[k]; ok {
			e.byConfig = true
			continue
		}
		t, err := parseTarget(u)
		if err != nil {
			t = target{raw: u, display: Redact(u)}
		}
		e := m.add(k, t)
		e.byConfig = true
		if err != nil {
			e.invalid = err
			e.c.stop(err.Error(), time.Now())
			m.opts.Logger.Error("push not started", "channel", channel, "err", err.Error())
			continue
		}
		m.launch(e)
	}
	m.mu.Unlock()
	for _, e := range halt {
		m.halt(e)
	}
}

// ConfigureAll is Configure for a whole configuration: byChannel holds
// every channel's push list, and the configured pushes of channels not in
// it (removed by the reload) stop, whoever started them.
func (m *Manager) ConfigureAll(byChannel map[string][]string) {
	// A channel the configuration no longer has loses every push, the
	// API's too: they could only retry "no such channel" for ever.
	var halt []*entry
	m.mu.Lock()
	for k, e := range m.pushes {
		if _, ok := byChannel[k.channel]; !ok {
			m.remove(e)
			halt = append(halt, e)
		}
	}
	m.mu.Unlock()
	for _, e := range halt {
		m.halt(e)
	}
	for ch, urls := range byChannel {
		m.Configure(ch, urls)
	}
}

// Start adds a push of channel to url (origin "api"), or marks an existing
// one as wanted by the API too. It fails for an empty channel
// (ErrNoChannel), an unknown one (ErrUnknownChannel), a URL it cannot push
// to (*URLError) and past MaxPerChannel (ErrTooMany).
func (m *Manager) Start(channel, url string) error {
	if channel == "" {
		return ErrNoChannel
	}
	t, err := parseTarget(url)
	if err != nil {
		return err
	}
	if _, ok := m.opts.Lookup(channel); !ok {
		return fmt.Errorf("%w: %q", ErrUnknownChannel, channel)
	}
	k := key{channel, t.raw}
	m.mu.Lock()
	defer m.mu.Unlock()
	if e, ok := m.pushes[k]; ok {
		e.byAPI = true
		return nil
	}
	n := 0
	for k := range m.pushes {
		if k.channel == channel {
			n++
		}
	}
	if n >= m.opts.MaxPerChannel {
		return fmt.Errorf("%w: channel %q has %d; stop one first", ErrTooMany, channel, n)
	}
	e := m.add(k, t)
	e.byAPI = true
	m.launch(e)
	return nil
}

// Stop ends the push of channel to url, whichever origin it has; a
// configured push comes back on the next Configure that lists it. It
// returns ErrUnknownPush when there is none and waits for the push's
// connection to close.
func (m *Manager) Stop(channel, url string) error {
	if channel == "" {
		return ErrNoChannel
	}
	k := key{channel, strings.TrimSpace(url)}
	m.mu.Lock()
	e, ok := m.pushes[k]
	if ok {
		m.remove(e)
	}
	m.mu.Unlock()
	if !ok {
		return fmt.Errorf("%w: channel %q to %s", ErrUnknownPush, channel, Redact(url))
	}
	m.halt(e)
	return nil
}

// List is every push, by channel, then in the order they were added.
func (m *Manager) List() []Status {
	m.mu.Lock()
	entries := make([]*entry, 0, len(m.pushes))
	origins := make([]string, 0, len(m.pushes))
	for _, e := range m.pushes {
		entries = append(entries, e)
		origins = append(origins, e.origin())
	}
	m.mu.Unlock()
	out := make([]Status, len(entries))
	for i, e := range entries {
		out[i] = Status{Channel: e.key.channel, URL: e.label, Origin: origins[i]}
		e.c.fill(&out[i])
	}
	order := make([]int, len(entries))
	for i := range order {
		order[i] = i
	}
	sort.Slice(order, func(a, b int) bool {
		ea, eb := entries[order[a]], entries[order[b]]
		if ea.key.channel != eb.key.channel {
			return ea.key.channel < eb.key.channel
		}
		return ea.seq < eb.seq
	})
	sorted := make([]Status, len(out))
	for i, j := range order {
		sorted[i] = out[j]
	}
	return sorted
}

func (e *entry) origin() string {
	if e.byConfig {
		return OriginConfig
	}
	return OriginAPI
}

// add makes an entry for k. m.mu is held.
func (m *Manager) add(k key, t target) *entry {
	m.seq++
	e := &entry{key: k, target: t, seq: m.seq}
	e.label = m.uniqueLabel(k.channel, t.display)
	e.c.stop("", time.Now())
	m.pushes[k] = e
	return e
}

// uniqueLabel is display, or display#N when another push of the channel
// already shows as display: two keys on one ingest must stay apart in the
// metrics without either key showing. m.mu is held.
func (m *Manager) uniqueLabel(channel, display string) string {
	taken := map[string]bool{}
	for k, e := range m.pushes {
		if k.channel == channel {
			taken[e.label] = true
		}
	}
	label := display
	for n := 2; taken[label]; n++ {
		label = display + "#" + strconv.Itoa(n)
	}
	return label
}

// remove takes e out of the pushes; its runner, if any, counts as
// stopping until halt has waited for it. m.mu is held.
func (m *Manager) remove(e *entry) {
	delete(m.pushes, e.key)
	if e.done != nil {
		m.stopping[e.key] = e.done
	}
}

// launch starts e's goroutine when the Manager runs. m.mu is held.
func (m *Manager) launch(e *entry) {
	if m.runCtx == nil || e.cancel != nil || e.invalid != nil {
		return
	}
	ctx, cancel := context.WithCancel(m.runCtx)
	e.cancel, e.done = cancel, make(chan struct{})
	r := &runner{
		channel: e.key.channel,
		target:  e.target,
		lookup:  m.opts.Lookup,
		dial:    m.opts.dial,
		backoff: m.opts.Backoff,
		log:     m.opts.Logger.With("channel", e.key.channel, "url", e.label),
		c:       &e.c,
	}
	done := e.done // halt clears e.done while the runner may still be going
	previous := m.stopping[e.key]
	go func() {
		defer close(done)
		if previous != nil {
			e.c.fail("waiting for the previous push to this URL to close", time.Time{}, time.Now())
			select {
			case <-previous: // the same push, stopped a moment ago, has let go
			case <-ctx.Done():
				// Still wait: done must mean this push and every earlier
				// one of the key have let go, for the push after this one.
				<-previous
				return
			}
		}
		r.run(ctx)
		e.c.stop("", time.Now())
	}()
}

// halt stops e's goroutine and waits for it. m.mu is not held.
func (m *Manager) halt(e *entry) {
	m.mu.Lock()
	cancel, done := e.cancel, e.done
	e.cancel, e.done = nil, nil
	m.mu.Unlock()
	if cancel == nil {
		return
	}
	cancel()
	<-done
	m.mu.Lock()
	if m.stopping[e.key] == done {
		delete(m.stopping, e.key)
	}
	m.mu.Unlock()
}

// String describes the Manager without any URL: a push's URL holds its
// stream key, and fmt would print unexported fields of a struct as they are.
func (m *Manager) String() string {
	m.mu.Lock()
	defer m.mu.Unlock()
	return fmt.Sprintf("push.Manager{%d pushes}", len(m.pushes))
}

// GoString is String, for %#v.
func (m *Manager) GoString() string { return m.String() }

// LogValue is String, for slog.
func (m *Manager) LogValue() slog.Value { return slog.StringValue(m.String()) }
