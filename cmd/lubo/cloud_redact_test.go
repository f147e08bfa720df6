package main

import (
	"net/url"
	"strings"
	"testing"
	"time"
	"unicode/utf8"
)

// maskCases feed both TestMaskAddress and FuzzMaskAddress's seeds.
var maskCases = []struct {
	in, want string
	secrets  []string // what must not survive
}{
	{"rtmp://rtmp01open.ys7.com:1935/v3/openlive/D123_1_1?expire=1700000000&id=abc123&t=9f8e7d6c&ev=100",
		"rtmp://rtmp01open.ys7.com:1935/v3/openlive/D123_1_1?expire=1700000000&id=******&t=******&ev=100", []string{"abc123", "9f8e7d6c"}},
	{"https://relay.example:443/sdk/f4e6/relayservice?sessionid=c4de5b38&type=nvr&resolution=HD&channel=2",
		"https://relay.example:443/sdk/f4e6/relayservice?sessionid=******&type=nvr&resolution=HD&channel=2", []string{"c4de5b38"}},
	{"http://10.0.0.1/live/live_1_2/index.m3u8?bare-token-xyz",
		"http://10.0.0.1/live/live_1_2/index.m3u8?******", []string{"bare-token-xyz"}},
	{"rtsp://admin:pa55word@10.0.0.2/Streaming/Channels/101#frag-secret",
		"rtsp://admin:******@10.0.0.2/Streaming/Channels/101#******", []string{"pa55word", "frag-secret"}},
	{"rtmp://host/app/stream", "rtmp://host/app/stream", nil},
	{"not a url with a token-1", "******", []string{"token-1"}},
	{"mailto:someone@example.com", "******", []string{"someone"}},
	{"https://h/p?%zz=leak-1&type=video", "https://h/p?******&type=video", []string{"leak-1"}},
	{"https://h/p?TYPE=video&Token=tk-2", "https://h/p?TYPE=video&Token=******", []string{"tk-2"}},
	{"", "******", nil},
}

func TestMaskAddress(t *testing.T) {
	for _, c := range maskCases {
		got := maskAddress(c.in)
		if got != c.want {
			t.Errorf("maskAddress(%q) = %q, want %q", c.in, got, c.want)
		}
		for _, s := range c.secrets {
			if strings.Contains(got, s) {
				t.Errorf("maskAddress(%q) kept %q", c.in, s)
			}
		}
	}
}

// FuzzMaskAddress: whatever a cloud sends as an address, masking does not
// panic, and no query value outside the harmless keys, no password and no
// fragment survives it.
func FuzzMaskAddress(f *testing.F) {
	for _, c := range maskCases {
		f.Add(c.in)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		got := maskAddress(raw)
		if got == "******" {
			return
		}
		u, err := url.Parse(got)
		if err != nil {
			t.Fatalf("maskAddress(%q) = %q, which does not parse: %v", raw, got, err)
		}
		if p, ok := u.User.Password(); ok && p != "******" {
			t.Fatalf("maskAddress(%q) = %q keeps the password", raw, got)
		}
		if u.Fragment != "" && u.Fragment != "******" {
			t.Fatalf("maskAddress(%q) = %q keeps the fragment", raw, got)
		}
		for _, part := range strings.Split(u.RawQuery, "&") {
			if part == "" || part == "******" {
				continue
			}
			k, v, _ := strings.Cut(part, "=")
			name, err := url.QueryUnescape(k)
			if err != nil {
				t.Fatalf("maskAddress(%q) = %q keeps an unreadable key %q", raw, got, k)
			}
			if v != "******" && !harmlessQuery[strings.ToLower(name)] {
				t.Fatalf("maskAddress(%q) = %q keeps the value of %q", raw, got, name)
			}
		}
	})
}

var timeCases = []struct {
	in   string
	want time.Time
	ok   bool
}{
	{"2026-11-27 08:00:00", time.Date(2026, 11, 27, 0, 0, 0, 0, time.UTC), true},
	{"2026-11-27T08:00:00", time.Date(2026, 11, 27, 0, 0, 0, 0, time.UTC), true},
	{"2026-11-27T08:00:00Z", time.Date(2026, 11, 27, 8, 0, 0, 0, time.UTC), true},
	{"2026-11-27T08:00:00+09:00", time.Date(2026, 11, 26, 23, 0, 0, 0, time.UTC), true},
	{"2026-11-27", time.Time{}, false},
	{"8 o'clock", time.Time{}, false},
	{"", time.Time{}, false},
}

func TestParseCloudTime(t *testing.T) {
	shanghai := time.FixedZone("CST", 8*3600)
	for _, c := range timeCases {
		got, err := parseCloudTime("start", c.in, shanghai)
		if (err == nil) != c.ok || (c.ok && !got.Equal(c.want)) {
			t.Errorf("parseCloudTime(%q) = %s, %v; want %s ok=%v", c.in, got, err, c.want, c.ok)
		}
		if err != nil {
			if _, usage := err.(*usageError); !usage {
				t.Errorf("parseCloudTime(%q): %T is not a usage error", c.in, err)
			}
		}
	}
}

func TestParseNamed(t *testing.T) {
	for in, want := range map[string]int{"up": 0, "LEFT": 2, " zoom-in ": 8, "zoomin": 8, "11": 11, "0": 0} {
		if got, err := parseNamed("direction", in, ezvizDirections); err != nil || got != want {
			t.Errorf("parseNamed(%q) = %d, %v; want %d", in, got, err, want)
		}
	}
	for _, in := range []string{"", "12", "-1", "sideways", "1.5"} {
		if _, err := parseNamed("direction", in, ezvizDirections); err == nil {
			t.Errorf("parseNamed(%q) accepted", in)
		}
	}
}

// FuzzCloudFlags: whatever an installer types, the flag readers neither
// panic nor accept what they then cannot name.
func FuzzCloudFlags(f *testing.F) {
	for _, c := range timeCases {
		f.Add(c.in)
	}
	for _, d := range ezvizDirections {
		f.Add(d)
	}
	f.Add("9")
	f.Fuzz(func(t *testing.T, s string) {
		if got, err := parseCloudTime("start", s, time.UTC); err == nil && got.IsZero() && strings.TrimSpace(s) != "" && !strings.HasPrefix(strings.TrimSpace(s), "0001-01-01") {
			t.Fatalf("parseCloudTime(%q) accepted a zero time", s)
		}
		if n, err := parseNamed("direction", s, ezvizDirections); err == nil && (n < 0 || n >= len(ezvizDirections)) {
			t.Fatalf("parseNamed(%q) = %d, out of range", s, n)
		} else if err != nil && utf8.ValidString(s) && !strings.Contains(err.Error(), "want one of") {
			t.Fatalf("parseNamed(%q): %v names no accepted value", s, err)
		}
	})
}
