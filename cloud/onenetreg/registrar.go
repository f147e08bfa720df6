// Package onenetreg keeps this box present on the OneNET video platform:
// the box is a device, each lubo channel one of its channels (added,
// renamed and removed as the channel set changes, idempotently, so a
// restart registers nothing twice), each lesson's HLS is preloaded a lead
// time before it starts, and, when asked, the platform records each lesson
// too. Pictures and files go through the outbox, not through here.
package onenetreg

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/lubo-edge/lubo/cloud/onenet"
	"github.com/lubo-edge/lubo/configs"
	"github.com/lubo-edge/lubo/internal/redact"
)

// Store keeps small values across restarts (storage.DB is one).
type Store interface {
	GetState(key string) ([]byte, error)
	PutState(key string, value []byte) error
}

// Options configure a Registrar.
type Options struct {
	Client *onenet.Client // required
	Store  Store          // required
	// DeviceID is the box's device on the platform; "" registers one
	// (POST /devices) on the first run and remembers it.
	DeviceID string
	// Title names the box's device when it is created. Default: the host name.
	Title string
	// PreloadLead is how long before a course starts its HLS is preloaded;
	// 0 turns preloading off.
	PreloadLead time.Duration
	// PreloadIdle is how long the platform keeps a preloaded HLS without
	// viewers. Default 2m.
	PreloadIdle time.Duration
	// Record starts and stops the platform's own recording with each
	// lesson of the timetable.
	Record bool
	Logger *slog.Logger
	Now    func() time.Time
}

// state is what the registrar remembers.
type state struct {
	DeviceID string         `json:"device_id"`
	Channels map[string]int `json:"channels"` // lubo channel id -> platform channel number
}

const stateKey = "onenet/registration"

// Registrar runs the box's presence on the platform.
type Registrar struct {
	opts Options
	log  *slog.Logger

	mu       sync.Mutex
	st       state
	lastErr  string
	lastOK   time.Time
	failures uint64
	done     map[string]bool // preloads/recordings done, by course occurrence
	busy     map[string]bool // being done now
}

// New loads what was registered before.
func New(opts Options) (*Registrar, error) {
	if opts.Client == nil || opts.Store == nil {
		return nil, errors.New("onenetreg: a client and a store are required")
	}
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.PreloadIdle <= 0 {
		opts.PreloadIdle = 2 * time.Minute
	}
	if opts.Title == "" {
		opts.Title, _ = os.Hostname()
	}
	r := &Registrar{opts: opts, log: opts.Logger.With("cloud", "onenet"), done: map[string]bool{}, busy: map[string]bool{}}
	if b, err := opts.Store.GetState(stateKey); err != nil {
		return nil, err
	} else if b != nil {
		if err := json.Unmarshal(b, &r.st); err != nil {
			r.log.Warn("ignoring the stored OneNET registration", "err", err)
		}
	}
	if opts.DeviceID != "" {
		r.st.DeviceID = opts.DeviceID
	}
	if r.st.Channels == nil {
		r.st.Channels = map[string]int{}
	}
	return r, nil
}

// Status is the registrar's state for the dashboard and metrics.
type Status struct {
	DeviceID string
	Channels int
	LastOK   time.Time
	Error    string
	Failures uint64
}

// Status reads the state now.
func (r *Registrar) Status() Status {
	r.mu.Lock()
	defer r.mu.Unlock()
	return Status{DeviceID: r.st.DeviceID, Channels: len(r.st.Channels), LastOK: r.lastOK, Error: r.lastErr, Failures: r.failures}
}

// Channel is the platform channel number of a lubo channel, 0 if none.
func (r *Registrar) Channel(id string) (device string, channel int) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.st.DeviceID, r.st.Channels[id]
}

func (r *Registrar) save() error {
	b, _ := json.Marshal(r.st)
	return r.opts.Store.PutState(stateKey, b)
}

