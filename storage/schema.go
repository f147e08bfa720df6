package storage

import (
	"fmt"
	"strconv"

	bolt "go.etcd.io/bbolt"
)

// schemaVersion is the layout this build reads and writes. Raise it, and
// add a migration, whenever a bucket's key or value format changes; adding
// a new bucket or a new JSON field does not need a new version.
const schemaVersion = 1

var (
	bucketMeta   = []byte("meta")
	keySchema    = []byte("schema_version")
	keyCreatedBy = []byte("created_schema_version")
)

// buckets is every top-level bucket; Open creates the missing ones. Each
// kind of data adds its buckets here (records.go, later schedule, outbox,
// tokens).
var buckets = [][]byte{
	bucketMeta,
	bucketRecords,
	bucketRecordsByChannel,
	bucketRecordsByStart,
	bucketRecordsByState,
	bucketRecordsByPath,
	bucketRecordsBySeq,
	bucketDashChannels, bucketDashCourses, // dashboard.go
}

// migrations[v] turns a version v-1 layout into version v, inside the
// transaction that then records v. None yet: version 1 is the first.
var migrations = map[int]func(tx *bolt.Tx) error{}

// prepareSchema creates missing buckets and brings an older layout up to
// schemaVersion. It refuses a file written by a newer lubo, whose layout
// this build cannot know. It returns the version found (0 for a new file).
func prepareSchema(tx *bolt.Tx) (found int, err error) {
	for _, name := range buckets {
		if _, err := tx.CreateBucketIfNotExists(name); err != nil {
			return 0, fmt.Errorf("create bucket %s: %w", name, err)
		}
	}
	meta := tx.Bucket(bucketMeta)
	if raw := meta.Get(keySchema); raw != nil {
		found, err = strconv.Atoi(string(raw))
		if err != nil || found < 1 {
			return 0, fmt.Errorf("meta %s is %q, want a positive number", keySchema, raw)
		}
	}
	if found > schemaVersion {
		return found, fmt.Errorf("schema version %d was written by a newer lubo; this one knows up to %d", found, schemaVersion)
	}
	if found == 0 {
		if err := meta.Put(keyCreatedBy, []byte(strconv.Itoa(schemaVersion))); err != nil {
			return 0, fmt.Errorf("write meta: %w", err)
		}
	} else {
		for v := found + 1; v <= schemaVersion; v++ {
			if m := migrations[v]; m != nil {
				if err := m(tx); err != nil {
					return found, fmt.Errorf("migrate schema to version %d: %w", v, err)
				}
			}
		}
	}
	if err := meta.Put(keySchema, []byte(strconv.Itoa(schemaVersion))); err != nil {
		return found, fmt.Errorf("write meta: %w", err)
	}
	return found, nil
}

// SchemaVersion returns the layout version stored in the meta bucket.
func (db *DB) SchemaVersion() (int, error) {
	var v int
	err := db.bolt.View(func(tx *bolt.Tx) error {
		raw := tx.Bucket(bucketMeta).Get(keySchema)
		var err error
		v, err = strconv.Atoi(string(raw))
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("read schema version: %w", err)
	}
	return v, nil
}
