package outbox

import (
	"errors"
	"fmt"
	"os"
)

// ErrNoSpace is returned (wrapped) by Enqueue for a snapshot or cover that
// could not be kept: the disk is below the floor and no older snapshot is
// left to give way. The item was dropped, counted and logged; its file, if
// owned, deleted.
var ErrNoSpace = errors.New("outbox: disk below the free-space floor")

// ErrUnknownTarget is returned (wrapped) by Enqueue for a target the queue
// was not given.
var ErrUnknownTarget = errors.New("outbox: unknown target")

// Enqueue queues it (Target, Kind, Path and Name required; Owned if the
// queue is to delete the file when done) and returns after one committed
// store write, never waiting for the network. It sets it.ID, State and
// Enqueued (the queue's clock when zero). Enqueueing a name the target
// already holds keeps the queued item (*it becomes it) and, if it.Owned,
// deletes the new, redundant file.
//
// With a disk floor set and the disk (which already holds the file) below
// it, older snapshots and covers give way first; if that is not enough, a
// new snapshot or cover is dropped (ErrNoSpace), while a recording is
// queued anyway, since the queue never drops one for space.
func (q *Queue) Enqueue(it *Item) error { return q.enqueue(it, true) }

// enqueue is Enqueue; checkSpace false when the caller made room already.
func (q *Queue) enqueue(it *Item, checkSpace bool) error {
	if q.targets[it.Target] == nil {
		return fmt.Errorf("enqueue %s: %w %q", it.Name, ErrUnknownTarget, it.Target)
	}
	if it.Enqueued.IsZero() {
		it.Enqueued = q.opts.Clock.Now()
	}
	if checkSpace && !q.MakeRoom(0) && droppableForSpace(it) {
		q.counter(it.Target).drop(DropSpace)
		q.log.Warn("outbox: no room for a new item, dropped", append(itemArgs(it), "reason", DropSpace, "bytes", it.Size)...)
		if it.Owned {
			q.removeFile(it)
		}
		return fmt.Errorf("enqueue %s %s: %w", it.Target, it.Name, ErrNoSpace)
	}
	given := *it // the store replaces *it with the queued item if the name is taken
	created, err := q.store.Enqueue(it)
	if err != nil {
		return err
	}
	if created {
		q.wake(it.Target)
	} else if given.Owned && q.path(&given) != q.path(it) {
		q.removeFile(&given)
	}
	return nil
}

// removeFile deletes an owned item's file; a file already gone is fine.
func (q *Queue) removeFile(it *Item) {
	if err := os.Remove(q.path(it)); err != nil && !errors.Is(err, os.ErrNotExist) {
		q.log.Warn("outbox: remove owned file", append(itemArgs(it), "err", err)...)
	}
}
