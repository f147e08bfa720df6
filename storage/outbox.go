package storage

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	bolt "go.etcd.io/bbolt"
)

// The upload outbox: items waiting to be sent to a cloud target, kept in
// enqueue order per target. Its buckets are created by the first write that
// needs them (a store that never queued anything has none):
//
//	outbox_items    id (8 bytes big-endian) -> OutboxItem as JSON
//	outbox_queue    target 0x00 id -> (empty)     waiting items only, in order
//	outbox_names    target 0x00 name -> id        every item: (target, name) is unique
//	outbox_kinds    kind 0x00 id -> (empty)       every item, oldest first per kind
//	outbox_paths    path 0x00 id -> (empty)       waiting items with a path
//	outbox_totals   target -> outboxTotals JSON   counts and bytes per target
//
// Ids come from one bbolt sequence, so they grow with every enqueue and a
// target's queue keys sort in enqueue order.
var (
	bucketOutboxItems  = []byte("outbox_items")
	bucketOutboxQueue  = []byte("outbox_queue")
	bucketOutboxNames  = []byte("outbox_names")
	bucketOutboxKinds  = []byte("outbox_kinds")
	bucketOutboxPaths  = []byte("outbox_paths")
	bucketOutboxTotals = []byte("outbox_totals")
)

var outboxIndexBuckets = [][]byte{bucketOutboxQueue, bucketOutboxNames, bucketOutboxKinds, bucketOutboxPaths}

// Limits on what an item may hold; they keep keys far below bbolt's limit.
const (
	maxOutboxTarget   = 64
	maxOutboxName     = 512
	maxOutboxPath     = 4096
	maxOutboxMeta     = 32
	maxOutboxMetaText = 1024
	// MaxOutboxError is how much of a failure's text an item keeps.
	MaxOutboxError = 1024
)

// OutboxKind says what an item is; the outbox drops snapshots first when
// the disk runs short and never drops recordings for space.
type OutboxKind string

const (
	OutboxSnapshot OutboxKind = "snapshot" // a periodic JPEG
	OutboxCover    OutboxKind = "cover"    // a recording's cover picture
	OutboxRecord   OutboxKind = "record"   // a recording file
	OutboxFile     OutboxKind = "file"     // any other file
)

// Valid reports whether k is one of the OutboxKind constants.
func (k OutboxKind) Valid() bool {
	return k == OutboxSnapshot || k == OutboxCover || k == OutboxRecord || k == OutboxFile
}

// OutboxState is where an item is: waiting for upload, or set aside after
// the target refused it for good.
type OutboxState string

const (
	OutboxWaiting OutboxState = "waiting"
	OutboxRefused OutboxState = "refused" // kept visible, not retried until RetryNow
)

// OutboxItem is one upload. The JSON form is what `lubo outbox` and the
// dashboard show.
type OutboxItem struct {
	ID      uint64            `json:"id"`     // given by Enqueue; grows with every enqueue
	Target  string            `json:"target"` // e.g. "onenet"; required
	Kind    OutboxKind        `json:"kind"`   // required
	Channel string            `json:"channel,omitempty"`
	Path    string            `json:"path"`  // the file to send, as the caller gave it; required
	Owned   bool              `json:"owned"` // the outbox deletes the file once the item is done or dropped
	Name    string            `json:"name"`  // the deterministic remote name; required, unique per target
	Meta    map[string]string `json:"meta,omitempty"`
	Size    int64             `json:"size"` // bytes, as known at enqueue

	Enqueued    time.Time   `json:"enqueued"` // set by Enqueue when zero
	State       OutboxState `json:"state"`
	Attempts    int         `json:"attempts"`
	NextAttempt time.Time   `json:"next_attempt"` // zero: at once
	LastError   string      `json:"last_error,omitempty"`
}

// Due reports whether the item may be tried at now.
func (it *OutboxItem) Due(now time.Time) bool {
	return it.State == OutboxWaiting && !now.Before(it.NextAttempt)
}

