// Package testmedia gives tests the project's media files. It lives apart
// from package testdata so the binary, which embeds the demo clip, does not
// link package testing.
package testmedia

import (
	"os"
	"testing"

	"github.com/lubo-edge/lubo/testdata"
)

// Require returns the absolute path of the testdata file name, or fails the
// test with the command that makes it. A missing fixture is a failure, never
// a skip.
func Require(t testing.TB, name string) string {
	t.Helper()
	p := testdata.Path(name)
	problem := ""
	switch st, err := os.Stat(p); {
	case err != nil:
		problem = err.Error()
	case st.Size() == 0:
		problem = p + " is empty"
	default:
		return p
	}
	arg := ""
	if name == "h264_1080p.mp4" {
		arg = " bench"
	}
	t.Fatalf("test media %s is missing (%s); make it with: %s%s",
		name, problem, testdata.Path("make.sh"), arg)
	return p
}
