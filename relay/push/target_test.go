package push

import (
	"errors"
	"fmt"
	"strings"
	"testing"
)

func TestRedact(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"rtmp://ingest.example:1935/live/abc123", "rtmp://ingest.example:1935/live/******"},
		{"rtmp://ingest/live/abc123?token=x&sign=y", "rtmp://ingest/live/******"},
		{"rtmp://ingest/live?key=abc", "rtmp://ingest/******"},
		{"rtmp://ingest/k3y", "rtmp://ingest/******"},
		{"rtmp://ingest/live/", "rtmp://ingest/live"},
		{"rtmp://ingest/app/sub/stream", "rtmp://ingest/app/******"},
		{"rtmp://user:p@ss/w?d@ingest/live/k", "rtmp://******@ingest/live/******"},
		{"rtmp://ingest", "rtmp://ingest"},
		{"rtmp://ingest?x=1", "rtmp://ingest/******"},
		{"rtmp://ingest/", "rtmp://ingest"},
		{"  rtmp://h/live/k  ", "rtmp://h/live/******"},
		{"ingest/live/k", "******"},
		{"", ""},
		{"rtmp://h/live/\xff\xfe", "rtmp://h/live/******"},
		{"rtmp://h\xff/live/k", "rtmp://h\uFFFD/live/******"},
	} {
		if got := Redact(c.in); got != c.want {
			t.Errorf("Redact(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

func TestParseTarget(t *testing.T) {
	ok := []string{
		"rtmp://127.0.0.1:1935/live/key",
		"rtmp://ingest.example/live/key?token=abc",
		"RTMP://ingest/app/a/b",
	}
	for _, raw := range ok {
		if _, err := parseTarget(raw); err != nil {
			t.Errorf("parseTarget(%q): %v", raw, err)
		}
	}
	const key = "S3cr3tKey"
	bad := []struct{ raw, reason string }{
		{"", "empty"},
		{"rtmps://ingest/live/" + key, "rtmps"},
		{"http://ingest/live/" + key, `scheme "http"`},
		{"rtmp://u:" + key + "@ingest/live/x", "userinfo"},
		{"rtmp:///live/" + key, "no host"},
		{"rtmp://ingest/live", "no /app/stream"},
		{"rtmp://ingest/" + key, "no /app/stream"},
		{"rtmp://ingest/live/" + key + "#frag", "fragment"},
		{"rtmp://ingest/live/" + strings.Repeat("k", maxURLLen), "longer than"},
		{"rtmp://ingest/live/%zz" + key, "not a URL"},
	}
	for _, c := range bad {
		_, err := parseTarget(c.raw)
		var ue *URLError
		if !errors.As(err, &ue) {
			t.Errorf("parseTarget(%q) = %v, want a *URLError", c.raw, err)
			continue
		}
		if !strings.Contains(err.Error(), c.reason) || !strings.Contains(err.Error(), "want rtmp://host[:port]/app/stream") {
			t.Errorf("parseTarget(%q): %q, want it to say %q and what is accepted", c.raw, err, c.reason)
		}
		if strings.Contains(err.Error(), key) {
			t.Errorf("parseTarget(%q): error shows the key: %q", c.raw, err)
		}
	}
}

// TestScrub checks errors that quote the URL, the bare stream name or the
// query lose them, and that a target formats as its redacted form.
func TestScrub(t *testing.T) {
	tg, err := parseTarget("rtmp://ingest:1935/live/My%20Key9?token=T0k&x=1")
	if err != nil {
		t.Fatal(err)
	}
	for _, msg := range []string{
		`dial rtmp://ingest:1935/live/My%20Key9?token=T0k&x=1: refused`,
		`publish "My%20Key9?token=T0k&x=1" rejected`,
		`stream My Key9 is already publishing`,
		`bad name My%20Key9`,
		`query token=T0k&x=1`,
	} {
		got := tg.scrub(msg)
		for _, secret := range []string{"Key9", "T0k"} {
			if strings.Contains(got, secret) {
				t.Errorf("scrub(%q) = %q, still shows %q", msg, got, secret)
			}
		}
	}
	for _, verb := range []string{"%v", "%+v", "%#v", "%s"} {
		if got := fmt.Sprintf(verb, tg); strings.Contains(got, "Key9") || strings.Contains(got, "T0k") {
			t.Errorf("Sprintf(%q, target) = %q", verb, got)
		}
	}
}