func (it *OutboxItem) validate() error {
	switch {
	case it.Target == "":
		return errors.New("outbox item: target is required")
	case len(it.Target) > maxOutboxTarget:
		return fmt.Errorf("outbox item: target is %d bytes, at most %d", len(it.Target), maxOutboxTarget)
	case !it.Kind.Valid():
		return fmt.Errorf("outbox item: kind %q is not snapshot, cover, record or file", it.Kind)
	case it.Name == "":
		return errors.New("outbox item: name is required")
	case len(it.Name) > maxOutboxName:
		return fmt.Errorf("outbox item: name is %d bytes, at most %d", len(it.Name), maxOutboxName)
	case it.Path == "":
		return errors.New("outbox item: path is required")
	case len(it.Path) > maxOutboxPath:
		return fmt.Errorf("outbox item: path is %d bytes, at most %d", len(it.Path), maxOutboxPath)
	case len(it.Meta) > maxOutboxMeta:
		return fmt.Errorf("outbox item: %d meta fields, at most %d", len(it.Meta), maxOutboxMeta)
	case it.Size < 0:
		return fmt.Errorf("outbox item: size %d is negative", it.Size)
	}
	// JSON would turn invalid UTF-8 into U+FFFD, and the stored item would
	// no longer match its index keys.
	for _, s := range []string{it.Target, it.Name, it.Path, it.Channel} {
		if strings.IndexByte(s, 0) >= 0 {
			return fmt.Errorf("outbox item: %q contains a NUL byte", s)
		}
		if !utf8.ValidString(s) {
			return fmt.Errorf("outbox item: %q is not valid UTF-8", s)
		}
	}
	for k, v := range it.Meta {
		if len(k)+len(v) > maxOutboxMetaText {
			return fmt.Errorf("outbox item: meta %q is longer than %d bytes", k, maxOutboxMetaText)
		}
		if !utf8.ValidString(k) || !utf8.ValidString(v) {
			return fmt.Errorf("outbox item: meta %q is not valid UTF-8", k)
		}
	}
	return nil
}

// outboxTotals is what Stats reads without walking the items.
type outboxTotals struct {
	Waiting      int   `json:"waiting"`
	WaitingBytes int64 `json:"waiting_bytes"`
	Refused      int   `json:"refused"`
	RefusedBytes int64 `json:"refused_bytes"`
}

func (t *outboxTotals) add(it *OutboxItem, sign int) {
	if it.State == OutboxWaiting {
		t.Waiting += sign
		t.WaitingBytes += int64(sign) * it.Size
	} else {
		t.Refused += sign
		t.RefusedBytes += int64(sign) * it.Size
	}
}

// outboxIndexEntries is the one definition of what an item puts into the
// indexes; writing, deleting and Check all use it.
func outboxIndexEntries(it *OutboxItem) []indexEntry {
	id := seqKey(it.ID)
	entries := []indexEntry{
		{bucketOutboxNames, nulJoin(it.Target, []byte(it.Name)), id},
		{bucketOutboxKinds, nulJoin(string(it.Kind), id), nil},
	}
	if it.State == OutboxWaiting {
		entries = append(entries,
			indexEntry{bucketOutboxQueue, nulJoin(it.Target, id), nil},
			indexEntry{bucketOutboxPaths, nulJoin(it.Path, id), nil})
	}
	return entries
}

// nulJoin is prefix 0x00 rest; validate keeps NUL out of prefixes, so "c1"
// never matches the keys of "c10".
func nulJoin(prefix string, rest []byte) []byte {
	k := make([]byte, 0, len(prefix)+1+len(rest))
	k = append(append(k, prefix...), 0)
	return append(k, rest...)
}

func nulPrefix(s string) []byte { return append([]byte(s), 0) }

// Outbox is the outbox's view of the store; get it from DB.Outbox. Its
// methods are safe for concurrent use, and every write is one committed,
// fsync'd transaction.
type Outbox struct{ db *DB }

// Outbox returns the upload outbox kept in this store.
func (db *DB) Outbox() *Outbox { return &Outbox{db: db} }

// update runs fn in a write transaction with the outbox buckets created.
func (o *Outbox) update(fn func(tx *bolt.Tx) error) error {
	return o.db.bolt.Update(func(tx *bolt.Tx) error {
		for _, name := range [][]byte{bucketOutboxItems, bucketOutboxQueue, bucketOutboxNames, bucketOutboxKinds, bucketOutboxPaths, bucketOutboxTotals} {
			if _, err := tx.CreateBucketIfNotExists(name); err != nil {
				return fmt.Errorf("create bucket %s: %w", name, err)
			}
		}
		return fn(tx)
	})
}

