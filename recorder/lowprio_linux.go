package recorder

import (
	"runtime"
	"syscall"
)

// lowPriority gives the calling goroutine a thread of its own with the
// lowest CPU priority (nice 19) and idle I/O priority, so background work
// (recovering a power cut's files) never slows the recording. The thread
// stays locked: when the goroutine ends it ends with it, and the priority
// never reaches other goroutines. Failures are ignored: the work is done
// at normal priority then.
func lowPriority() {
	runtime.LockOSThread()
	tid := syscall.Gettid()
	_ = syscall.Setpriority(syscall.PRIO_PROCESS, tid, 19)
	const (
		ioprioWhoProcess = 1
		ioprioClassIdle  = 3
		ioprioClassShift = 13
	)
	_, _, _ = syscall.Syscall(syscall.SYS_IOPRIO_SET, ioprioWhoProcess, uintptr(tid), ioprioClassIdle<<ioprioClassShift)
}
