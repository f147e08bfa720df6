package storage

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"
)

func TestOpenCreatesDirectoryAndSchema(t *testing.T) {
	path := filepath.Join(t.TempDir(), "data", "deeper", "lubo.db")
	db := openAt(t, path)
	if db.Path() != path {
		t.Errorf("Path() = %q, want %q", db.Path(), path)
	}
	v, err := db.SchemaVersion()
	if err != nil {
		t.Fatal(err)
	}
	if v != schemaVersion {
		t.Errorf("schema version %d, want %d", v, schemaVersion)
	}
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o600 {
		t.Errorf("file mode %v, want 0600 (the store holds tokens later)", fi.Mode().Perm())
	}
	if db.bolt.NoSync || db.bolt.NoFreelistSync {
		t.Error("the store must fsync every commit (NoSync and NoFreelistSync off)")
	}
	mustCheck(t, db)
}

func TestReopenKeepsData(t *testing.T) {
	path := filepath.Join(t.TempDir(), "lubo.db")
	db, err := Open(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	want := newRecord("c101", base, 1, StateComplete)
	mustPut(t, db, want)
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}

	db = openAt(t, path)
	got, err := db.GetRecord(want.ID)
	if err != nil {
		t.Fatal(err)
	}
	sameRecord(t, got, want)
	if byPath, err := db.RecordByPath(want.Path); err != nil || byPath.ID != want.ID {
		t.Errorf("RecordByPath after reopen = %v, %v", byPath, err)
	}
	// Seq numbering continues after a reopen.
	next := newRecord("c101", base.Add(time.Hour), 1, StateComplete)
	mustPut(t, db, next)
	if next.Seq != want.Seq+1 {
		t.Errorf("seq after reopen %d, want %d", next.Seq, want.Seq+1)
	}
	mustCheck(t, db)
}

// A second lubo on the same data_dir must fail fast with a message that
// says what is going on, and succeed once the first one is gone.
func TestSecondOpenFailsWhileInUse(t *testing.T) {
	path := filepath.Join(t.TempDir(), "lubo.db")
	first, err := Open(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	second, err := Open(path, Options{}) // the default 1 s lock timeout
	if err == nil {
		second.Close()
		first.Close()
		t.Fatal("second Open of a file in use succeeded")
	}
	var inUse *InUseError
	if !errors.As(err, &inUse) {
		t.Errorf("error %v (%T), want *InUseError", err, err)
	}
	if want := "another lubo is using " + path; err.Error() != want {
		t.Errorf("error %q, want %q", err, want)
	}
	if err := first.Close(); err != nil {
		t.Fatal(err)
	}
	again, err := Open(path, Options{LockTimeout: 100 * time.Millisecond})
	if err != nil {
		t.Fatalf("Open after the first closed: %v", err)
	}
	again.Close()
}

func TestOpenRefusesNewerSchema(t *testing.T) {
	path := filepath.Join(t.TempDir(), "lubo.db")
	db, err := Open(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	err = db.bolt.Update(func(tx *bolt.Tx) error {
		return tx.Bucket(bucketMeta).Put(keySchema, []byte("99"))
	})
	if err != nil {
		t.Fatal(err)
	}
	db.Close()

	db, err = Open(path, Options{})
	if err == nil {
		db.Close()
		t.Fatal("Open of a schema 99 file succeeded")
	}
	if !strings.Contains(err.Error(), "newer lubo") || !strings.Contains(err.Error(), path) {
		t.Errorf("error %q should name the file and say a newer lubo wrote it", err)
	}
	// The refused open must have released the lock and left the file alone.
	db, err = Open(path, Options{LockTimeout: 100 * time.Millisecond})
	if err == nil || errors.As(err, new(*InUseError)) {
		t.Errorf("reopen: %v, want the schema error again, not in-use", err)
	}
	if db != nil {
		db.Close()
	}
}

func TestOpenRejectsNonDatabase(t *testing.T) {
	path := filepath.Join(t.TempDir(), "lubo.db")
	if err := os.WriteFile(path, []byte(strings.Repeat("not a bbolt file\n", 1000)), 0o600); err != nil {
		t.Fatal(err)
	}
	db, err := Open(path, Options{})
	if err == nil {
		db.Close()
		t.Fatal("Open of a text file succeeded")
	}
	if !strings.Contains(err.Error(), path) {
		t.Errorf("error %q does not name the file", err)
	}
}
