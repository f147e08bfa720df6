package recorder

import (
	"fmt"
	"syscall"
)

// diskUsage reports the bytes an unprivileged writer may still use on the
// disk holding path, and the disk's size.
func diskUsage(path string) (free, total uint64, err error) {
	var st syscall.Statfs_t
	if err := syscall.Statfs(path, &st); err != nil {
		return 0, 0, fmt.Errorf("statfs %s: %w", path, err)
	}
	bs := uint64(st.Bsize)
	return st.Bavail * bs, st.Blocks * bs, nil
}
