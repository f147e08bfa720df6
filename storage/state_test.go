package storage

import (
	"bytes"
	"path/filepath"
	"testing"
)

func TestStateSurvivesReopen(t *testing.T) {
	path := filepath.Join(t.TempDir(), "lubo.db")
	db, err := Open(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if v, err := db.GetState("yunlubo/state"); err != nil || v != nil {
		t.Fatalf("empty store: %q, %v", v, err)
	}
	if err := db.PutState("yunlubo/state", []byte(`{"cameras":3}`)); err != nil {
		t.Fatal(err)
	}
	db.Close()
	db, err = Open(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if v, err := db.GetState("yunlubo/state"); err != nil || !bytes.Equal(v, []byte(`{"cameras":3}`)) {
		t.Fatalf("after reopen: %q, %v", v, err)
	}
}
