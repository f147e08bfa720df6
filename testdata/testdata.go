// Package testdata holds lubo's test media (made by make.sh) and embeds the
// demo channel's clip, which the binary plays when it has no config.
package testdata

import (
	_ "embed"
	"path/filepath"
	"runtime"
)

// Sample is sample.mp4: 640x360 H.264 + AAC, 10 s, the embedded demo channel.
//
//go:embed sample.mp4
var Sample []byte

// Path returns the absolute path of name in the testdata folder of the source
// tree (for tests: a deployed binary has no such folder), whether or not the
// file exists.
func Path(name string) string {
	_, file, _, ok := runtime.Caller(0)
	if !ok {
		// Only without caller information (never in tests); fall back to
		// a path relative to the module root.
		return filepath.Join("testdata", name)
	}
	return filepath.Join(filepath.Dir(file), name)
}
