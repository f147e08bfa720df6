package gather

import (
	"context"
	"fmt"
	"log/slog"
	"reflect"
	"sync"
	"time"

	"github.com/lubo-edge/lubo/cloud/yunlubo"
	"github.com/lubo-edge/lubo/configs"
	"github.com/lubo-edge/lubo/internal/redact"
)

// Store keeps small values across restarts (storage.DB is one).
type Store interface {
	GetState(key string) ([]byte, error)
	PutState(key string, value []byte) error
}

// Options configure a Sync.
type Options struct {
	// Client talks to the server. Required.
	Client *yunlubo.Client
	// Store keeps the last good overlay. Required.
	Store Store
	// MAC identifies this box among the server's gathers. Required.
	MAC string
	// Vendor builds RTSP paths for the server's IP cameras. Default hikvision.
	Vendor string
	// Interval is the pause between syncs. Default 1m.
	Interval time.Duration
	// Retry is the pause after a failed sync, while the box has not synced
	// since it started. Default 10s.
	Retry  time.Duration
	Logger *slog.Logger
	Now    func() time.Time
}

// Status is what the dashboard, /metrics and the log say about the sync.
type Status struct {
	Server     string    // the server's URL
	GatherID   int64     // 0 before this box's gather was found
	Channels   int       // channels of the applied overlay
	Courses    int       // courses of the applied overlay
	LastSync   time.Time // the last successful sync (or the cached copy's); zero: never
	LastTry    time.Time
	Error      string // the last failure, "" after a success; never holds a secret
	Failures   uint64 // failed syncs since start
	FromCache  bool   // the overlay in force is the stored copy
	NoGatherOK bool   // the server answers but lists no gather with this MAC
}

// Sync fetches the server's state every Interval and publishes the
// overlay when it changed.
type Sync struct {
	opts   Options
	server string
	log    *slog.Logger

	mu      sync.Mutex
	status  Status
	current configs.Overlay
	have    bool
	last    *yunlubo.State // the last successful answer, nil before one
}

// Last is the server's last successful answer (subjects, teachers, …), nil
// before the first sync of this run.
func (s *Sync) Last() *yunlubo.State {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.last
}

// NewSync checks opts; server is shown in the status (redacted).
func NewSync(server string, opts Options) (*Sync, error) {
	if opts.Client == nil || opts.Store == nil {
		return nil, fmt.Errorf("gather: a client and a store are required")
	}
	if opts.MAC == "" {
		return nil, fmt.Errorf("gather: no MAC address to find this box's gather by; set cloud.yunlubo.mac or cloud.yunlubo.interface")
	}
	if opts.Vendor == "" {
		opts.Vendor = configs.VendorHikvision
	}
	if opts.Interval <= 0 {
		opts.Interval = time.Minute
	}
	if opts.Retry <= 0 {
		opts.Retry = 10 * time.Second
	}
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	s := &Sync{opts: opts, server: redact.URL(server), log: opts.Logger.With("cloud", "yunlubo")}
	s.status.Server = s.server
	return s, nil
}

// Cached returns the stored overlay of the last good sync, so a box that
// starts without network records what it knew; ok is false when there is
// none.
func (s *Sync) Cached() (o configs.Overlay, ok bool) {
	b, err := s.opts.Store.GetState(cacheKey)
	if err != nil || b == nil {
		if err != nil {
			s.log.Error("reading the stored copy of the server's settings", "err", err)
		}
		return configs.Overlay{}, false
	}
	o, gatherID, synced, err := decodeCache(b)
	if err != nil {
		s.log.Error("ignoring the stored copy of the server's settings", "err", err)
		return configs.Overlay{}, false
	}
	s.mu.Lock()
	s.current, s.have = o, true
	s.status.GatherID, s.status.LastSync, s.status.FromCache = gatherID, synced, true
	s.status.Channels, s.status.Courses = len(o.Channels), len(o.Schedule)
	s.mu.Unlock()
	s.log.Info("using the stored copy of the server's settings until the next sync", "synced", synced, "channels", len(o.Channels), "courses", len(o.Schedule))
	return o, true
}

// Status is the sync's state now.
func (s *Sync) Status() Status {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.status
}

// Run syncs at once, then every Interval (every Retry while it has never
// succeeded), publishing each overlay that differs from the one in force.
// It returns when ctx ends.
func (s *Sync) Run(ctx context.Context, publish func(configs.Overlay)) error {
	for {
		ok := s.syncOnce(ctx, publish)
		wait := s.opts.Interval
		if !ok && s.Status().LastSync.IsZero() {
			wait = s.opts.Retry
		}
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return nil
		case <-t.C:
		}
	}
}

// SyncNow runs one sync (the box API and tests use it).
func (s *Sync) SyncNow(ctx context.Context, publish func(configs.Overlay)) error {
	if !s.syncOnce(ctx, publish) {
		return fmt.Errorf("%s", s.Status().Error)
	}
	return nil
}

func (s *Sync) syncOnce(ctx context.Context, publish func(configs.Overlay)) bool {
	now := s.opts.Now()
	st, err := s.opts.Client.FetchAll(ctx)
	if err != nil {
		if ctx.Err() != nil {
			return false
		}
		s.fail(now, redact.Text(err.Error()), false)
		return false
	}
	g, found := st.GatherByMAC(s.opts.MAC)
	if !found {
		s.fail(now, fmt.Sprintf("the server lists no gather with this box's MAC %s (mac_addr); add the box as a gather on the server, or set cloud.yunlubo.mac", s.opts.MAC), true)
		return false
	}
	o, problems := Overlay(st, g, s.opts.Vendor)
	for _, p := range problems {
		s.log.Warn("server camera or course not used", "problem", p)
	}
	s.mu.Lock()
	changed := !s.have || !sameOverlay(s.current, o)
	s.current, s.have, s.last = o, true, st
	s.status = Status{Server: s.server, GatherID: int64(g.GatherID), Channels: len(o.Channels), Courses: len(o.Schedule),
		LastSync: now, LastTry: now, Failures: s.status.Failures}
	s.mu.Unlock()
	if b, err := encodeCache(o, int64(g.GatherID), now); err == nil {
		if err := s.opts.Store.PutState(cacheKey, b); err != nil {
			s.log.Error("cannot store the server's settings; a reboot without network would lose them", "err", err)
		}
	}
	if changed {
		s.log.Info("server settings applied", "gather", int64(g.GatherID), "channels", len(o.Channels), "courses", len(o.Schedule),
			"slice", o.Record.Slice, "overlap_keyframes", o.Record.OverlapKeyframes, "snapshot_interval", o.Record.SnapshotInterval)
		publish(o)
	}
	return true
}

func (s *Sync) fail(now time.Time, msg string, noGather bool) {
	s.mu.Lock()
	s.status.LastTry, s.status.Error, s.status.NoGatherOK = now, msg, noGather
	s.status.Failures++
	last := s.status.LastSync
	s.mu.Unlock()
	if last.IsZero() {
		s.log.Error("cannot sync with the 云录播 server; recording only the config file's courses", "err", msg)
	} else {
		s.log.Warn("cannot sync with the 云录播 server; recording from the last good copy", "err", msg, "not_synced_since", last)
	}
}

// sameOverlay compares overlays by value (secrets included).
func sameOverlay(a, b configs.Overlay) bool { return reflect.DeepEqual(a, b) }
