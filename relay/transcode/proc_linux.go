package transcode

import "syscall"

// setParentDeathSignal makes the kernel kill the encoder if lubo dies
// without stopping it (kill -9, a crash), so no orphan keeps encoding.
func setParentDeathSignal(a *syscall.SysProcAttr) { a.Pdeathsig = syscall.SIGKILL }
