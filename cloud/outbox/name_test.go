package outbox_test

import (
	"testing"
	"time"

	"github.com/lubo-edge/lubo/cloud/outbox"
)

// FuzzObjectName: any channel and suffix (channel ids come from config and
// cloud answers) give a name of safe bytes only, the same every time.
func FuzzObjectName(f *testing.F) {
	f.Add("c101", "snapshot", int64(1795000000), "_1")
	f.Add("一年级/../x", "cover", int64(-1), "\x00 ?&=")
	f.Add("", "", int64(0), "")
	f.Fuzz(func(t *testing.T, channel, kind string, unix int64, suffix string) {
		at := time.Unix(unix%(1<<40), 0)
		name := outbox.ObjectName(channel, outbox.Kind(kind), at, suffix)
		if name != outbox.ObjectName(channel, outbox.Kind(kind), at, suffix) {
			t.Fatal("not deterministic")
		}
		for i := 0; i < len(name); i++ {
			c := name[i]
			if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '.' || c == '_' || c == '-') {
				t.Fatalf("byte %q in %q", c, name)
			}
		}
	})
}
