package testmedia

import (
	"fmt"
	"strings"
	"testing"
)

// fatalRecorder stands in for a test so Require's failure can be observed.
type fatalRecorder struct {
	testing.TB
	msg string
}

func (r *fatalRecorder) Helper() {}

func (r *fatalRecorder) Fatalf(format string, args ...any) {
	r.msg = fmt.Sprintf(format, args...)
}

func TestRequireFound(t *testing.T) {
	r := &fatalRecorder{TB: t}
	p := Require(r, "h264_aac.mp4")
	if r.msg != "" {
		t.Fatalf("Require failed on a present file: %s", r.msg)
	}
	if !strings.HasSuffix(p, "/testdata/h264_aac.mp4") {
		t.Fatalf("path = %q", p)
	}
}

func TestRequireMissingNamesTheCommand(t *testing.T) {
	r := &fatalRecorder{TB: t}
	Require(r, "no-such-file.mp4")
	if !strings.Contains(r.msg, "make.sh") || !strings.Contains(r.msg, "no-such-file.mp4") {
		t.Fatalf("failure message %q does not name the file and make.sh", r.msg)
	}
}
