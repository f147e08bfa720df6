package mp4

import (
	"os"
	"time"
)

// File is what a Writer writes to: *os.File, or a test double that fails.
type File interface {
	Write(p []byte) (int, error)
	// Sync makes what was written durable (fdatasync for a real file).
	Sync() error
	Close() error
}

// Options tune a Writer. The zero value is the production setting.
type Options struct {
	// FragmentMax is the longest media time a fragment may hold: a crash
	// loses at most this much. Fragments are also cut at video keyframes.
	// Default 1s.
	FragmentMax time.Duration
	// NoSync skips the fdatasync after each fragment (benchmarks only:
	// without it a crash may lose everything the page cache holds).
	NoSync bool
	// OpenFile opens the .part file. Default: create or truncate a regular
	// file with mode 0644, written with fdatasync.
	OpenFile func(path string) (File, error)
}

const defaultFragmentMax = time.Second

func (o Options) withDefaults() Options {
	if o.FragmentMax <= 0 {
		o.FragmentMax = defaultFragmentMax
	}
	if o.OpenFile == nil {
		o.OpenFile = openPartFile
	}
	return o
}

// osFile syncs with fdatasync: the data and the size, not the timestamps.
type osFile struct{ *os.File }

func (f osFile) Sync() error { return datasync(f.File) }

// Truncate lets a writer cut a half-written fragment off after a failed write.
func (f osFile) Truncate(size int64) error { return f.File.Truncate(size) }

func openPartFile(path string) (File, error) {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o644)
	if err != nil {
		return nil, err
	}
	return osFile{f}, nil
}
