package recorder

import (
	"testing"
	"time"
)

var slicePathCases = []struct {
	in string
	ok bool
}{
	{"c101/2026-11-23/103000_1.mp4", true},
	{"c_1-a/2026-02-28/235959_12.mp4", true},
	{"c101/2026-11-23/103000_0.mp4", false},
	{"c101/2026-11-23/103000_01.mp4", false},
	{"c101/2026-11-23/253000_1.mp4", false},
	{"c101/2026-13-23/103000_1.mp4", false},
	{"C101/2026-11-23/103000_1.mp4", false},
	{"c101/2026-11-23/103000_1.mp4.part", false},
	{"c101/2026-11-23/103000.mp4", false},
	{"c101/103000_1.mp4", false},
	{"c101/2026-11-23/x/103000_1.mp4", false},
}

func TestSlicePathRoundTrip(t *testing.T) {
	loc := time.FixedZone("CST", 8*3600)
	start := time.Date(2026, 11, 23, 2, 30, 0, 0, time.UTC) // 10:30 in CST
	rel := slicePath("c101", start, loc, 3)
	if rel != "c101/2026-11-23/103000_3.mp4" {
		t.Fatalf("slicePath = %s", rel)
	}
	info, err := parseSlicePath(rel, loc)
	if err != nil || info.Channel != "c101" || !info.Start.Equal(start) || info.Slice != 3 {
		t.Fatalf("parseSlicePath(%s) = %+v, %v", rel, info, err)
	}
	if c := coverPath(rel); c != "c101/2026-11-23/103000_3.jpg" {
		t.Errorf("coverPath = %s", c)
	}
	for _, c := range slicePathCases {
		if _, err := parseSlicePath(c.in, loc); (err == nil) != c.ok {
			t.Errorf("parseSlicePath(%q): %v, want ok=%v", c.in, err, c.ok)
		}
	}
}

// Names found on disk at start-up are outside input: whatever parses must
// name the same file again.
func FuzzParseSlicePath(f *testing.F) {
	for _, c := range slicePathCases {
		f.Add(c.in)
	}
	f.Fuzz(func(t *testing.T, rel string) {
		info, err := parseSlicePath(rel, time.UTC)
		if err != nil {
			return
		}
		if again := slicePath(info.Channel, info.Start, time.UTC, info.Slice); again != rel {
			t.Fatalf("%q parsed, but names %q", rel, again)
		}
	})
}

func TestNextBoundary(t *testing.T) {
	start := time.Date(2026, 1, 1, 10, 0, 0, 0, time.UTC)
	for _, c := range []struct {
		wall time.Duration
		want time.Duration
	}{{-500 * time.Millisecond, 15 * time.Second}, {0, 15 * time.Second}, {14 * time.Second, 15 * time.Second},
		{15 * time.Second, 30 * time.Second}, {47 * time.Second, 60 * time.Second}} {
		if got := nextBoundary(start, start.Add(c.wall), 15*time.Second); !got.Equal(start.Add(c.want)) {
			t.Errorf("after %v: %v, want %v", c.wall, got.Sub(start), c.want)
		}
	}
	if !nextBoundary(start, start, 0).IsZero() {
		t.Error("slice 0 has a boundary")
	}
}

func TestCoverSliceReadsTheSlicePathRules(t *testing.T) {
	loc := time.FixedZone("CST", 8*3600)
	ch, start, n, err := CoverSlice("c1/2026-11-27/081500_2.jpg", loc)
	if err != nil || ch != "c1" || n != 2 || !start.Equal(time.Date(2026, 11, 27, 8, 15, 0, 0, loc)) {
		t.Fatalf("got %q %v %d %v", ch, start, n, err)
	}
	for _, bad := range []string{"c1/2026-11-27/081500_2.mp4", "c1/2026-11-27/081500_0.jpg", "../c1/2026-11-27/081500_1.jpg", "C1/2026-11-27/081500_1.jpg"} {
		if _, _, _, err := CoverSlice(bad, loc); err == nil {
			t.Errorf("%s: accepted", bad)
		}
	}
}
