package storage

import "errors"

// ErrNotFound is returned (wrapped) when a requested item does not exist.
// Check with errors.Is.
var ErrNotFound = errors.New("not found")

// InUseError is returned by Open when another process holds the database
// file, typically a second lubo started on the same data_dir.
type InUseError struct {
	Path string // the database file
}

func (e *InUseError) Error() string {
	return "another lubo is using " + e.Path
}
