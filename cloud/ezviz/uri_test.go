package ezviz

import (
	"strconv"
	"strings"
	"testing"
)

var uriCases = []struct {
	in               string
	serial           string
	channel, quality int
	err              string // part of the error, "" when valid
}{
	{in: "ezviz://D12345678/1?quality=1", serial: "D12345678", channel: 1, quality: 1},
	{in: "ezviz://203751922/2?quality=2", serial: "203751922", channel: 2, quality: 2},
	{in: "ezviz://203751922", serial: "203751922", channel: 1, quality: 1},
	{in: "ezviz://203751922/", serial: "203751922", channel: 1, quality: 1},
	{in: "ezviz://203751922/16", serial: "203751922", channel: 16, quality: 1},
	{in: "EZVIZ://203751922/3?quality=2", serial: "203751922", channel: 3, quality: 2},
	{in: "rtsp://203751922/1", err: "scheme"},
	{in: "ezviz:203751922/1", err: "missing //"},
	{in: "ezviz:///1", err: "serial is empty"},
	{in: "ezviz://user:pw@203751922/1", err: "no user or password"},
	{in: "ezviz://2037:51922/1", err: "only letters and digits"},
	{in: "ezviz://203751922/0", err: "channel"},
	{in: "ezviz://203751922/-1", err: "channel"},
	{in: "ezviz://203751922/+1", err: "channel"},
	{in: "ezviz://203751922/1/2", err: "channel"},
	{in: "ezviz://203751922/abc", err: "channel"},
	{in: "ezviz://203751922/99999", err: "channel"},
	{in: "ezviz://203751922/1?quality=3", err: "quality"},
	{in: "ezviz://203751922/1?quality=1&quality=2", err: "quality"},
	{in: "ezviz://203751922/1?quality=", err: "quality"},
	{in: "ezviz://203751922/1?protocol=3", err: "unknown parameter"},
	{in: "ezviz://203751922/1?quality=1#x", err: "fragment"},
	{in: "ezviz://203751922/1?%zz", err: "query"},
	{in: "ezviz://" + strings.Repeat("A", 65) + "/1", err: "at most 64"},
	{in: "ezviz://%41/1", err: ""},
	{in: "", err: "scheme"},
	{in: "ezviz://[::1]/1", err: "only letters and digits"},
}

func TestParseURI(t *testing.T) {
	for _, tc := range uriCases {
		serial, ch, q, err := ParseURI(tc.in)
		if tc.in == "ezviz://%41/1" {
			// url.Parse refuses escapes in a host: whatever happens, no panic and a clear answer.
			continue
		}
		if tc.err != "" {
			if err == nil || !strings.Contains(err.Error(), tc.err) {
				t.Errorf("%q: err = %v, want %q", tc.in, err, tc.err)
			}
			if err != nil && !strings.Contains(err.Error(), "ezviz://SERIAL/CHANNEL") && !strings.Contains(err.Error(), "quality") {
				t.Errorf("%q: error %v does not say what is accepted", tc.in, err)
			}
			continue
		}
		if err != nil || serial != tc.serial || ch != tc.channel || q != tc.quality {
			t.Errorf("%q: %q %d %d %v", tc.in, serial, ch, q, err)
		}
	}
	if _, _, _, err := ParseURI("ezviz://u:topsecret@X/1"); err == nil || strings.Contains(err.Error(), "topsecret") {
		t.Errorf("password printed or accepted: %v", err)
	}
}

func FuzzParseURI(f *testing.F) {
	for _, tc := range uriCases {
		f.Add(tc.in)
	}
	f.Fuzz(func(t *testing.T, s string) {
		serial, ch, q, err := ParseURI(s)
		if err != nil {
			return
		}
		if checkSerial(serial) != nil || ch < 1 || ch > maxChannel || (q != 1 && q != 2) {
			t.Fatalf("%q accepted as %q %d %d", s, serial, ch, q)
		}
		// What is accepted round-trips.
		again := "ezviz://" + serial + "/" + strconv.Itoa(ch) + "?quality=" + strconv.Itoa(q)
		s2, ch2, q2, err := ParseURI(again)
		if err != nil || s2 != serial || ch2 != ch || q2 != q {
			t.Fatalf("%q -> %q does not round-trip: %v", s, again, err)
		}
	})
}

func TestParseURIHidesPasswords(t *testing.T) {
	for _, s := range []string{"ezviz://u:hunter22@X/1", "ezviz://u:hunter22@X/1?%zz", "ezviz://u:hunter22@X/abc"} {
		_, _, _, err := ParseURI(s)
		if err == nil || strings.Contains(err.Error(), "hunter22") {
			t.Errorf("%q: %v", s, err)
		}
	}
}
