package storage

import (
	"bytes"
	"fmt"
	"slices"
	"strings"
	"time"

	bolt "go.etcd.io/bbolt"
)

// Order is the direction of a listing by start time.
type Order string

const (
	OrderAsc  Order = "asc"  // oldest first; the default
	OrderDesc Order = "desc" // newest first
)

// RecordQuery selects records for ListRecords and CountRecords.
type RecordQuery struct {
	Channel string    // only this channel; "" for all
	From    time.Time // only records with Start >= From; zero for no bound
	To      time.Time // only records with Start < To; zero for no bound
	States  []State   // only records in one of these states; empty for all
	Limit   int       // at most this many; 0 for no limit
	Offset  int       // skip this many matches first (paging)
	Order   Order     // by Start (then ID); "" is OrderAsc
}

// Validate reports what is wrong with q, in words an API user can act on.
func (q RecordQuery) Validate() error {
	var problems []string
	if strings.IndexByte(q.Channel, 0) >= 0 {
		problems = append(problems, "channel contains a NUL byte")
	}
	if !q.From.IsZero() && !q.To.IsZero() && q.To.Before(q.From) {
		problems = append(problems, fmt.Sprintf("to (%s) is before from (%s)", q.To.Format(time.RFC3339), q.From.Format(time.RFC3339)))
	}
	for _, s := range q.States {
		if !s.Valid() { // the first is enough: the message lists the valid ones
			problems = append(problems, fmt.Sprintf("state %q is not one of %s", s, stateList()))
			break
		}
	}
	if q.Limit < 0 {
		problems = append(problems, fmt.Sprintf("limit %d is negative (0 means no limit)", q.Limit))
	}
	if q.Offset < 0 {
		problems = append(problems, fmt.Sprintf("offset %d is negative", q.Offset))
	}
	if q.Order != "" && q.Order != OrderAsc && q.Order != OrderDesc {
		problems = append(problems, fmt.Sprintf("order %q is not asc or desc", q.Order))
	}
	if len(problems) > 0 {
		return fmt.Errorf("record query: %s", strings.Join(problems, "; "))
	}
	return nil
}

