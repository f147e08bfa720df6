package snapshot

import (
	"fmt"
	"os"
	"path/filepath"
)

// writeFile puts data at path so that a reader sees either the old file or
// the whole new one, never half a picture: it writes a temporary file in the
// same folder, syncs it and renames it over path. Missing folders are made.
func writeFile(path string, data []byte) (err error) {
	dir, base := filepath.Split(path)
	if dir == "" {
		dir = "."
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("make folder: %w", err)
	}
	tmp, err := os.CreateTemp(dir, "."+base+".*.tmp")
	if err != nil {
		return fmt.Errorf("create temporary file: %w", err)
	}
	defer func() {
		if err != nil {
			tmp.Close()
			os.Remove(tmp.Name())
		}
	}()
	if _, err := tmp.Write(data); err != nil {
		return fmt.Errorf("write %s: %w", tmp.Name(), err)
	}
	// The HTTP server and uploaders read these; CreateTemp makes them 0600.
	if err := tmp.Chmod(0o644); err != nil {
		return fmt.Errorf("chmod %s: %w", tmp.Name(), err)
	}
	// Synced before the rename, so a power cut cannot leave an empty picture
	// under the real name.
	if err := tmp.Sync(); err != nil {
		return fmt.Errorf("sync %s: %w", tmp.Name(), err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("close %s: %w", tmp.Name(), err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("rename to %s: %w", path, err)
	}
	return nil
}

// validChannel reports whether ch can name a file: 1 to 64 of [a-z0-9_-],
// the rule of channel ids. It keeps "../x" from a URL out of the file system.
func validChannel(ch string) bool {
	if len(ch) == 0 || len(ch) > 64 {
		return false
	}
	for i := 0; i < len(ch); i++ {
		c := ch[i]
		if !('a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '_' || c == '-') {
			return false
		}
	}
	return true
}
