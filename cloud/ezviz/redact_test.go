package ezviz

import (
	"strings"
	"testing"
)

var redactCases = []struct{ in, want string }{
	{
		"rtmp://rtmp01open.ys7.com:1935/v3/openlive/203751922_1_2?expire=1605275593&id=247116619786670080&t=60ac6e4fd97e71e3e2fc&ev=100",
		"rtmp://rtmp01open.ys7.com:1935/v3/openlive/203751922_1_2?expire=1605275593&id=******&t=******&ev=100",
	},
	{
		"rtmp://h/v3/openpb/x?begin=20201116110105&end=20201116110223&rec=local&t=abc",
		"rtmp://h/v3/openpb/x?begin=20201116110105&end=20201116110223&rec=local&t=******",
	},
	{"rtsp://admin:pw@10.0.0.1/live?accessToken=at.123", "rtsp://admin:******@10.0.0.1/live?accessToken=******"},
	{"http://h/x?at.secret", "http://h/x?******"},
	{"http://h/x#tok", "http://h/x#******"},
	{"http://h/x?%zz=1&T=2", "http://h/x?******&T=******"},
	{"not a url", "******"},
	{"rtmp:opaque?t=1", "******"},
	{"", "******"},
}

func TestRedact(t *testing.T) {
	for _, tc := range redactCases {
		if got := Redact(tc.in); got != tc.want {
			t.Errorf("Redact(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func FuzzRedact(f *testing.F) {
	for _, tc := range redactCases {
		f.Add(tc.in, "secretvalue")
	}
	f.Fuzz(func(t *testing.T, prefix, secret string) {
		if len(secret) < 6 || strings.Contains(redacted, secret) || strings.ContainsAny(secret, "&#=%?/:@;+ ") || strings.Contains("rtmp://h/v3/live?"+prefix, secret) {
			return
		}
		in := "rtmp://h/v3/live?" + prefix + "&t=" + secret
		if out := Redact(in); strings.Contains(out, secret) {
			t.Fatalf("Redact(%q) = %q keeps the signature", in, out)
		}
	})
}
