package push

import (
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/lubo-edge/lubo/internal/redact"
)

// FuzzParseTarget feeds API input to the URL checks: no panic, a redacted
// form that is valid UTF-8 (a metric label) and, for an accepted URL, ends
// in the mask and never holds the URL itself.
func FuzzParseTarget(f *testing.F) {
	for _, s := range []string{
		"rtmp://127.0.0.1:1935/live/key", "rtmp://ingest/live/k?token=abc&x=1", "rtmp://ingest/app/a/b",
		"rtmps://ingest/live/k", "rtmp://u:p@h/live/k", "rtmp:///live/k", "rtmp://h/live", "rtmp://h/live/k#f",
		"rtmp://h/live/%zz", "rtmp://h/live/My%20Key9?token=T0k", "rtmp://h\xff/live/k", "", "//", "rtmp://[::1]:19/a/b",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		shown := Redact(raw)
		if !utf8.ValidString(shown) {
			t.Fatalf("Redact(%q) = %q: not UTF-8", raw, shown)
		}
		tg, err := parseTarget(raw)
		if err != nil {
			if !strings.Contains(err.Error(), "want rtmp://") {
				t.Fatalf("refusal %q does not say what is accepted", err)
			}
			return
		}
		if !strings.HasSuffix(tg.display, "/"+redact.Mask) {
			t.Fatalf("accepted %q shows as %q: the stream name is not masked", raw, tg.display)
		}
		if got := tg.scrub("failed: " + tg.raw); strings.Contains(got, tg.raw) {
			t.Fatalf("scrub kept the URL: %q", got)
		}
	})
}
