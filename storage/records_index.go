package storage

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"

	bolt "go.etcd.io/bbolt"
)

var (
	bucketRecords          = []byte("records")
	bucketRecordsByChannel = []byte("records_by_channel")
	bucketRecordsByStart   = []byte("records_by_start")
	bucketRecordsByState   = []byte("records_by_state")
	bucketRecordsByPath    = []byte("records_by_path")
	bucketRecordsBySeq     = []byte("records_by_seq")
)

// recordIndexBuckets are the secondary indexes of records, each filled by
// recordIndexEntries.
var recordIndexBuckets = [][]byte{
	bucketRecordsByChannel,
	bucketRecordsByStart,
	bucketRecordsByState,
	bucketRecordsByPath,
	bucketRecordsBySeq,
}

// indexEntry is one key of a secondary index.
type indexEntry struct {
	bucket []byte
	key    []byte
	value  []byte
}

// recordIndexEntries is the single definition of what a record puts into
// the indexes: writing, deleting and checking all use it, so they cannot
// drift apart.
func recordIndexEntries(r *Record) []indexEntry {
	id := []byte(r.ID)
	state := []byte(r.State)
	entries := []indexEntry{
		{bucketRecordsByChannel, startKey(channelPrefix(r.Channel), r), state},
		{bucketRecordsByStart, startKey(nil, r), state},
		{bucketRecordsByState, startKey(statePrefix(r.State), r), nil},
		{bucketRecordsBySeq, seqKey(r.Seq), id},
	}
	if r.Path != "" {
		entries = append(entries, indexEntry{bucketRecordsByPath, []byte(r.Path), id})
	}
	return entries
}

// channelPrefix and statePrefix end in NUL so that "c1" never matches the
// keys of "c10"; validate keeps NUL out of channels, and states are fixed.
func channelPrefix(ch string) []byte { return append([]byte(ch), 0) }
func statePrefix(s State) []byte     { return append([]byte(s), 0) }

// startKey is prefix, start time, id: index keys in start order, unique
// per record.
func startKey(prefix []byte, r *Record) []byte {
	k := make([]byte, 0, len(prefix)+timeKeyLen+len(r.ID))
	k = append(k, prefix...)
	k = appendTimeKey(k, r.Start)
	return append(k, r.ID...)
}

func seqKey(seq uint64) []byte { return binary.BigEndian.AppendUint64(nil, seq) }

func putIndexEntries(tx *bolt.Tx, entries []indexEntry) error {
	for _, e := range entries {
		val := e.value
		if val == nil {
			val = []byte{} // bbolt stores a nil value as empty anyway; be explicit
		}
		if err := tx.Bucket(e.bucket).Put(e.key, val); err != nil {
			return fmt.Errorf("index %s: %w", e.bucket, err)
		}
	}
	return nil
}

func deleteIndexEntries(tx *bolt.Tx, entries []indexEntry) error {
	for _, e := range entries {
		if err := tx.Bucket(e.bucket).Delete(e.key); err != nil {
			return fmt.Errorf("index %s: %w", e.bucket, err)
		}
	}
	return nil
}

// checkRecordIndexes verifies that the indexes hold exactly the entries the
// stored records call for: nothing missing, nothing stale.
func checkRecordIndexes(tx *bolt.Tx) error {
	type wanted struct {
		value []byte
		owner string // the record id that calls for the entry
	}
	want := map[string]map[string]wanted{} // bucket -> key -> entry
	for _, b := range recordIndexBuckets {
		want[string(b)] = map[string]wanted{}
	}
	var errs []error
	err := tx.Bucket(bucketRecords).ForEach(func(k, v []byte) error {
		r, err := decodeRecord(k, v)
		if err != nil {
			errs = append(errs, err)
			return nil
		}
		if r.ID != string(k) {
			errs = append(errs, fmt.Errorf("record under key %q has id %q", k, r.ID))
		}
		for _, e := range recordIndexEntries(r) {
			if other, dup := want[string(e.bucket)][string(e.key)]; dup {
				errs = append(errs, fmt.Errorf("index %s: key %q claimed by records %s and %s", e.bucket, e.key, other.owner, r.ID))
			}
			want[string(e.bucket)][string(e.key)] = wanted{e.value, r.ID}
		}
		return nil
	})
	if err != nil {
		return err
	}
	for _, name := range recordIndexBuckets {
		expect := want[string(name)]
		err := tx.Bucket(name).ForEach(func(k, v []byte) error {
			w, ok := expect[string(k)]
			switch {
			case !ok:
				errs = append(errs, fmt.Errorf("index %s: stale key %q", name, k))
			case !bytes.Equal(w.value, v):
				errs = append(errs, fmt.Errorf("index %s: key %q holds %q, want %q", name, k, v, w.value))
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
	return errors.Join(errs...)
}
