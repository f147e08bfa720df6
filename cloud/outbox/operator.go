package outbox

import (
	"fmt"

	"github.com/lubo-edge/lubo/storage"
)

// List returns queued and refused items in enqueue order (`lubo outbox
// list`); f as in storage.OutboxFilter.
func (q *Queue) List(f storage.OutboxFilter) ([]*Item, error) {
	return q.store.List(f)
}

// RetryNow makes item id due at once, putting a refused item back into its
// place in its target's queue, and wakes that target's uploader.
func (q *Queue) RetryNow(id uint64) error {
	it, err := q.store.RetryNow(id)
	if err != nil {
		return err
	}
	q.wake(it.Target)
	return nil
}

// RetryAll is RetryNow for every item of target ("" for all). It returns
// how many items changed.
func (q *Queue) RetryAll(target string) (int, error) {
	n, err := q.store.RetryAll(target)
	if err != nil {
		return 0, err
	}
	for name := range q.targets {
		if target == "" || target == name {
			q.wake(name)
		}
	}
	return n, nil
}

// Drop removes item id without delivering it (`lubo outbox drop`),
// deleting its file if the queue owns it, and counts it.
func (q *Queue) Drop(id uint64) error {
	it, err := q.store.Drop(id)
	if err != nil {
		return fmt.Errorf("outbox drop: %w", err)
	}
	q.counter(it.Target).drop(DropOperator)
	q.log.Info("outbox: dropped by the operator", append(itemArgs(it), "reason", DropOperator)...)
	if it.Owned {
		q.removeFile(it)
	}
	return nil
}
