//go:build !linux

package recorder

// lowPriority is a no-op off Linux.
func lowPriority() {}
