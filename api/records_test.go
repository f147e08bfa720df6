package api

import (
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/lubo-edge/lubo/storage"
)

var recordPathCases = []struct {
	in string
	ok bool
}{
	{"c101/2026-11-23/103000_1.mp4", true},
	{"c101/2026-11-23/103000_1.jpg", true},
	{"c101/2026-11-23/103000_1.mp4.part", false},
	{"c101/2026-11-23/103000_1.mp4.tmp", false},
	{"c101/2026-11-23/103000_1.mp4.broken", false},
	{"../lubo.db", false},
	{"c101/../../etc/passwd.mp4", false},
	{"/etc/x.mp4", false},
	{"c101//x.mp4", false},
	{"c101\\x.mp4", false},
	{"x.mp4\x00", false},
	{"", false},
	{"..", false},
	{"c101/2026-11-23/", false},
}

func TestRecordFilePath(t *testing.T) {
	for _, c := range recordPathCases {
		_, err := recordFilePath(c.in)
		if (err == nil) != c.ok {
			t.Errorf("recordFilePath(%q): %v, want ok=%v", c.in, err, c.ok)
		}
	}
}

func FuzzRecordFilePath(f *testing.F) {
	for _, c := range recordPathCases {
		f.Add(c.in)
	}
	f.Fuzz(func(t *testing.T, p string) {
		got, err := recordFilePath(p)
		if err != nil {
			return
		}
		// Whatever passes stays inside the root and is a finished file.
		if strings.HasPrefix(got, "/") || strings.Contains("/"+got+"/", "/../") || strings.HasSuffix(got, ".part") ||
			strings.ContainsAny(got, "\x00\\") {
			t.Fatalf("accepted %q", got)
		}
	})
}

var recordQueryCases = []struct {
	query string
	want  string // "" for valid, else a part of the error
}{
	{"", ""},
	{"channel=c1&from=2026-11-23T08:00:00%2B08:00&to=2026-11-24T08:00:00Z&state=complete,uploaded&limit=5&offset=10&order=asc", ""},
	{"from=yesterday", "from \"yesterday\" is not an RFC 3339 time"},
	{"to=2026-11-23", "is not an RFC 3339 time"},
	{"from=2026-11-24T00:00:00Z&to=2026-11-23T00:00:00Z", "is before from"},
	{"state=done", `state "done" is not one of`},
	{"limit=0", "limit \"0\" is not a whole number from 1 to 1000"},
	{"limit=5000", "from 1 to 1000"},
	{"offset=-1", "offset"},
	{"order=up", `order "up" is not asc or desc`},
}

func TestParseRecordQuery(t *testing.T) {
	for _, c := range recordQueryCases {
		v, err := url.ParseQuery(c.query)
		if err != nil {
			t.Fatal(err)
		}
		q, err := parseRecordQuery(v)
		switch {
		case c.want == "" && err != nil:
			t.Errorf("%q: %v", c.query, err)
		case c.want != "" && (err == nil || !strings.Contains(err.Error(), c.want)):
			t.Errorf("%q: error %v, want one with %q", c.query, err, c.want)
		}
		if c.want == "" && c.query == "" && (q.Limit != defaultRecordsLimit || q.Order != storage.OrderDesc) {
			t.Errorf("defaults: %+v", q)
		}
	}
	v, _ := url.ParseQuery(recordQueryCases[1].query)
	q, _ := parseRecordQuery(v)
	if q.Channel != "c1" || q.Limit != 5 || q.Offset != 10 || q.Order != storage.OrderAsc || len(q.States) != 2 ||
		!q.From.Equal(time.Date(2026, 11, 23, 0, 0, 0, 0, time.UTC)) {
		t.Errorf("parsed %+v", q)
	}
}

func FuzzParseRecordQuery(f *testing.F) {
	for _, c := range recordQueryCases {
		f.Add(c.query)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		v, err := url.ParseQuery(raw)
		if err != nil {
			return
		}
		q, err := parseRecordQuery(v)
		if err == nil {
			if verr := q.Validate(); verr != nil {
				t.Fatalf("%q parsed into an invalid query: %v", raw, verr)
			}
			if q.Limit < 1 || q.Limit > maxRecordsLimit {
				t.Fatalf("%q: limit %d", raw, q.Limit)
			}
		}
	})
}

func TestParseManualDuration(t *testing.T) {
	for _, c := range []struct {
		in   string
		want time.Duration
		ok   bool
	}{
		{"", 45 * time.Minute, true}, {"45m", 45 * time.Minute, true}, {"1h30m", 90 * time.Minute, true},
		{"1s", time.Second, true}, {"500ms", 0, false}, {"25h", 0, false}, {"abc", 0, false}, {"-5m", 0, false}, {"45", 0, false},
	} {
		got, err := ParseManualDuration(c.in)
		if (err == nil) != c.ok || got != c.want {
			t.Errorf("ParseManualDuration(%q) = %v, %v", c.in, got, err)
		}
		if err != nil && !strings.Contains(err.Error(), "accepted:") {
			t.Errorf("error %q does not say what is accepted", err)
		}
	}
}

func FuzzParseManualDuration(f *testing.F) {
	for _, s := range []string{"", "45m", "1h30m", "25h", "abc", "1e9h"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		d, err := ParseManualDuration(s)
		if err == nil && (d < time.Second || d > 24*time.Hour) {
			t.Fatalf("%q accepted as %v", s, d)
		}
	})
}
