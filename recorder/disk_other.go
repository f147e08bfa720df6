//go:build !linux

package recorder

import "errors"

// diskUsage is not implemented off Linux: retention then only applies
// record.max_age.
func diskUsage(string) (free, total uint64, err error) {
	return 0, 0, errors.New("free space is only measured on Linux")
}
