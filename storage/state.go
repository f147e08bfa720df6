package storage

import (
	"fmt"

	bolt "go.etcd.io/bbolt"
)

// bucketState holds small named values parts of lubo keep across restarts:
// a cloud's last good answer, a cached token. Values are opaque bytes; the
// owner of a key chooses its format.
var bucketState = []byte("state")

// PutState stores value under key, durably (the transaction is fsync'd).
func (db *DB) PutState(key string, value []byte) error {
	err := db.bolt.Update(func(tx *bolt.Tx) error {
		b, err := tx.CreateBucketIfNotExists(bucketState)
		if err != nil {
			return err
		}
		return b.Put([]byte(key), value)
	})
	if err != nil {
		return fmt.Errorf("store state %q: %w", key, err)
	}
	return nil
}

// GetState returns a copy of the value under key, nil when there is none.
func (db *DB) GetState(key string) ([]byte, error) {
	var out []byte
	err := db.bolt.View(func(tx *bolt.Tx) error {
		if b := tx.Bucket(bucketState); b != nil {
			if v := b.Get([]byte(key)); v != nil {
				out = append([]byte{}, v...)
			}
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("read state %q: %w", key, err)
	}
	return out, nil
}
