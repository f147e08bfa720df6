package storage

import (
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"time"

	bolt "go.etcd.io/bbolt"
	berrors "go.etcd.io/bbolt/errors"
)

// DefaultLockTimeout is how long Open waits for the database file's lock.
const DefaultLockTimeout = time.Second

// Options tunes Open. The zero value is what lubo uses.
type Options struct {
	// LockTimeout is how long Open waits for another process to release the
	// database file before it fails with *InUseError. Default 1s.
	LockTimeout time.Duration

	// Logger receives the store's few log lines (open, schema migration).
	// Default slog.Default().
	Logger *slog.Logger
}

// DB is lubo's store. Its methods are safe for concurrent use; bbolt runs
// one writer at a time and readers beside it.
type DB struct {
	bolt *bolt.DB
	path string
	log  *slog.Logger
	now  func() time.Time // the clock for Created/Updated; tests replace it
}

// Open opens or creates the database file at path (creating its directory
// if needed), creates missing buckets and checks the schema version.
// A second lubo on the same file gets *InUseError after opts.LockTimeout.
func Open(path string, opts Options) (*DB, error) {
	if opts.LockTimeout <= 0 {
		opts.LockTimeout = DefaultLockTimeout
	}
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o750); err != nil {
		return nil, fmt.Errorf("open store %s: %w", path, err)
	}
	// NoSync stays false: every committed transaction is fsync'd.
	b, err := bolt.Open(path, 0o600, &bolt.Options{Timeout: opts.LockTimeout})
	if errors.Is(err, berrors.ErrTimeout) {
		return nil, &InUseError{Path: path}
	}
	if err != nil {
		return nil, fmt.Errorf("open store %s: %w", path, err)
	}
	var found int
	err = b.Update(func(tx *bolt.Tx) error {
		var err error
		found, err = prepareSchema(tx)
		return err
	})
	if err != nil {
		_ = b.Close() // the schema error is the one worth reporting
		return nil, fmt.Errorf("open store %s: %w", path, err)
	}
	if found != 0 && found != schemaVersion {
		opts.Logger.Info("store schema migrated", "path", path, "from", found, "to", schemaVersion)
	}
	return &DB{bolt: b, path: path, log: opts.Logger, now: time.Now}, nil
}

// Close releases the file and its lock. Writes already returned are on disk.
func (db *DB) Close() error {
	if err := db.bolt.Close(); err != nil {
		return fmt.Errorf("close store %s: %w", db.path, err)
	}
	return nil
}

// Path returns the database file's path.
func (db *DB) Path() string { return db.path }

// Check verifies the file's page structure and that every secondary index
// agrees with the items it indexes. It reads the whole file; run it at
// start after an unclean shutdown or from a maintenance command.
func (db *DB) Check() error {
	return db.bolt.View(func(tx *bolt.Tx) error {
		var errs []error
		for err := range tx.Check() {
			errs = append(errs, err)
		}
		if err := checkRecordIndexes(tx); err != nil {
			errs = append(errs, err)
		}
		if err := errors.Join(errs...); err != nil {
			return fmt.Errorf("check store %s: %w", db.path, err)
		}
		return nil
	})
}
