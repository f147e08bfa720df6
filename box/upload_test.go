package box

import (
	"path/filepath"
	"testing"
	"time"
)

func TestParseCoverPath(t *testing.T) {
	root := "/data/records"
	loc := time.FixedZone("CST", 8*3600)
	ch, start, slice, err := parseCoverPath(root, filepath.Join(root, "c1/2026-11-27/081500_2.jpg"), loc)
	if err != nil || ch != "c1" || slice != 2 || !start.Equal(time.Date(2026, 11, 27, 8, 15, 0, 0, loc)) {
		t.Fatalf("got %q %v %d %v", ch, start, slice, err)
	}
	for _, bad := range []string{
		"/elsewhere/c1/2026-11-27/081500_2.jpg",
		root + "/c1/081500_2.jpg",
		root + "/c1/2026-11-27/081500_2.mp4",
		root + "/c1/2026-11-27/081500.jpg",
		root + "/c1/2026-11-27/081500_x.jpg",
		root + "/c1/2026-13-27/081500_1.jpg",
		root + "/c1/2026-11-27/251500_1.jpg",
	} {
		if _, _, _, err := parseCoverPath(root, bad, loc); err == nil {
			t.Errorf("%s: accepted", bad)
		}
	}
}
