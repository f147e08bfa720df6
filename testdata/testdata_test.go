package testdata

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
)

func TestPathIsThisFolder(t *testing.T) {
	p := Path("make.sh")
	if !filepath.IsAbs(p) {
		t.Fatalf("Path = %q, want an absolute path", p)
	}
	if _, err := os.Stat(p); err != nil {
		t.Fatalf("Path(make.sh): %v", err)
	}
}

func TestSampleIsTheFile(t *testing.T) {
	b, err := os.ReadFile(Path("sample.mp4"))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(b, Sample) {
		t.Fatal("embedded Sample differs from sample.mp4")
	}
	if len(Sample) < 8 || string(Sample[4:8]) != "ftyp" {
		t.Fatalf("Sample does not start with an ftyp box: % x", Sample[:min(8, len(Sample))])
	}
}
