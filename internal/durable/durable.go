// Package durable writes files that survive a crash or a power cut whole:
// a reader, or the box after a reboot, finds the old file (or none) or the
// new one, never a part of it.
package durable

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
)

// TempSuffix ends the name of the file WriteFile writes before its rename;
// one left by a crash may be deleted.
const TempSuffix = ".tmp"

// WriteFile puts data at path with mode perm: written to path+TempSuffix,
// synced, renamed over path, and the folder synced so the rename lasts.
func WriteFile(path string, data []byte, perm os.FileMode) error {
	tmp := path + TempSuffix
	f, err := os.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, perm)
	if err != nil {
		return err
	}
	// A temporary file left with a wider mode keeps it through O_TRUNC.
	cherr := f.Chmod(perm)
	_, werr := f.Write(data)
	serr := f.Sync()
	cerr := f.Close()
	if err := errors.Join(cherr, werr, serr, cerr); err != nil {
		_ = os.Remove(tmp)
		return err
	}
	if err := os.Rename(tmp, path); err != nil {
		_ = os.Remove(tmp)
		return err
	}
	return SyncDir(filepath.Dir(path))
}

// SyncDir makes the creations, renames and deletions in dir durable.
func SyncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return fmt.Errorf("sync directory: %w", err)
	}
	defer d.Close()
	if err := d.Sync(); err != nil {
		return fmt.Errorf("sync directory %s: %w", dir, err)
	}
	return nil
}
