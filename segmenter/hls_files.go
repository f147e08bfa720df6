package segmenter

import (
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strconv"
)

// writeSegmentFile stores a finished segment as {dir}/seg{seq}.ts. It is
// written to a temporary name first, so a reader never sees half a segment.
func writeSegmentFile(dir string, seq uint64, data []byte) (string, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", fmt.Errorf("hls dir: %w", err)
	}
	path := filepath.Join(dir, "seg"+strconv.FormatUint(seq, 10)+".ts")
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, data, 0o644); err != nil {
		os.Remove(tmp)
		return "", fmt.Errorf("hls segment: %w", err)
	}
	if err := os.Rename(tmp, path); err != nil {
		os.Remove(tmp)
		return "", fmt.Errorf("hls segment: %w", err)
	}
	return path, nil
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
	for _, pattern := range []string{"seg*.ts", "seg*.ts.tmp"} {
		old, _ := filepath.Glob(filepath.Join(dir, pattern))
		for _, p := range old {
			if err := os.Remove(p); err != nil {
				log.Warn("hls: remove stale segment", "err", err)
			}
		}
	}
}
