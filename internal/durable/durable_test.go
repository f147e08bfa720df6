package durable

import (
	"os"
	"path/filepath"
	"testing"
)

// WriteFile replaces a file whole with the mode asked for, even over a
// temporary file a crash left with a wider one, and leaves no temporary.
func TestWriteFile(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "token")
	if err := os.WriteFile(path, []byte("old"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path+TempSuffix, []byte("left by a crash, longer"), 0o666); err != nil {
		t.Fatal(err)
	}
	if err := WriteFile(path, []byte("new"), 0o600); err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile(path)
	if err != nil || string(got) != "new" {
		t.Fatalf("read %q, %v", got, err)
	}
	if st, _ := os.Stat(path); st.Mode().Perm() != 0o600 {
		t.Fatalf("mode %v, want 0600", st.Mode().Perm())
	}
	if _, err := os.Stat(path + TempSuffix); !os.IsNotExist(err) {
		t.Fatalf("the temporary file is left: %v", err)
	}
	if err := WriteFile(filepath.Join(dir, "no", "such", "folder"), nil, 0o600); err == nil {
		t.Fatal("no error for a missing folder")
	}
}
