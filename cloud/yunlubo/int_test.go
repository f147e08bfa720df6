package yunlubo

import (
	"encoding/json"
	"testing"
)

// intCases feed TestIntUnmarshal and the seeds of FuzzInt.
var intCases = []struct {
	in   string
	want Int
	ok   bool
}{
	{`12`, 12, true},
	{`"12"`, 12, true},
	{`" 12 "`, 12, true},
	{`""`, 0, true},
	{`null`, 0, true},
	{`-3`, -3, true},
	{`"-3"`, -3, true},
	{`12.0`, 12, true},
	{`1e3`, 1000, true},
	{`"6598647"`, 6598647, true},
	{`9223372036854775807`, 9223372036854775807, true},
	{`12.5`, 0, false},
	{`"12.5"`, 0, false},
	{`"abc"`, 0, false},
	{`true`, 0, false},
	{`{}`, 0, false},
	{`[]`, 0, false},
	{`"`, 0, false},
	{`1e400`, 0, false},
	{`9223372036854775808`, 0, false},
	{`"NaN"`, 0, false},
	{`"Inf"`, 0, false},
}

func TestIntUnmarshal(t *testing.T) {
	for _, tc := range intCases {
		var n Int
		err := json.Unmarshal([]byte(tc.in), &n)
		if (err == nil) != tc.ok {
			t.Errorf("%s: err %v, want ok=%v", tc.in, err, tc.ok)
			continue
		}
		if tc.ok && n != tc.want {
			t.Errorf("%s: got %d want %d", tc.in, n, tc.want)
		}
	}
	b, _ := json.Marshal(struct{ N Int }{42})
	if string(b) != `{"N":42}` {
		t.Errorf("marshal: %s", b)
	}
}

func TestMatchMAC(t *testing.T) {
	cases := []struct {
		a, b string
		want bool
	}{
		{"AA:BB:CC:DD:EE:FF", "aabbccddeeff", true},
		{"aa-bb-cc-dd-ee-ff", "AABB.CCDD.EEFF", true},
		{"AA:BB:CC:DD:EE:FF", "AA:BB:CC:DD:EE:F0", false},
		{"", "", false},
		{"::", "--", false},
		{"aabbccddeeff", "aabbccddeeff00", false},
	}
	for _, tc := range cases {
		if got := MatchMAC(tc.a, tc.b); got != tc.want {
			t.Errorf("MatchMAC(%q, %q) = %v", tc.a, tc.b, got)
		}
	}
}

func TestDecodePassword(t *testing.T) {
	for in, want := range map[string]string{"YWRtaW4xMjM=": "admin123", "YWRtaW4xMjM": "admin123", "": ""} {
		got, err := DecodePassword(Secret(in))
		if err != nil || got.Reveal() != want {
			t.Errorf("%q: %q %v", in, got.Reveal(), err)
		}
	}
	if _, err := DecodePassword("not base64!"); err == nil {
		t.Error("bad base64 accepted")
	}
	if EncodePassword("admin123") != "YWRtaW4xMjM=" {
		t.Error("EncodePassword")
	}
}

func TestJoinStorage(t *testing.T) {
	for _, tc := range [][3]string{
		{"http://h:80", "/a.jpg", "http://h:80/a.jpg"},
		{"http://h:80/", "a.jpg", "http://h:80/a.jpg"},
		{"http://h:80/", "/a.jpg", "http://h:80/a.jpg"},
		{"", "a.jpg", "a.jpg"},
		{"http://h", "", ""},
	} {
		if got := JoinStorage(tc[0], tc[1]); got != tc[2] {
			t.Errorf("JoinStorage(%q,%q) = %q", tc[0], tc[1], got)
		}
	}
}

func TestRedactURL(t *testing.T) {
	for in, want := range map[string]string{
		"rtsp://admin:pw@1.2.3.4/x":                      "rtsp://******@1.2.3.4/x",
		"http://h/api/v1/list_camera?cur=1&token=abc":    "http://h/api/v1/list_camera?cur=1&token=******",
		"http://h/api/v1/access_token?unionid=secretuid": "http://h/api/v1/access_token?unionid=******",
		"":          "",
		"%zz://bad": "******",
	} {
		if got := RedactURL(in); got != want {
			t.Errorf("RedactURL(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestClipMakesOneLine(t *testing.T) {
	if got := clip("a\nb\x00c\xffd", 100); got != "a b c?d" {
		t.Errorf("clip: %q", got)
	}
	if got := clip("abcdef", 3); got != "abc…" {
		t.Errorf("clip: %q", got)
	}
}

func TestMeanings(t *testing.T) {
	for _, code := range []int{1001, 1002, 1003, 1004, 1006, 1007, 1008, 1009, 1010, 1011, 1012, 1013} {
		if Meaning("list_camera", code) == "" {
			t.Errorf("%d has no meaning", code)
		}
	}
	if Meaning("list_camera", 1005) != "" {
		t.Error("1005 is not in the document")
	}
	e := &Error{Op: "list_camera", Code: 1005, Msg: "x"}
	if e.Error() != "yunlubo: list_camera: err_code 1005 (undocumented code): x" {
		t.Errorf("%q", e.Error())
	}
	if !(&Error{Code: 1006}).TokenRejected() || !(&Error{Code: 1007}).TokenRejected() || (&Error{Code: 1004}).TokenRejected() {
		t.Error("TokenRejected")
	}
}