// Apply makes the platform's channels of the box match cfg's channels:
// missing ones added, renamed ones modified, gone ones deleted. It is safe
// to repeat: what is already right is left alone.
func (r *Registrar) Apply(ctx context.Context, cfg *configs.Config) error {
	err := r.apply(ctx, cfg)
	r.mu.Lock()
	if err != nil {
		r.lastErr = redact.Text(err.Error())
		r.failures++
	} else {
		r.lastErr, r.lastOK = "", r.opts.Now()
	}
	r.mu.Unlock()
	return err
}

func (r *Registrar) apply(ctx context.Context, cfg *configs.Config) error {
	c := r.opts.Client
	r.mu.Lock()
	device := r.st.DeviceID
	r.mu.Unlock()
	if device == "" {
		id, err := c.CreateDevice(ctx, onenet.Device{Title: title(r.opts.Title), Desc: "lubo " + r.opts.Title})
		if err != nil {
			return fmt.Errorf("registering the box as a device: %w", err)
		}
		r.mu.Lock()
		r.st.DeviceID = id
		err = r.save()
		r.mu.Unlock()
		if err != nil {
			return err
		}
		device = id
		r.log.Info("box registered on OneNET", "device", id)
	}
	have, err := c.Channels(ctx, device)
	if err != nil {
		return fmt.Errorf("listing the box's channels: %w", err)
	}
	onPlatform := map[int]onenet.Channel{}
	for _, ch := range have {
		onPlatform[ch.ID] = ch
	}
	r.mu.Lock()
	mapping := map[string]int{}
	used := map[int]bool{}
	for id, n := range r.st.Channels {
		mapping[id] = n
		used[n] = true
	}
	r.mu.Unlock()

	want := map[string]bool{}
	for _, ch := range cfg.Channels {
		want[ch.ID] = true
		n, known := mapping[ch.ID]
		if !known {
			n = 1
			for used[n] {
				n++
			}
			used[n] = true
			mapping[ch.ID] = n
		}
		desired := onenet.Channel{ID: n, Title: title(ch.ID), Desc: ch.Name}
		cur, exists := onPlatform[n]
		switch {
		case !exists:
			if err := c.AddChannel(ctx, device, desired); err != nil && !errors.Is(err, onenet.ErrChannelExists) {
				return fmt.Errorf("adding channel %s as %d: %w", ch.ID, n, err)
			}
			r.log.Info("channel registered on OneNET", "channel", ch.ID, "number", n)
		case cur.Title != desired.Title || cur.Desc != desired.Desc:
			if err := c.ModifyChannel(ctx, device, desired); err != nil {
				return fmt.Errorf("renaming channel %s (%d): %w", ch.ID, n, err)
			}
		}
		r.remember(mapping)
	}
	var gone []string
	for id := range mapping {
		if !want[id] {
			gone = append(gone, id)
		}
	}
	sort.Strings(gone)
	for _, id := range gone {
		n := mapping[id]
		if _, exists := onPlatform[n]; exists {
			if err := c.DeleteChannel(ctx, device, n); err != nil && !errors.Is(err, onenet.ErrChannelNotFound) {
				return fmt.Errorf("removing channel %s (%d): %w", id, n, err)
			}
			r.log.Info("channel removed from OneNET", "channel", id, "number", n)
		}
		delete(mapping, id)
		r.remember(mapping)
	}
	return nil
}

// remember stores the mapping so far: a crash halfway keeps what is done.
func (r *Registrar) remember(mapping map[string]int) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.st.Channels = map[string]int{}
	for k, v := range mapping {
		r.st.Channels[k] = v
	}
	if err := r.save(); err != nil {
		r.log.Error("storing the OneNET channel numbers", "err", err)
	}
}

// title makes a platform title (letters and digits, 1-64) of s.
func title(s string) string {
	var b strings.Builder
	for _, c := range s {
		if (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') {
			b.WriteRune(c)
		}
		if b.Len() == 64 {
			break
		}
	}
	if b.Len() == 0 {
		return "lubo"
	}
	return b.String()
}
