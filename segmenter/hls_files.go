package segmenter

import (
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
)

// spillSize is how much of a segment is gathered before it is written to
// its file: a buffer of this size per channel, one write call per
// spillSize (16 KiB: 4 Mbit/s is about 30 writes a second).
const spillSize = 16 << 10

// segmentFile is a segment being written to {dir}/seg{N}{ext}.tmp; commit
// renames it into place, so a reader never sees half a segment. The first
// error sticks and makes commit fail.
type segmentFile struct {
	path string
	f    *os.File
	size int64
	err  error
}

func createSegmentFile(dir string, seq uint64, ext string) *segmentFile {
	sf := &segmentFile{path: filepath.Join(dir, segmentName(seq, ext))}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		sf.err = fmt.Errorf("hls dir: %w", err)
		return sf
	}
	sf.f, sf.err = os.Create(sf.path + ".tmp")
	return sf
}

func (sf *segmentFile) write(b []byte) {
	if sf.err != nil || len(b) == 0 {
		return
	}
	n, err := sf.f.Write(b)
	sf.size += int64(n)
	if err != nil {
		sf.err = fmt.Errorf("hls segment %s: %w", filepath.Base(sf.path), err)
	}
}

// Write is write for an io.Writer: the error is the file's sticky one.
func (sf *segmentFile) Write(b []byte) (int, error) {
	sf.write(b)
	if sf.err != nil {
		return 0, sf.err
	}
	return len(b), nil
}

// commit closes the file and moves it into place; it returns the size.
func (sf *segmentFile) commit() (int64, error) {
	if sf.f != nil {
		if err := sf.f.Close(); err != nil && sf.err == nil {
			sf.err = fmt.Errorf("hls segment %s: %w", filepath.Base(sf.path), err)
		}
	}
	if sf.err == nil && sf.size > 0 {
		sf.err = os.Rename(sf.path+".tmp", sf.path)
	}
	if sf.err != nil || sf.size == 0 {
		os.Remove(sf.path + ".tmp")
	}
	return sf.size, sf.err
}

func removeSegment(s *segment, log *slog.Logger) {
	if s.path == "" {
		return
	}
	if err := os.Remove(s.path); err != nil && !os.IsNotExist(err) {
		log.Warn("hls: remove expired segment", "err", err)
	}
}

// removeSegmentFiles deletes segment files a previous muxer (or a crashed
// process) left in dir.
func removeSegmentFiles(dir string, log *slog.Logger) {
	for _, pattern := range []string{"seg*.ts", "seg*.ts.tmp", "seg*.m4s", "seg*.m4s.tmp"} {
		old, _ := filepath.Glob(filepath.Join(dir, pattern))
		for _, p := range old {
			if err := os.Remove(p); err != nil {
				log.Warn("hls: remove stale segment", "err", err)
			}
		}
	}
}
