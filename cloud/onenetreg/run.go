package onenetreg

import (
	"context"
	"strings"
	"time"

	"github.com/lubo-edge/lubo/cloud/onenet"
	"github.com/lubo-edge/lubo/configs"
	"github.com/lubo-edge/lubo/internal/redact"
)

// retryApply is the pause after a failed registration.
const retryApply = 30 * time.Second

// Run keeps the platform in step with the box until ctx ends: cfg is the
// running config, configs delivers each new one. Every second it preloads
// and records the lessons that are due.
func (r *Registrar) Run(ctx context.Context, cfg *configs.Config, updates <-chan *configs.Config) error {
	applied := r.Apply(ctx, cfg) == nil
	lastTry := r.opts.Now()
	tick := time.NewTicker(time.Second)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case next := <-updates:
			cfg = next
			applied, lastTry = r.Apply(ctx, cfg) == nil, r.opts.Now()
		case <-tick.C:
			if !applied && r.opts.Now().Sub(lastTry) >= retryApply {
				applied, lastTry = r.Apply(ctx, cfg) == nil, r.opts.Now()
			}
			if applied {
				r.lessons(ctx, cfg)
			}
		}
	}
}

// lessons does what is due for the timetable's lessons now.
func (r *Registrar) lessons(ctx context.Context, cfg *configs.Config) {
	now := r.opts.Now().In(cfg.Location())
	for _, co := range cfg.Schedule {
		for _, day := range []time.Time{now.AddDate(0, 0, -1), now, now.AddDate(0, 0, 1)} {
			if day.Weekday() != co.Weekday {
				continue
			}
			midnight := time.Date(day.Year(), day.Month(), day.Day(), 0, 0, 0, 0, cfg.Location())
			start := midnight.Add(co.StartOfDay())
			end := start.Add(co.Duration)
			key := co.Channel + "@" + start.Format(time.RFC3339)
			device, n := r.Channel(co.Channel)
			if n == 0 {
				continue
			}
			if r.opts.PreloadLead > 0 && !now.Before(start.Add(-r.opts.PreloadLead)) && now.Before(end) {
				r.once(key+"/preload", func() error { return r.preload(ctx, device, n) })
			}
			if r.opts.Record && !now.Before(start) && now.Before(end) {
				r.once(key+"/record", func() error { return r.opts.Client.StartRecording(ctx, device, n) })
			}
			if r.opts.Record && !now.Before(end) && now.Before(end.Add(time.Hour)) && r.wasDone(key+"/record") {
				r.once(key+"/stop", func() error { return r.opts.Client.StopRecording(ctx, device, n) })
			}
		}
	}
	r.forgetOld(now)
}

func (r *Registrar) preload(ctx context.Context, device string, n int) error {
	addr, err := r.opts.Client.PlayAddress(ctx, device, n, onenet.HLS)
	if err != nil {
		return err
	}
	if err := r.opts.Client.PreloadHLS(ctx, addr, r.opts.PreloadIdle); err != nil {
		return err
	}
	r.log.Info("HLS preloaded for a lesson", "device", device, "channel", n)
	return nil
}

// once runs fn for key unless it succeeded before; a failure is retried at
// the next tick.
func (r *Registrar) once(key string, fn func() error) {
	r.mu.Lock()
	if r.done[key] || r.busy[key] {
		r.mu.Unlock()
		return
	}
	r.busy[key] = true
	r.mu.Unlock()
	err := fn()
	r.mu.Lock()
	delete(r.busy, key)
	r.mu.Unlock()
	if err != nil {
		r.mu.Lock()
		r.lastErr = redact.Text(err.Error())
		r.failures++
		r.mu.Unlock()
		r.log.Warn("OneNET lesson action failed; will retry", "action", key, "err", redact.Text(err.Error()))
		return
	}
	r.mu.Lock()
	r.done[key] = true
	r.mu.Unlock()
}

func (r *Registrar) wasDone(key string) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.done[key]
}

// forgetOld drops the memory of lessons that started over two days ago
// (keys are channel@start/action).
func (r *Registrar) forgetOld(now time.Time) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for k := range r.done {
		_, rest, _ := strings.Cut(k, "@")
		at, _, _ := strings.Cut(rest, "/")
		if t, err := time.Parse(time.RFC3339, at); err != nil || now.Sub(t) > 48*time.Hour {
			delete(r.done, k)
		}
	}
}
