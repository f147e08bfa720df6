//go:build unix

package rtsp

import "syscall"

const canReadNow = true

// readNow reads what fd (non-blocking, as Go's network descriptors are) has
// queued; 0 when nothing is.
func readNow(fd uintptr, b []byte) int {
	n, err := syscall.Read(int(fd), b)
	if err != nil {
		return 0
	}
	return n
}
