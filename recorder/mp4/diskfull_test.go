package mp4

import (
	"errors"
	"fmt"
	"os"
	"syscall"
	"testing"
	"time"
)

// fullDisk is a .part file on a disk with room for only `room` bytes:
// a write beyond writes what fits and fails with ENOSPC, like write(2).
type fullDisk struct {
	f    *os.File
	room int64
}

func (d *fullDisk) Write(p []byte) (int, error) {
	if int64(len(p)) <= d.room {
		d.room -= int64(len(p))
		return d.f.Write(p)
	}
	n, err := d.f.Write(p[:d.room])
	d.room -= int64(n)
	if err == nil {
		err = &os.PathError{Op: "write", Path: d.f.Name(), Err: syscall.ENOSPC}
	}
	return n, err
}

func (d *fullDisk) Sync() error  { return d.f.Sync() }
func (d *fullDisk) Close() error { return d.f.Close() }

// truncatingFullDisk can also cut the file back, as *os.File can.
type truncatingFullDisk struct{ fullDisk }

func (d *truncatingFullDisk) Truncate(size int64) error { return d.f.Truncate(size) }

// TestDiskFull fills the disk at many points of a recording: the writer
// must report ENOSPC (wrapped), keep failing, and leave a .part from which
// Finalize recovers exactly the fragments written before.
func TestDiskFull(t *testing.T) {
	tracks, frames := loadClip(t, "h264_aac.mp4")
	fullPart, _ := partPaths(t, "full")
	opts := Options{FragmentMax: 500 * time.Millisecond, NoSync: true}
	full := writePart(t, fullPart, tracks, frames, opts)
	size := full.Bytes()

	for _, room := range []int64{0, 500, size / 7, size / 3, size / 2, size - 30, size - 24} {
		for _, truncates := range []bool{false, true} {
			t.Run(fmt.Sprintf("room %d truncate %v", room, truncates), func(t *testing.T) {
				part, final := partPaths(t, "lesson")
				open := func(path string) (File, error) {
					f, err := os.Create(path)
					if err != nil {
						return nil, err
					}
					if truncates {
						return &truncatingFullDisk{fullDisk{f, room}}, nil
					}
					return &fullDisk{f, room}, nil
				}
				opts := opts
				opts.OpenFile = open
				w, err := Create(part, tracks, opts)
				if err != nil {
					if !errors.Is(err, syscall.ENOSPC) {
						t.Fatalf("Create: %v, want ENOSPC", err)
					}
					if _, err := Finalize(part, final); !errors.Is(err, ErrEmpty) {
						t.Errorf("Finalize after a failed Create: %v, want ErrEmpty", err)
					}
					return
				}
				var writeErr error
				synced := 0 // frames in the fragments written before the failure
				for _, f := range frames {
					before := w.Frames()
					fragments := w.Fragments()
					if writeErr = w.WriteFrame(f); writeErr != nil {
						break
					}
					if w.Fragments() > fragments {
						synced = int(before)
					}
				}
				fragments := w.Fragments()
				closeErr := w.Close()
				if w.Fragments() > fragments {
					synced = int(w.Frames()) // Close wrote the last fragment
				}
				failed := writeErr
				if failed == nil {
					failed = closeErr
				}
				if failed == nil {
					t.Fatalf("no error with room for %d of %d bytes", room, size)
				}
				if !errors.Is(failed, syscall.ENOSPC) {
					t.Fatalf("error %v does not say ENOSPC", failed)
				}
				if writeErr != nil {
					if again := w.WriteFrame(frames[len(frames)-1]); !errors.Is(again, syscall.ENOSPC) {
						t.Errorf("WriteFrame after the failure: %v, want the sticky ENOSPC", again)
					}
					if !errors.Is(closeErr, syscall.ENOSPC) {
						t.Errorf("Close after the failure: %v", closeErr)
					}
				}

				info, err := Finalize(part, final)
				if synced == 0 {
					if !errors.Is(err, ErrEmpty) {
						t.Errorf("Finalize: %v, want ErrEmpty", err)
					}
					return
				}
				if err != nil {
					t.Fatal(err)
				}
				if info.Frames != synced || !info.Truncated || info.Fragments != int(w.Fragments()) {
					t.Errorf("recovered %d frames in %d fragments (truncated %v), %d in %d were written",
						info.Frames, info.Fragments, info.Truncated, synced, w.Fragments())
				}
				if e := decodeErrors(t, final); e != "" {
					t.Errorf("ffmpeg: %s", e)
				}
			})
		}
	}
}

// failingSync is a file whose fdatasync fails after a few, as on a dying disk.
type failingSync struct {
	*os.File
	ok int // syncs that succeed
}

func (f *failingSync) Sync() error {
	if f.ok > 0 {
		f.ok--
		return nil
	}
	return &os.PathError{Op: "fdatasync", Path: f.Name(), Err: syscall.EIO}
}

// TestSyncFails checks that a failed fdatasync stops the writer: the
// kernel may have dropped the data, so nothing after it can be trusted.
func TestSyncFails(t *testing.T) {
	tracks, frames := loadClip(t, "h264_aac.mp4")
	for _, ok := range []int{0, 3} {
		part, _ := partPaths(t, "lesson")
		w, err := Create(part, tracks, Options{OpenFile: func(path string) (File, error) {
			f, err := os.Create(path)
			return &failingSync{f, ok}, err
		}})
		if ok == 0 {
			if !errors.Is(err, syscall.EIO) {
				t.Errorf("Create with a failing sync: %v, want EIO", err)
			}
			continue
		}
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range frames {
			if err = w.WriteFrame(f); err != nil {
				break
			}
		}
		if !errors.Is(err, syscall.EIO) || w.Fragments() != int64(ok-1) {
			t.Errorf("after %d good syncs: %v with %d fragments, want EIO after %d", ok, err, w.Fragments(), ok-1)
		}
		if err := w.WriteFrame(frames[0]); !errors.Is(err, syscall.EIO) {
			t.Errorf("WriteFrame after the failure: %v", err)
		}
		if err := w.Close(); !errors.Is(err, syscall.EIO) {
			t.Errorf("Close after the failure: %v", err)
		}
	}
}
