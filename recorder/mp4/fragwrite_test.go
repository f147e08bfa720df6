package mp4

import (
	"bytes"
	"errors"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/lubo-edge/lubo/internal/bmff"
	"github.com/lubo-edge/lubo/internal/testkit"
	"github.com/lubo-edge/lubo/media"
)

// heavyClip is the committed test clip with every picture made about 80 KB
// bigger by a filler NAL unit (type 12, legal anywhere in an access unit):
// the fragment sizes of a high-rate camera, from a clip CI always has.
func heavyClip(t *testing.T) (*media.Tracks, []*media.Frame) {
	t.Helper()
	tracks, frames := loadClip(t, "h264_aac.mp4")
	filler := append([]byte{0, 0, 0, 1, 12}, bytes.Repeat([]byte{0xff}, 80<<10)...)
	filler = append(filler, 0x80) // rbsp trailing bits
	for _, f := range frames {
		if f.IsVideo() {
			f.Data = append(slices.Clip(f.Data), filler...)
		}
	}
	return tracks, frames
}

// TestWriterKeepsNoCopy records a high-rate clip: the frames' data,
// shared with every other reader of the stream, is left untouched, and
// what the writer holds of its own stays far below one fragment (it used
// to hold the fragment's payload twice, 1-2 MB at this rate).
func TestWriterKeepsNoCopy(t *testing.T) {
	tracks, frames := heavyClip(t)
	orig := make([][]byte, len(frames))
	for i, f := range frames {
		orig[i] = slices.Clone(f.Data)
	}
	f := &testkit.Disk{}
	w, err := Create(filepath.Join(t.TempDir(), "x.mp4.part"), tracks, Options{
		NoSync: true, OpenFile: func(string) (File, error) { return f, nil }})
	if err != nil {
		t.Fatal(err)
	}
	biggest := 0 // the largest fragment's payload
	for _, fr := range frames {
		before := w.Bytes()
		if err := w.WriteFrame(fr); err != nil {
			t.Fatal(err)
		}
		if d := int(w.Bytes() - before); d > biggest {
			biggest = d
		}
		if held := w.ownBytes(); held > 32<<10 {
			t.Fatalf("the writer holds %d bytes of its own", held)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	if biggest < 4*bmff.ChunkSize {
		t.Fatalf("largest fragment %d bytes: the clip is not heavy enough", biggest)
	}
	for i, fr := range frames {
		if !bytes.Equal(fr.Data, orig[i]) {
			t.Fatalf("frame %d's data was modified", i)
		}
	}
	if int64(f.Len()) != w.Bytes() {
		t.Errorf("file %d bytes, Bytes() %d", f.Len(), w.Bytes())
	}
	// A fragment is a few large writes, not one per NAL unit.
	if fr := w.Fragments(); int64(len(f.Writes)) > fr*(int64(biggest/bmff.ChunkSize)+1)+2 {
		t.Errorf("%d writes for %d fragments", len(f.Writes), fr)
	}
}

// TestWriterFailsInsideAFragment: a disk that fails part way through a
// fragment's writes leaves the file cut back to the fragments before it.
func TestWriterFailsInsideAFragment(t *testing.T) {
	tracks, frames := heavyClip(t)
	full := &testkit.Disk{}
	writeAll := func(f File) (*Writer, error) {
		w, err := Create("x.mp4.part", tracks, Options{NoSync: true, FragmentMax: 500 * time.Millisecond,
			OpenFile: func(string) (File, error) { return f, nil }})
		if err != nil {
			return nil, err
		}
		for _, fr := range frames {
			if err := w.WriteFrame(fr); err != nil {
				return w, err
			}
		}
		return w, w.Close()
	}
	if _, err := writeAll(full); err != nil {
		t.Fatal(err)
	}
	for _, at := range []int{full.Len() / 3, full.Len()/3 + bmff.ChunkSize + 1, full.Len() / 2} {
		f := &truncatingRecorder{Disk: testkit.Disk{FailAfter: at}}
		w, err := writeAll(f)
		if !errors.Is(err, testkit.ErrDisk) {
			t.Fatalf("fail at %d: %v", at, err)
		}
		if int64(f.Len()) != w.Bytes() || !bytes.Equal(f.Bytes(), full.Bytes()[:f.Len()]) {
			t.Errorf("fail at %d: file %d bytes, Bytes() %d", at, f.Len(), w.Bytes())
		}
		if err2 := w.WriteFrame(frames[len(frames)-1]); !errors.Is(err2, testkit.ErrDisk) {
			t.Errorf("fail at %d: the error is not sticky: %v", at, err2)
		}
	}
}

// truncatingRecorder can cut its content back, as *os.File can.
type truncatingRecorder struct{ testkit.Disk }

func (f *truncatingRecorder) Truncate(size int64) error {
	f.Buffer.Truncate(int(size))
	return nil
}

// A camera whose clock stands still and sends no keyframe after the first
// still gets its fragments cut, by size: the writer never holds more than
// maxFragmentBytes of frames.
func TestWriterCutsAFragmentBySize(t *testing.T) {
	tracks, frames := loadClip(t, "h264_aac.mp4")
	key := slices.IndexFunc(frames, func(f *media.Frame) bool { return f.IsVideo() && f.Key })
	w, err := Create(filepath.Join(t.TempDir(), "x.mp4.part"), tracks, Options{
		NoSync: true, OpenFile: func(string) (File, error) { return &testkit.Disk{}, nil }})
	if err != nil {
		t.Fatal(err)
	}
	if err := w.WriteFrame(frames[key]); err != nil {
		t.Fatal(err)
	}
	big := bytes.Repeat([]byte{0, 0, 0, 1, 0x41, 0x9a}, 1<<20/6) // one P slice of 1 MB, shared
	for i := range 3 * maxFragmentBytes >> 20 {
		f := &media.Frame{Codec: media.H264, DTS: frames[key].DTS, PTS: frames[key].PTS, Data: big}
		if err := w.WriteFrame(f); err != nil {
			t.Fatalf("frame %d: %v", i, err)
		}
	}
	if n := w.Fragments(); n < 2 {
		t.Fatalf("%d fragments written for %d MB of frames at one time", n, 3*maxFragmentBytes>>20)
	}
	w.Close()
}