// ListRecords returns the records q selects, ordered by Start.
func (db *DB) ListRecords(q RecordQuery) ([]*Record, error) {
	if err := q.Validate(); err != nil {
		return nil, err
	}
	var out []*Record
	err := db.bolt.View(func(tx *bolt.Tx) error {
		var ids [][]byte
		scanQuery(tx, q, func(id []byte) bool {
			ids = append(ids, id) // valid for the transaction's life
			return q.Limit == 0 || len(ids) < q.Limit
		})
		out = make([]*Record, 0, len(ids))
		for _, id := range ids {
			r, err := getRecordTx(tx, string(id))
			if err != nil {
				return err
			}
			out = append(out, r)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("list records: %w", err)
	}
	return out, nil
}

// CountRecords returns how many records q selects, ignoring Limit and
// Offset: the total behind a page of ListRecords.
func (db *DB) CountRecords(q RecordQuery) (int, error) {
	q.Limit, q.Offset = 0, 0
	if err := q.Validate(); err != nil {
		return 0, err
	}
	n := 0
	err := db.bolt.View(func(tx *bolt.Tx) error {
		scanQuery(tx, q, func([]byte) bool { n++; return true })
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("count records: %w", err)
	}
	return n, nil
}

// scanQuery calls fn with the id of each record q selects, after Offset,
// in q's order, until fn returns false. It reads only index keys: the
// state filter uses the state kept as the index value.
func scanQuery(tx *bolt.Tx, q RecordQuery, fn func(id []byte) bool) {
	b := tx.Bucket(bucketRecordsByStart)
	var prefix []byte
	if q.Channel != "" {
		b = tx.Bucket(bucketRecordsByChannel)
		prefix = channelPrefix(q.Channel)
	}
	skip := q.Offset
	scanByStart(b, prefix, q.From, q.To, q.Order == OrderDesc, func(id, state []byte) bool {
		if len(q.States) > 0 && !slices.Contains(q.States, State(state)) {
			return true
		}
		if skip > 0 {
			skip--
			return true
		}
		return fn(id)
	})
}

// scanByStart walks the keys prefix+timeKey+id of b whose start lies in
// [from, to) (a zero time is no bound), oldest first or newest first,
// calling fn(id, value) until it returns false.
func scanByStart(b *bolt.Bucket, prefix []byte, from, to time.Time, desc bool, fn func(id, value []byte) bool) {
	var fromKey, toKey []byte
	if !from.IsZero() {
		fromKey = appendTimeKey(nil, from)
	}
	if !to.IsZero() {
		toKey = appendTimeKey(nil, to)
	}
	c := b.Cursor()
	inRange := func(k []byte) ([]byte, bool) {
		if !bytes.HasPrefix(k, prefix) || len(k) < len(prefix)+timeKeyLen {
			return nil, false
		}
		tk := k[len(prefix) : len(prefix)+timeKeyLen]
		if fromKey != nil && bytes.Compare(tk, fromKey) < 0 || toKey != nil && bytes.Compare(tk, toKey) >= 0 {
			return nil, false
		}
		return k[len(prefix)+timeKeyLen:], true
	}
	var k, v []byte
	if !desc {
		for k, v = c.Seek(append(bytes.Clone(prefix), fromKey...)); k != nil; k, v = c.Next() {
			id, ok := inRange(k)
			if !ok || !fn(id, v) {
				return
			}
		}
		return
	}
	// Newest first: find the first key past the range, then step back.
	var end []byte
	switch {
	case toKey != nil:
		end = append(bytes.Clone(prefix), toKey...)
	case len(prefix) > 0:
		end = bytes.Clone(prefix)
		end[len(end)-1]++ // prefixes end in NUL, so this cannot overflow
	}
	if end == nil {
		k, v = c.Last()
	} else if k, _ = c.Seek(end); k == nil {
		k, v = c.Last()
	} else {
		k, v = c.Prev()
	}
	for ; k != nil; k, v = c.Prev() {
		id, ok := inRange(k)
		if !ok || !fn(id, v) {
			return
		}
	}
}

// OldestFinished returns up to n finished records (any state but
// recording) for retention to delete: first the records in prefer[0],
// oldest Start first, then those in prefer[1], and so on, then all other
// finished records oldest first. OldestFinished(n, StateUploaded) gives
// uploaded records before any that still wait for the cloud.
func (db *DB) OldestFinished(n int, prefer ...State) ([]*Record, error) {
	var groups [][]State
	seen := map[State]bool{StateRecording: true}
	for _, s := range prefer {
		if !s.Valid() {
			return nil, fmt.Errorf("oldest finished: state %q is not one of %s", s, stateList())
		}
		if s == StateRecording {
			return nil, fmt.Errorf("oldest finished: state %s is not finished", s)
		}
		if !seen[s] {
			seen[s] = true
			groups = append(groups, []State{s})
		}
	}
	var rest []State
	for _, s := range states {
		if !seen[s] {
			rest = append(rest, s)
		}
	}
	groups = append(groups, rest)

	var out []*Record
	err := db.bolt.View(func(tx *bolt.Tx) error {
		for _, g := range groups {
			if len(out) >= n {
				break
			}
			for _, id := range oldestInStates(tx, g, n-len(out)) {
				r, err := getRecordTx(tx, string(id))
				if err != nil {
					return err
				}
				out = append(out, r)
			}
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("oldest finished: %w", err)
	}
	return out, nil
}

// oldestInStates returns the ids of the n oldest records in any of ss,
// merged by (start, id) from the per-state index.
func oldestInStates(tx *bolt.Tx, ss []State, n int) [][]byte {
	b := tx.Bucket(bucketRecordsByState)
	var keys [][]byte // timeKey+id, which sorts like the records
	for _, s := range ss {
		prefix := statePrefix(s)
		taken := 0
		c := b.Cursor()
		for k, _ := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix) && taken < n; k, _ = c.Next() {
			keys = append(keys, k[len(prefix):])
			taken++
		}
	}
	slices.SortFunc(keys, bytes.Compare)
	if len(keys) > n {
		keys = keys[:n]
	}
	ids := make([][]byte, len(keys))
	for i, k := range keys {
		ids[i] = k[timeKeyLen:]
	}
	return ids
}
