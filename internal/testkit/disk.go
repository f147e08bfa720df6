package testkit

import (
	"bytes"
	"errors"
)

// ErrDisk is the failure of a Disk past its FailAfter.
var ErrDisk = errors.New("test disk failed")

// Disk is an in-memory file for tests of writers that must survive a
// failing disk: it keeps what is written and the size of every Write, and
// FailAfter > 0 makes the Write that would pass that many bytes write what
// fits and fail with ErrDisk.
type Disk struct {
	bytes.Buffer
	Writes    []int
	FailAfter int
}

func (d *Disk) Write(p []byte) (int, error) {
	d.Writes = append(d.Writes, len(p))
	if d.FailAfter > 0 && d.Len()+len(p) > d.FailAfter {
		n := d.FailAfter - d.Len()
		d.Buffer.Write(p[:n])
		return n, ErrDisk
	}
	return d.Buffer.Write(p)
}

// Sync does nothing: the bytes are already where they go.
func (d *Disk) Sync() error { return nil }

// Close does nothing.
func (d *Disk) Close() error { return nil }
