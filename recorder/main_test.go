package recorder

import (
	"flag"
	"os"
	"testing"
)

// TestMain lets more of the tests that wait in real time (a lesson, a
// camera restart) run at once than the default -parallel, GOMAXPROCS:
// they mostly sleep on the clock, and on a 2-core box the package would
// otherwise take minutes. An explicit -test.parallel is kept.
func TestMain(m *testing.M) {
	flag.Parse()
	explicit := false
	flag.Visit(func(f *flag.Flag) { explicit = explicit || f.Name == "test.parallel" })
	if !explicit {
		_ = flag.Set("test.parallel", "4")
	}
	os.Exit(m.Run())
}
