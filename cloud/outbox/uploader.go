package outbox

import (
	"context"
	"errors"
	"fmt"
	"os"
	"time"

	"github.com/lubo-edge/lubo/internal/redact"
	"github.com/lubo-edge/lubo/storage"
)

// uploader drains one target's queue, head first.
type uploader struct {
	q      *Queue
	target Target
	name   string
	wake   chan struct{} // Enqueue and RetryNow poke it; capacity 1

	storeErrors int // store failures in a row, for the pause after them
}

func (u *uploader) run(ctx context.Context) {
	for ctx.Err() == nil {
		it, err := u.q.store.Head(u.name)
		switch {
		case errors.Is(err, storage.ErrNotFound):
			u.idle(ctx, nil) // until something is queued
			continue
		case err != nil:
			u.storeFailed(ctx, "read the queue", err)
			continue
		}
		u.storeErrors = 0
		if now := u.q.opts.Clock.Now(); !it.Due(now) {
			u.idle(ctx, u.q.opts.Clock.After(it.NextAttempt.Sub(now)))
			continue
		}
		u.attempt(ctx, it)
	}
}

// idle waits for ctx, a wake-up, or timer (nil: none).
func (u *uploader) idle(ctx context.Context, timer <-chan time.Time) {
	select {
	case <-ctx.Done():
	case <-u.wake:
	case <-timer:
	}
}

// storeFailed logs a store error and pauses as after a failed upload, so a
// broken disk does not spin the loop.
func (u *uploader) storeFailed(ctx context.Context, what string, err error) {
	u.storeErrors++
	u.q.log.Error("outbox: store failed", "target", u.name, "op", what, "err", err)
	u.idle(ctx, u.q.opts.Clock.After(u.q.opts.Backoff.Wait(u.storeErrors, u.q.opts.Rand)))
}

// attempt tries the head item once and records the outcome.
func (u *uploader) attempt(ctx context.Context, it *Item) {
	f, err := os.Open(u.q.path(it))
	if errors.Is(err, os.ErrNotExist) {
		u.vanished(ctx, it)
		return
	}
	if err != nil {
		u.refused(ctx, it, fmt.Errorf("open %s: %w", it.Path, err))
		return
	}
	defer f.Close()
	info, err := f.Stat()
	if err != nil {
		u.refused(ctx, it, fmt.Errorf("stat %s: %w", it.Path, err))
		return
	}
	start := u.q.opts.Clock.Now()
	actx, cancel := context.WithTimeout(ctx, u.q.opts.UploadTimeout)
	err = u.target.Upload(actx, *it, f, info.Size())
	cancel()
	switch {
	case err == nil || u.target.AlreadyThere(err):
		u.delivered(ctx, it, err != nil)
	case ctx.Err() != nil:
		// Shutting down: the item stays as it was and goes first next run.
	case u.target.Retryable(err):
		u.failed(ctx, it, start, err)
	default:
		u.refused(ctx, it, err)
	}
}

func (u *uploader) delivered(ctx context.Context, it *Item, duplicate bool) {
	now := u.q.opts.Clock.Now()
	u.q.counter(u.name).result(now, func(c *counters) {
		c.successes++
		if duplicate {
			c.duplicates++
		}
	})
	if duplicate {
		u.q.log.Info("outbox: the platform already had it; delivered", itemArgs(it)...)
	}
	if _, err := u.q.store.MarkDone(it.ID); err != nil && !errors.Is(err, storage.ErrNotFound) {
		// It stays queued; the next attempt is answered "already there".
		u.storeFailed(ctx, "mark done", err)
		return
	}
	if it.Owned {
		u.q.removeFile(it)
	}
}

// failed schedules the next attempt wait after the start of this one: the
// backoff spaces attempts, and an upload that took long (a timeout) has
// waited already.
func (u *uploader) failed(ctx context.Context, it *Item, start time.Time, err error) {
	now := u.q.opts.Clock.Now()
	msg := redact.Text(err.Error())
	wait := u.q.opts.Backoff.Wait(it.Attempts+1, u.q.opts.Rand)
	next := start.Add(wait)
	if next.Before(now) {
		next = now
	}
	u.q.counter(u.name).result(now, func(c *counters) { c.failures++; c.lastError = msg })
	u.q.log.Warn("outbox: upload failed, will retry", append(itemArgs(it), "attempts", it.Attempts+1, "retry_in", wait, "err", msg)...)
	if _, serr := u.q.store.MarkFailed(it.ID, next, msg); serr != nil && !errors.Is(serr, storage.ErrNotFound) {
		u.storeFailed(ctx, "mark failed", serr)
	}
}

func (u *uploader) refused(ctx context.Context, it *Item, err error) {
	now := u.q.opts.Clock.Now()
	msg := redact.Text(err.Error())
	u.q.counter(u.name).result(now, func(c *counters) { c.refusals++; c.lastError = msg })
	u.q.log.Error("outbox: upload refused, set aside until retried", append(itemArgs(it), "err", msg)...)
	if _, serr := u.q.store.MarkRefused(it.ID, msg); serr != nil && !errors.Is(serr, storage.ErrNotFound) {
		u.storeFailed(ctx, "mark refused", serr)
	}
}

func (u *uploader) vanished(ctx context.Context, it *Item) {
	u.q.counter(u.name).drop(DropVanished)
	u.q.log.Warn("outbox: file vanished before upload, dropped", append(itemArgs(it), "reason", DropVanished, "path", it.Path)...)
	if _, err := u.q.store.Drop(it.ID); err != nil && !errors.Is(err, storage.ErrNotFound) {
		u.storeFailed(ctx, "drop vanished", err)
	}
}
