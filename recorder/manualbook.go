package recorder

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"time"
)

// manualBookName is the file under the records root that remembers the
// manual recordings in progress, so that after a crash or a restart one
// whose end is still ahead goes on, as a lesson of the timetable does.
const manualBookName = ".manual.json"

// maxManualBook bounds what is read of the file: one entry per channel.
const maxManualBook = 1 << 20

// manualEntry is one manual recording in progress.
type manualEntry struct {
	Channel string    `json:"channel"`
	Start   time.Time `json:"start"`
	End     time.Time `json:"end"`
}

// manualBook keeps the manual recordings in progress in a small JSON file,
// replaced atomically (write, fsync, rename) on every change.
type manualBook struct {
	path string

	mu      sync.Mutex
	entries []manualEntry
}

func newManualBook(root string) *manualBook {
	return &manualBook{path: filepath.Join(root, manualBookName)}
}

// load reads the file; a missing one is empty. A damaged one is reported
// and treated as empty: losing a manual recording's resume is better than
// not starting.
func (b *manualBook) load() ([]manualEntry, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.entries = nil
	f, err := os.Open(b.path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("manual recordings: %w", err)
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, maxManualBook+1))
	if err != nil {
		return nil, fmt.Errorf("manual recordings: read %s: %w", b.path, err)
	}
	if len(data) > maxManualBook {
		return nil, fmt.Errorf("manual recordings: %s is larger than %d bytes", b.path, maxManualBook)
	}
	var entries []manualEntry
	if err := json.Unmarshal(data, &entries); err != nil {
		return nil, fmt.Errorf("manual recordings: %s: %w", b.path, err)
	}
	b.entries = entries
	return slices.Clone(entries), nil
}

// put adds or replaces the entry of e.Channel and saves.
func (b *manualBook) put(e manualEntry) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.entries = slices.DeleteFunc(b.entries, func(x manualEntry) bool { return x.Channel == e.Channel })
	b.entries = append(b.entries, e)
	return b.save()
}

// remove drops the entry of channel that started at start (a newer one
// of the same channel stays) and saves.
func (b *manualBook) remove(channel string, start time.Time) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	n := len(b.entries)
	b.entries = slices.DeleteFunc(b.entries, func(x manualEntry) bool {
		return x.Channel == channel && x.Start.Equal(start)
	})
	if len(b.entries) == n {
		return nil
	}
	return b.save()
}

// keep replaces the entries with those given and saves.
func (b *manualBook) keep(entries []manualEntry) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.entries = slices.Clone(entries)
	return b.save()
}

// save writes the entries; b.mu is held.
func (b *manualBook) save() error {
	data, err := json.Marshal(b.entries)
	if err != nil {
		return fmt.Errorf("manual recordings: %w", err)
	}
	tmp := b.path + ".tmp"
	f, err := os.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o644)
	if err != nil {
		return fmt.Errorf("manual recordings: %w", err)
	}
	_, err = f.Write(data)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp, b.path)
	}
	if err != nil {
		_ = os.Remove(tmp)
		return fmt.Errorf("manual recordings: save %s: %w", b.path, err)
	}
	if d, err := os.Open(filepath.Dir(b.path)); err == nil {
		_ = d.Sync()
		d.Close()
	}
	return nil
}
