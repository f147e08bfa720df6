package storage

import (
	"errors"
	"fmt"
	"time"

	bolt "go.etcd.io/bbolt"
)

// PutRecord inserts r or replaces the record with the same ID, and its index
// entries, in one transaction. The store sets r.Updated, r.Seq (kept from
// the record it replaces, else the next number) and r.Created when zero
// (kept from the replaced record, else now); r is changed only on success.
// A path already used by another record is refused.
func (db *DB) PutRecord(r *Record) error {
	c := *r
	err := db.bolt.Update(func(tx *bolt.Tx) error {
		old, err := getRecordTx(tx, c.ID)
		if err != nil && !errors.Is(err, ErrNotFound) {
			return err
		}
		return putRecordTx(tx, &c, old, db.now())
	})
	if err != nil {
		return fmt.Errorf("put record: %w", err)
	}
	*r = c
	return nil
}

// GetRecord returns the record with the given id, or an error wrapping
// ErrNotFound.
func (db *DB) GetRecord(id string) (*Record, error) {
	var r *Record
	err := db.bolt.View(func(tx *bolt.Tx) error {
		var err error
		r, err = getRecordTx(tx, id)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("get record: %w", err)
	}
	return r, nil
}

// UpdateRecord reads the record, lets fn change it and writes it back, all
// in one transaction, so concurrent updates cannot lose each other's
// changes. If fn returns an error nothing is written and that error is
// returned wrapped. fn must not change the ID; Seq and Updated are the
// store's. fn runs inside the write transaction: keep it short, no I/O.
func (db *DB) UpdateRecord(id string, fn func(*Record) error) error {
	err := db.bolt.Update(func(tx *bolt.Tx) error {
		old, err := getRecordTx(tx, id)
		if err != nil {
			return err
		}
		c := *old
		if err := fn(&c); err != nil {
			return err
		}
		if c.ID != id {
			return fmt.Errorf("record %s: update may not change the id (to %q)", id, c.ID)
		}
		return putRecordTx(tx, &c, old, db.now())
	})
	if err != nil {
		return fmt.Errorf("update record %s: %w", id, err)
	}
	return nil
}

// DeleteRecord removes the record and its index entries. The files are the
// caller's to remove. A missing record is an error wrapping ErrNotFound.
func (db *DB) DeleteRecord(id string) error {
	err := db.bolt.Update(func(tx *bolt.Tx) error {
		old, err := getRecordTx(tx, id)
		if err != nil {
			return err
		}
		if err := deleteIndexEntries(tx, recordIndexEntries(old)); err != nil {
			return err
		}
		return tx.Bucket(bucketRecords).Delete([]byte(id))
	})
	if err != nil {
		return fmt.Errorf("delete record: %w", err)
	}
	return nil
}

// RecordByPath returns the record whose Path is p (relative to the records
// root), or an error wrapping ErrNotFound.
func (db *DB) RecordByPath(p string) (*Record, error) {
	return db.recordByIndex(bucketRecordsByPath, []byte(p), "path "+p)
}

// RecordBySeq returns the record with the given Seq, or an error wrapping
// ErrNotFound.
func (db *DB) RecordBySeq(seq uint64) (*Record, error) {
	return db.recordByIndex(bucketRecordsBySeq, seqKey(seq), fmt.Sprintf("seq %d", seq))
}

func (db *DB) recordByIndex(bucket, key []byte, what string) (*Record, error) {
	var r *Record
	err := db.bolt.View(func(tx *bolt.Tx) error {
		id := tx.Bucket(bucket).Get(key)
		if id == nil {
			return fmt.Errorf("record with %s: %w", what, ErrNotFound)
		}
		var err error
		r, err = getRecordTx(tx, string(id))
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("get record: %w", err)
	}
	return r, nil
}

func getRecordTx(tx *bolt.Tx, id string) (*Record, error) {
	raw := tx.Bucket(bucketRecords).Get([]byte(id))
	if raw == nil {
		return nil, fmt.Errorf("record %s: %w", id, ErrNotFound)
	}
	return decodeRecord([]byte(id), raw)
}

// putRecordTx writes r over old (nil when r is new): old's index entries
// go, r's come, in the caller's transaction.
func putRecordTx(tx *bolt.Tx, r, old *Record, now time.Time) error {
	if err := r.validate(); err != nil {
		return err
	}
	if old != nil {
		r.Seq = old.Seq
		if r.Created.IsZero() {
			r.Created = old.Created
		}
		if err := deleteIndexEntries(tx, recordIndexEntries(old)); err != nil {
			return err
		}
	} else {
		seq, err := tx.Bucket(bucketRecords).NextSequence()
		if err != nil {
			return fmt.Errorf("record %s: next seq: %w", r.ID, err)
		}
		r.Seq = seq
		if r.Created.IsZero() {
			r.Created = now
		}
	}
	if r.Path != "" {
		if owner := tx.Bucket(bucketRecordsByPath).Get([]byte(r.Path)); owner != nil && string(owner) != r.ID {
			return fmt.Errorf("record %s: path %s already belongs to record %s", r.ID, r.Path, owner)
		}
	}
	r.Updated = now
	raw, err := encodeRecord(r)
	if err != nil {
		return err
	}
	if err := tx.Bucket(bucketRecords).Put([]byte(r.ID), raw); err != nil {
		return fmt.Errorf("record %s: %w", r.ID, err)
	}
	if err := putIndexEntries(tx, recordIndexEntries(r)); err != nil {
		return fmt.Errorf("record %s: %w", r.ID, err)
	}
	return nil
}
