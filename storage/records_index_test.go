package storage

import (
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"
)

// indexSizes counts the keys of every record index bucket.
func indexSizes(t *testing.T, db *DB) map[string]int {
	t.Helper()
	sizes := map[string]int{}
	err := db.bolt.View(func(tx *bolt.Tx) error {
		for _, name := range append([][]byte{bucketRecords}, recordIndexBuckets...) {
			sizes[string(name)] = tx.Bucket(name).Stats().KeyN
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return sizes
}

func TestIndexesFollowReplaceAndUpdate(t *testing.T) {
	db := openTest(t)
	loadFixture(t, db)
	r := newRecord("c1", base.Add(10*time.Hour), 1, StateRecording)
	mustPut(t, db, r)
	oldPath, oldStart := r.Path, r.Start

	// Replace with a record that has the same id but a new channel, path,
	// start and state: every index must drop the old entry.
	moved := *r
	moved.Channel = "c2"
	moved.Path = "c2/2026-11-23/190000_1.mp4"
	moved.Start = base.Add(11 * time.Hour)
	moved.State = StateComplete
	mustPut(t, db, &moved)
	mustCheck(t, db)

	if _, err := db.RecordByPath(oldPath); !errors.Is(err, ErrNotFound) {
		t.Errorf("old path still resolves: %v", err)
	}
	if got, err := db.RecordByPath(moved.Path); err != nil || got.ID != r.ID {
		t.Errorf("new path: %v, %v", got, err)
	}
	inC1, _ := db.ListRecords(RecordQuery{Channel: "c1"})
	inC2, _ := db.ListRecords(RecordQuery{Channel: "c2"})
	if slices.Contains(ids(inC1), r.ID) || !slices.Contains(ids(inC2), r.ID) {
		t.Errorf("after the channel change: in c1 %v, in c2 %v", slices.Contains(ids(inC1), r.ID), slices.Contains(ids(inC2), r.ID))
	}
	atOld, _ := db.ListRecords(RecordQuery{From: oldStart, To: oldStart.Add(time.Nanosecond)})
	if len(atOld) != 0 {
		t.Errorf("old start still listed: %v", ids(atOld))
	}
	recording, _ := db.ListRecords(RecordQuery{States: []State{StateRecording}})
	if slices.Contains(ids(recording), r.ID) {
		t.Error("record still listed under its old state")
	}

	// UpdateRecord goes through the same index maintenance.
	err := db.UpdateRecord(r.ID, func(rec *Record) error {
		rec.Path = "c2/2026-11-23/190000_1.recovered.mp4"
		rec.State = StateRecovered
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	mustCheck(t, db)
	if _, err := db.RecordByPath(moved.Path); !errors.Is(err, ErrNotFound) {
		t.Errorf("path before update still resolves: %v", err)
	}

	// Clearing the path drops the path entry.
	if err := db.UpdateRecord(r.ID, func(rec *Record) error { rec.Path = ""; return nil }); err != nil {
		t.Fatal(err)
	}
	mustCheck(t, db)

	sizes := indexSizes(t, db)
	n := sizes[string(bucketRecords)]
	for _, b := range [][]byte{bucketRecordsByChannel, bucketRecordsByStart, bucketRecordsByState, bucketRecordsBySeq} {
		if sizes[string(b)] != n {
			t.Errorf("%s has %d keys for %d records", b, sizes[string(b)], n)
		}
	}
	if sizes[string(bucketRecordsByPath)] != n-1 {
		t.Errorf("by path has %d keys, want %d (one record has no path)", sizes[string(bucketRecordsByPath)], n-1)
	}
}

func TestIndexesEmptyAfterDeletingAll(t *testing.T) {
	db := openTest(t)
	all := loadFixture(t, db)
	// Replace every record once so deletes meet replaced entries too.
	for _, r := range all {
		if err := db.UpdateRecord(r.ID, func(rec *Record) error { rec.State = StateUploaded; return nil }); err != nil {
			t.Fatal(err)
		}
	}
	for _, r := range all {
		if err := db.DeleteRecord(r.ID); err != nil {
			t.Fatal(err)
		}
	}
	mustCheck(t, db)
	for name, n := range indexSizes(t, db) {
		if n != 0 {
			t.Errorf("%s has %d keys after deleting every record", name, n)
		}
	}
}

// Check must notice an index that disagrees with the records, or the
// consistency tests above prove nothing.
func TestCheckFindsBrokenIndexes(t *testing.T) {
	cases := []struct {
		name   string
		damage func(tx *bolt.Tx, r *Record) error
		want   string
	}{
		{"stale key", func(tx *bolt.Tx, r *Record) error {
			return tx.Bucket(bucketRecordsByPath).Put([]byte("c9/x.mp4"), []byte(r.ID))
		}, "stale key"},
		{"missing key", func(tx *bolt.Tx, r *Record) error {
			return tx.Bucket(bucketRecordsByChannel).Delete(startKey(channelPrefix(r.Channel), r))
		}, "missing key"},
		{"wrong state value", func(tx *bolt.Tx, r *Record) error {
			return tx.Bucket(bucketRecordsByStart).Put(startKey(nil, r), []byte(StateFailed))
		}, "want"},
		{"undecodable record", func(tx *bolt.Tx, r *Record) error {
			return tx.Bucket(bucketRecords).Put([]byte(r.ID), []byte("{"))
		}, "decode record"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			db := openTest(t)
			r := newRecord("c1", base, 1, StateComplete)
			mustPut(t, db, r)
			if err := db.bolt.Update(func(tx *bolt.Tx) error { return tc.damage(tx, r) }); err != nil {
				t.Fatal(err)
			}
			err := db.Check()
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("Check: %v, want an error containing %q", err, tc.want)
			}
		})
	}
}