// view runs fn in a read transaction, or not at all when nothing was ever
// queued (the buckets do not exist yet).
func (o *Outbox) view(fn func(tx *bolt.Tx) error) error {
	return o.db.bolt.View(func(tx *bolt.Tx) error {
		if tx.Bucket(bucketOutboxItems) == nil {
			return nil
		}
		return fn(tx)
	})
}

// Enqueue adds it as a waiting item and sets its ID, State and Enqueued
// (the store's clock when zero). If the target already holds an item of
// that name, nothing is written, *it becomes the stored item and created is
// false: enqueueing the same upload twice keeps one.
func (o *Outbox) Enqueue(it *OutboxItem) (created bool, err error) {
	if err := it.validate(); err != nil {
		return false, err
	}
	c := *it
	err = o.update(func(tx *bolt.Tx) error {
		if raw := tx.Bucket(bucketOutboxNames).Get(nulJoin(c.Target, []byte(c.Name))); raw != nil {
			old, err := getOutboxTx(tx, binary.BigEndian.Uint64(raw))
			if err != nil {
				return err
			}
			c = *old
			return nil
		}
		id, err := tx.Bucket(bucketOutboxItems).NextSequence()
		if err != nil {
			return fmt.Errorf("next id: %w", err)
		}
		c.ID, c.State, created = id, OutboxWaiting, true
		if c.Enqueued.IsZero() {
			c.Enqueued = o.db.now()
		}
		return putOutboxTx(tx, &c, nil)
	})
	if err != nil {
		return false, fmt.Errorf("outbox enqueue %s %s: %w", it.Target, it.Name, err)
	}
	*it = c
	return created, nil
}

