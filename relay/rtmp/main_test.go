package rtmp

import (
	"testing"

	"github.com/lubo-edge/lubo/internal/testkit"
)

// clips are made once per test run and shared by the tests.
var clips testkit.Clips

func TestMain(m *testing.M) { clips.RunMain(m) }

// clipPath is a 4 s FLV clip with audio (aac, pcma or pcmu), made once per run.
func clipPath(t testing.TB, audio string) string {
	t.Helper()
	return clips.Path(t, "clip-"+audio+".flv", func(path string) error {
		makeClipAt(t, path, audio)
		return nil
	})
}
