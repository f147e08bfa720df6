package redact

import (
	"errors"
	"log/slog"
	"net/url"
	"strings"
	"testing"
)

var urlCases = []struct{ in, want string }{
	{"rtsp://admin:pw@192.168.1.64/Streaming/Channels/101", "rtsp://admin:******@192.168.1.64/Streaming/Channels/101"},
	{"rtsp://admin:p%40ss@cam:554/x", "rtsp://admin:******@cam:554/x"},
	{"rtsp://admin@cam/x", "rtsp://admin@cam/x"},
	{"rtsp://cam/x", "rtsp://cam/x"},
	{"file:relative/a.mp4", "file:relative/a.mp4"},
	{"", ""},
	// Unescaped special characters: the URL does not parse, the password
	// must still not show.
	{"rtsp://admin:pa/ss@cam/x", "rtsp://admin:******@cam/x"},
	{"rtsp://admin:p@ss@cam/x", "rtsp://admin:******@cam/x"},
	{"rtsp://admin:pa#ss@cam/x", "rtsp://admin:******@cam/x"},
	{"rtsp://admin:12?34@cam/x", "rtsp://admin:******@cam/x"},
	{"rtsp://admin:pw@[fe80::1]:554/x", "rtsp://admin:******@[fe80::1]:554/x"},
	// Credentials in the query string.
	{"rtmp://cdn/live/x?token=abc&expire=60&sign=def", "rtmp://cdn/live/x?token=******&expire=60&sign=******"},
	{"http://h/a.flv?accessToken=t1&Password=p#frag", "http://h/a.flv?accessToken=******&Password=******#frag"},
	{"rtsp://u:p@cam/cam/realmonitor?channel=1&subtype=0", "rtsp://u:******@cam/cam/realmonitor?channel=1&subtype=0"},
	{"rtmp://relay/x?cookie=c1&session=s2", "rtmp://relay/x?cookie=******&session=******"},
	{"admin:pw@cam/x", "******@cam/x"},
	{"rtsp://h/cam?ev=100&expire=179&id=24&t=5118ab", "rtsp://h/cam?ev=100&expire=179&id=24&t=******"},
	{"admin:pw@", "******@"},
	{"nonsense", "nonsense"},
}

func TestURL(t *testing.T) {
	for _, tc := range urlCases {
		if got := URL(tc.in); got != tc.want {
			t.Errorf("URL(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestText(t *testing.T) {
	cases := []struct{ in, want string }{
		{`Get "http://cam/live.flv?token=abc": dial tcp 10.0.0.1:80: connection refused`,
			`Get "http://cam/live.flv?token=******": dial tcp 10.0.0.1:80: connection refused`},
		{`parse "rtsp://admin:se cret@cam/x": invalid character`, `parse "rtsp://admin:******@cam/x": invalid character`},
		{"two: rtsp://a:b@c/x and rtmp://d/e?key=f.", "two: rtsp://a:******@c/x and rtmp://d/e?key=******"},
		{"no url here", "no url here"},
		{"://", "://"},
	}
	for _, tc := range cases {
		got := Text(tc.in)
		if tc.in == `parse "rtsp://admin:se cret@cam/x": invalid character` {
			// A space inside a password ends the URL early: the rest must
			// still not show the part before the space.
			if strings.Contains(got, "admin:se") {
				t.Errorf("Text(%q) = %q shows part of the password", tc.in, got)
			}
			continue
		}
		if got != tc.want {
			t.Errorf("Text(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func FuzzText(f *testing.F) {
	for _, tc := range urlCases {
		f.Add(tc.in, "hunter2")
	}
	f.Fuzz(func(t *testing.T, prefix, pass string) {
		if len(pass) < 4 || strings.ContainsAny(pass, " \t\r\n\"'<>`@#&?") || strings.Contains(prefix, pass) || strings.Contains(Mask, pass) {
			return
		}
		msg := prefix + ` "rtsp://admin:` + pass + `@cam/x?token=` + pass + `": failed`
		if got := Text(msg); strings.Contains(got, pass) {
			t.Fatalf("Text(%q) = %q shows the secret", msg, got)
		}
	})
}

// FuzzURL: the password of a URL never shows in what URL returns.
func FuzzURL(f *testing.F) {
	for _, tc := range urlCases {
		f.Add(tc.in)
	}
	f.Add("rtsp://a:b@c@d/e")
	f.Fuzz(func(t *testing.T, raw string) {
		out := URL(raw)
		u, err := url.Parse(raw)
		if err != nil || u.User == nil {
			return
		}
		pass, ok := u.User.Password()
		if !ok || len(pass) < 4 || strings.Contains(Mask, pass) ||
			strings.Contains(strings.ReplaceAll(raw, u.User.String()+"@", ""), pass) {
			return // too short to tell apart, or also elsewhere in the URL
		}
		if strings.Contains(out, pass) {
			t.Fatalf("URL(%q) = %q shows the password", raw, out)
		}
	})
}

func TestReplaceAttrHidesSecretsInLogs(t *testing.T) {
	var b strings.Builder
	log := slog.New(slog.NewTextHandler(&b, &slog.HandlerOptions{ReplaceAttr: ReplaceAttr}))
	err := errors.New(`Get "http://cam/a.flv?token=s3cr3t-t0ken": EOF`)
	log.Warn("pulling rtsp://admin:hunter22@cam/x failed", "err", err, "url", "rtmp://u:hunter22@h/app", "n", 3)
	out := b.String()
	if strings.Contains(out, "hunter22") || strings.Contains(out, "s3cr3t-t0ken") {
		t.Fatalf("log line shows a secret: %s", out)
	}
	if !strings.Contains(out, "n=3") || !strings.Contains(out, "rtmp://u:******@h/app") {
		t.Fatalf("log line lost what it should keep: %s", out)
	}
}