// Head returns the oldest waiting item of target, due or not, or an error
// wrapping ErrNotFound when none waits.
func (o *Outbox) Head(target string) (*OutboxItem, error) {
	var it *OutboxItem
	err := o.view(func(tx *bolt.Tx) error {
		prefix := nulPrefix(target)
		k, _ := tx.Bucket(bucketOutboxQueue).Cursor().Seek(prefix)
		if k == nil || !bytes.HasPrefix(k, prefix) || len(k) != len(prefix)+8 {
			return nil
		}
		var err error
		it, err = getOutboxTx(tx, binary.BigEndian.Uint64(k[len(prefix):]))
		return err
	})
	if err == nil && it == nil {
		err = fmt.Errorf("no item waits for %s: %w", target, ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("outbox head: %w", err)
	}
	return it, nil
}

// Get returns the item with the given id, or an error wrapping ErrNotFound.
func (o *Outbox) Get(id uint64) (*OutboxItem, error) {
	var it *OutboxItem
	err := o.view(func(tx *bolt.Tx) error {
		var err error
		it, err = getOutboxTx(tx, id)
		return err
	})
	if err == nil && it == nil {
		err = fmt.Errorf("outbox item %d: %w", id, ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("outbox get: %w", err)
	}
	return it, nil
}

// MarkDone removes a delivered item and returns it as it was.
func (o *Outbox) MarkDone(id uint64) (*OutboxItem, error) {
	return o.remove(id, "done")
}

// Drop removes an item that will not be delivered and returns it.
func (o *Outbox) Drop(id uint64) (*OutboxItem, error) {
	return o.remove(id, "drop")
}

func (o *Outbox) remove(id uint64, verb string) (*OutboxItem, error) {
	var old *OutboxItem
	err := o.update(func(tx *bolt.Tx) error {
		var err error
		if old, err = getOutboxTx(tx, id); err != nil {
			return err
		}
		return deleteOutboxTx(tx, old)
	})
	if err != nil {
		return nil, fmt.Errorf("outbox %s %d: %w", verb, id, err)
	}
	return old, nil
}

// MarkFailed records a failed attempt that is worth repeating: Attempts
// grows by one, the item waits until next, and reason (already free of
// secrets, cut to MaxOutboxError bytes) is kept.
func (o *Outbox) MarkFailed(id uint64, next time.Time, reason string) (*OutboxItem, error) {
	return o.change(id, "mark failed", func(it *OutboxItem) {
		it.Attempts++
		it.NextAttempt = next
		it.LastError = cutError(reason)
	})
}

// MarkRefused records a refusal that repeating cannot cure: the item is set
// aside (state refused), kept for List and Stats, and no longer blocks its
// target's queue. RetryNow puts it back.
func (o *Outbox) MarkRefused(id uint64, reason string) (*OutboxItem, error) {
	return o.change(id, "mark refused", func(it *OutboxItem) {
		it.Attempts++
		it.State = OutboxRefused
		it.NextAttempt = time.Time{}
		it.LastError = cutError(reason)
	})
}

// RetryNow makes an item due at once; a refused item waits again, in its
// original place in the order.
func (o *Outbox) RetryNow(id uint64) (*OutboxItem, error) {
	return o.change(id, "retry", func(it *OutboxItem) {
		it.State = OutboxWaiting
		it.NextAttempt = time.Time{}
	})
}

// RetryAll is RetryNow for every item of target ("" for every target). It
// returns how many items it changed.
func (o *Outbox) RetryAll(target string) (int, error) {
	n := 0
	err := o.update(func(tx *bolt.Tx) error {
		var todo []*OutboxItem
		err := tx.Bucket(bucketOutboxItems).ForEach(func(k, v []byte) error {
			it, err := decodeOutbox(k, v)
			if err != nil {
				return err
			}
			if (target == "" || it.Target == target) && (it.State != OutboxWaiting || !it.NextAttempt.IsZero()) {
				todo = append(todo, it)
			}
			return nil
		})
		if err != nil {
			return err
		}
		for _, old := range todo {
			c := *old
			c.State, c.NextAttempt = OutboxWaiting, time.Time{}
			if err := putOutboxTx(tx, &c, old); err != nil {
				return err
			}
		}
		n = len(todo)
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("outbox retry all %q: %w", target, err)
	}
	return n, nil
}

func (o *Outbox) change(id uint64, verb string, fn func(*OutboxItem)) (*OutboxItem, error) {
	var c OutboxItem
	err := o.update(func(tx *bolt.Tx) error {
		old, err := getOutboxTx(tx, id)
		if err != nil {
			return err
		}
		c = *old
		fn(&c)
		return putOutboxTx(tx, &c, old)
	})
	if err != nil {
		return nil, fmt.Errorf("outbox %s %d: %w", verb, id, err)
	}
	return &c, nil
}

// DropOldestOwned removes the oldest item of kind whose file the outbox
// owns (waiting or refused), and returns it; an error wrapping ErrNotFound
// when there is none. Dropping an item whose file is not the outbox's would
// free no disk, so those are never chosen.
func (o *Outbox) DropOldestOwned(kind OutboxKind) (*OutboxItem, error) {
	var old *OutboxItem
	err := o.update(func(tx *bolt.Tx) error {
		prefix := nulPrefix(string(kind))
		c := tx.Bucket(bucketOutboxKinds).Cursor()
		for k, _ := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, _ = c.Next() {
			if len(k) != len(prefix)+8 {
				return fmt.Errorf("index %s: bad key %q", bucketOutboxKinds, k)
			}
			it, err := getOutboxTx(tx, binary.BigEndian.Uint64(k[len(prefix):]))
			if err != nil {
				return err
			}
			if it.Owned {
				old = it
				return deleteOutboxTx(tx, it)
			}
		}
		return fmt.Errorf("no owned %s item: %w", kind, ErrNotFound)
	})
	if err != nil {
		return nil, fmt.Errorf("outbox drop oldest: %w", err)
	}
	return old, nil
}

// OutboxFilter selects items for List.
type OutboxFilter struct {
	Target string      // only this target; "" for all
	State  OutboxState // only this state; "" for all
	Limit  int         // at most this many; 0 for no limit
}

// List returns items in id (enqueue) order.
func (o *Outbox) List(f OutboxFilter) ([]*OutboxItem, error) {
	var out []*OutboxItem
	err := o.view(func(tx *bolt.Tx) error {
		c := tx.Bucket(bucketOutboxItems).Cursor()
		for k, v := c.First(); k != nil; k, v = c.Next() {
			it, err := decodeOutbox(k, v)
			if err != nil {
				return err
			}
			if (f.Target == "" || it.Target == f.Target) && (f.State == "" || it.State == f.State) {
				out = append(out, it)
				if f.Limit > 0 && len(out) == f.Limit {
					return nil
				}
			}
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("outbox list: %w", err)
	}
	return out, nil
}

// HasPending reports whether an item waiting for upload names path (as the
// caller enqueued it), so retention keeps the file. Refused items do not
// hold their file: nothing will send it until an operator retries.
func (o *Outbox) HasPending(path string) (bool, error) {
	found := false
	err := o.view(func(tx *bolt.Tx) error {
		prefix := nulPrefix(path)
		k, _ := tx.Bucket(bucketOutboxPaths).Cursor().Seek(prefix)
		found = k != nil && bytes.HasPrefix(k, prefix) && len(k) == len(prefix)+8
		return nil
	})
	if err != nil {
		return true, fmt.Errorf("outbox pending %s: %w", path, err) // when unsure, keep the file
	}
	return found, nil
}

// PendingPaths returns every path a waiting item names, for retention to
// check a whole directory with one read.
func (o *Outbox) PendingPaths() (map[string]bool, error) {
	paths := map[string]bool{}
	err := o.view(func(tx *bolt.Tx) error {
		return tx.Bucket(bucketOutboxPaths).ForEach(func(k, _ []byte) error {
			if len(k) < 9 {
				return fmt.Errorf("index %s: bad key %q", bucketOutboxPaths, k)
			}
			paths[string(k[:len(k)-9])] = true
			return nil
		})
	})
	if err != nil {
		return nil, fmt.Errorf("outbox pending paths: %w", err)
	}
	return paths, nil
}

// OutboxTargetStats is one target's share of the outbox.
type OutboxTargetStats struct {
	Target         string
	Waiting        int       // items waiting for upload (the queue depth)
	WaitingBytes   int64     // their sizes
	Refused        int       // items set aside after a permanent refusal
	RefusedBytes   int64     // their sizes
	OldestEnqueued time.Time // of the oldest waiting item; zero when none waits
}

// Stats returns every target that holds items, sorted by name.
func (o *Outbox) Stats() ([]OutboxTargetStats, error) {
	var out []OutboxTargetStats
	err := o.view(func(tx *bolt.Tx) error {
		return tx.Bucket(bucketOutboxTotals).ForEach(func(k, v []byte) error {
			var t outboxTotals
			if err := json.Unmarshal(v, &t); err != nil {
				return fmt.Errorf("decode totals of %s: %w", k, err)
			}
			s := OutboxTargetStats{Target: string(k), Waiting: t.Waiting, WaitingBytes: t.WaitingBytes, Refused: t.Refused, RefusedBytes: t.RefusedBytes}
			prefix := nulPrefix(s.Target)
			if qk, _ := tx.Bucket(bucketOutboxQueue).Cursor().Seek(prefix); qk != nil && bytes.HasPrefix(qk, prefix) && len(qk) == len(prefix)+8 {
				head, err := getOutboxTx(tx, binary.BigEndian.Uint64(qk[len(prefix):]))
				if err != nil {
					return err
				}
				s.OldestEnqueued = head.Enqueued
			}
			out = append(out, s)
			return nil
		})
	})
	if err != nil {
		return nil, fmt.Errorf("outbox stats: %w", err)
	}
	return out, nil
}

// getOutboxTx returns the item or an error wrapping ErrNotFound.
func getOutboxTx(tx *bolt.Tx, id uint64) (*OutboxItem, error) {
	k := seqKey(id)
	raw := tx.Bucket(bucketOutboxItems).Get(k)
	if raw == nil {
		return nil, fmt.Errorf("outbox item %d: %w", id, ErrNotFound)
	}
	return decodeOutbox(k, raw)
}

// putOutboxTx writes it over old (nil when it is new): old's index entries
// and totals go, it's come.
func putOutboxTx(tx *bolt.Tx, it, old *OutboxItem) error {
	if old != nil {
		if err := unindexOutboxTx(tx, old); err != nil {
			return err
		}
	}
	raw, err := json.Marshal(it)
	if err != nil {
		return fmt.Errorf("encode outbox item %d: %w", it.ID, err)
	}
	if err := tx.Bucket(bucketOutboxItems).Put(seqKey(it.ID), raw); err != nil {
		return fmt.Errorf("outbox item %d: %w", it.ID, err)
	}
	if err := putIndexEntries(tx, outboxIndexEntries(it)); err != nil {
		return fmt.Errorf("outbox item %d: %w", it.ID, err)
	}
	return addTotalsTx(tx, it, 1)
}

func deleteOutboxTx(tx *bolt.Tx, it *OutboxItem) error {
	if err := unindexOutboxTx(tx, it); err != nil {
		return err
	}
	return tx.Bucket(bucketOutboxItems).Delete(seqKey(it.ID))
}

func unindexOutboxTx(tx *bolt.Tx, it *OutboxItem) error {
	if err := deleteIndexEntries(tx, outboxIndexEntries(it)); err != nil {
		return fmt.Errorf("outbox item %d: %w", it.ID, err)
	}
	return addTotalsTx(tx, it, -1)
}

// addTotalsTx adds (sign 1) or removes (sign -1) it from its target's
// totals; a target with nothing left loses its entry.
func addTotalsTx(tx *bolt.Tx, it *OutboxItem, sign int) error {
	b := tx.Bucket(bucketOutboxTotals)
	var t outboxTotals
	if raw := b.Get([]byte(it.Target)); raw != nil {
		if err := json.Unmarshal(raw, &t); err != nil {
			return fmt.Errorf("decode totals of %s: %w", it.Target, err)
		}
	}
	t.add(it, sign)
	if t == (outboxTotals{}) {
		return b.Delete([]byte(it.Target))
	}
	raw, err := json.Marshal(t)
	if err != nil {
		return fmt.Errorf("encode totals of %s: %w", it.Target, err)
	}
	return b.Put([]byte(it.Target), raw)
}

func decodeOutbox(k, raw []byte) (*OutboxItem, error) {
	it := new(OutboxItem)
	if err := json.Unmarshal(raw, it); err != nil {
		return nil, fmt.Errorf("decode outbox item %x: %w", k, err)
	}
	return it, nil
}

// cutError keeps at most MaxOutboxError bytes of s, cut before a rune
// that would not fit whole.
func cutError(s string) string {
	if len(s) <= MaxOutboxError {
		return s
	}
	i := MaxOutboxError
	for i > 0 && !utf8.RuneStart(s[i]) {
		i--
	}
	return s[:i]
}

// Check verifies that the outbox indexes and totals agree with the items:
// nothing missing, nothing stale.
func (o *Outbox) Check() error {
	return o.view(func(tx *bolt.Tx) error {
		want := map[string]map[string][]byte{}
		for _, b := range outboxIndexBuckets {
			want[string(b)] = map[string][]byte{}
		}
		totals := map[string]*outboxTotals{}
		var errs []error
		err := tx.Bucket(bucketOutboxItems).ForEach(func(k, v []byte) error {
			it, err := decodeOutbox(k, v)
			if err != nil {
				errs = append(errs, err)
				return nil
			}
			if len(k) != 8 || binary.BigEndian.Uint64(k) != it.ID {
				errs = append(errs, fmt.Errorf("outbox item under key %x has id %d", k, it.ID))
			}
			for _, e := range outboxIndexEntries(it) {
				if _, dup := want[string(e.bucket)][string(e.key)]; dup {
					errs = append(errs, fmt.Errorf("index %s: key %q claimed twice", e.bucket, e.key))
				}
				want[string(e.bucket)][string(e.key)] = e.value
			}
			if totals[it.Target] == nil {
				totals[it.Target] = new(outboxTotals)
			}
			totals[it.Target].add(it, 1)
			return nil
		})
		if err != nil {
			return err
		}
		for _, name := range outboxIndexBuckets {
			expect := want[string(name)]
			err := tx.Bucket(name).ForEach(func(k, v []byte) error {
				w, ok := expect[string(k)]
				switch {
				case !ok:
					errs = append(errs, fmt.Errorf("index %s: stale key %q", name, k))
				case !bytes.Equal(w, v):
					errs = append(errs, fmt.Errorf("index %s: key %q holds %q, want %q", name, k, v, w))
				}
				delete(expect, string(k))
				return nil
			})
			if err != nil {
				return err
			}
			for k := range expect {
				errs = append(errs, fmt.Errorf("index %s: missing key %q", name, k))
			}
		}
		err = tx.Bucket(bucketOutboxTotals).ForEach(func(k, v []byte) error {
			var got outboxTotals
			if err := json.Unmarshal(v, &got); err != nil {
				errs = append(errs, fmt.Errorf("totals of %s: %w", k, err))
			} else if w := totals[string(k)]; w == nil || *w != got {
				errs = append(errs, fmt.Errorf("totals of %s are %+v, items add up to %+v", k, got, w))
			}
			delete(totals, string(k))
			return nil
		})
		if err != nil {
			return err
		}
		for target := range totals {
			errs = append(errs, fmt.Errorf("totals of %s missing", target))
		}
		if err := errors.Join(errs...); err != nil {
			return fmt.Errorf("check outbox: %w", err)
		}
		return nil
	})
}
