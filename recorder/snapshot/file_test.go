package snapshot

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestWriteFileReplacesWholeAndLeavesNoTemporaries(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "a", "b", "c101.jpg")
	for _, content := range []string{"first picture", "second"} {
		if err := writeFile(p, []byte(content)); err != nil {
			t.Fatal(err)
		}
		got, err := os.ReadFile(p)
		if err != nil || string(got) != content {
			t.Fatalf("read %q, %v; want %q", got, err, content)
		}
	}
	st, err := os.Stat(p)
	if err != nil || st.Mode().Perm() != 0o644 {
		t.Fatalf("mode %v, %v; want 0644", st.Mode(), err)
	}
	entries, _ := os.ReadDir(filepath.Dir(p))
	if len(entries) != 1 {
		t.Fatalf("folder holds %d files, want only the picture", len(entries))
	}
}

func TestWriteFileFailureLeavesNoTemporary(t *testing.T) {
	dir := t.TempDir()
	// The target is a non-empty folder: the rename fails.
	p := filepath.Join(dir, "c101.jpg")
	if err := os.MkdirAll(filepath.Join(p, "x"), 0o755); err != nil {
		t.Fatal(err)
	}
	err := writeFile(p, []byte("picture"))
	if err == nil || !strings.Contains(err.Error(), "rename") {
		t.Fatalf("err %v, want a rename failure", err)
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 {
		t.Fatalf("temporary file left behind: %v", entries)
	}
}

var channelCases = []struct {
	ch string
	ok bool
}{
	{"c101", true},
	{"room_2-a", true},
	{"", false},
	{"../etc/passwd", false},
	{"C101", false},
	{"a/b", false},
	{"a.jpg", false},
	{strings.Repeat("a", 64), true},
	{strings.Repeat("a", 65), false},
}

func TestValidChannel(t *testing.T) {
	for _, c := range channelCases {
		if got := validChannel(c.ch); got != c.ok {
			t.Errorf("validChannel(%q) = %v, want %v", c.ch, got, c.ok)
		}
	}
}

// FuzzLatest feeds URL path segments to Latest: whatever it returns lies
// inside the snapshot folder, named {ch}.jpg.
func FuzzLatest(f *testing.F) {
	for _, c := range channelCases {
		f.Add(c.ch)
	}
	dir := f.TempDir()
	s := NewSnapshotter(Options{Dir: dir, Logger: quietLogger()})
	for _, c := range channelCases {
		if c.ok {
			if err := os.WriteFile(filepath.Join(dir, c.ch+".jpg"), []byte{0xff, 0xd8, 0xff, 0xd9}, 0o644); err != nil {
				f.Fatal(err)
			}
		}
	}
	f.Fuzz(func(t *testing.T, ch string) {
		p, ok := s.Latest(ch)
		if !ok {
			if p != "" {
				t.Fatalf("Latest(%q) = %q, false", ch, p)
			}
			return
		}
		if !validChannel(ch) || p != filepath.Join(dir, ch+".jpg") {
			t.Fatalf("Latest(%q) = %q outside the rule", ch, p)
		}
	})
}

func TestCappedBuffer(t *testing.T) {
	quietCut := &cappedBuffer{max: 10}
	quietCut.Write([]byte("line one\n"))
	if n, err := quietCut.Write([]byte("\nline two is long\n")); n != 18 || err != nil {
		t.Fatalf("quiet write: %d, %v", n, err)
	}
	if got := quietCut.text(); got != "line one …" {
		t.Fatalf("text %q", got)
	}
	whole := &cappedBuffer{max: 100}
	whole.Write([]byte("[h264] a\n\n  [h264] b\n"))
	if got := whole.text(); got != "[h264] a | [h264] b" {
		t.Fatalf("text %q", got)
	}
	strict := &cappedBuffer{max: 4, fail: true}
	if _, err := strict.Write([]byte("12345")); err == nil || !strict.truncated {
		t.Fatal("write past the limit accepted")
	}
}
