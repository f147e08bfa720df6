package storage

import (
	"path/filepath"
	"strconv"
	"testing"
	"time"
)

// testClock is a clock that moves one second per reading, so Created and
// Updated differ between writes and can be predicted.
type testClock struct{ t time.Time }

func (c *testClock) now() time.Time {
	c.t = c.t.Add(time.Second)
	return c.t
}

var cst = time.FixedZone("CST", 8*3600)

// base is a Monday morning in China; fixtures count from it.
var base = time.Date(2026, 11, 23, 8, 0, 0, 0, cst)

func openTest(t testing.TB) *DB {
	t.Helper()
	return openAt(t, filepath.Join(t.TempDir(), "lubo.db"))
}

func openAt(t testing.TB, path string) *DB {
	t.Helper()
	db, err := Open(path, Options{})
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	clock := &testClock{t: time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)}
	db.now = clock.now
	t.Cleanup(func() {
		if err := db.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
	return db
}

// newRecord builds a valid record the way the recorder would.
func newRecord(channel string, start time.Time, slice int, state State) *Record {
	return &Record{
		ID:       NewRecordID(channel, start, slice),
		Channel:  channel,
		CourseID: "course-" + channel,
		Subject:  "语文",
		Teacher:  "张老师",
		Start:    start,
		End:      start.Add(30 * time.Minute),
		Duration: 30 * time.Minute,
		Size:     1 << 20,
		Path:     channel + "/" + start.Format("2006-01-02") + "/" + start.Format("150405") + "_" + strconv.Itoa(slice) + ".mp4",
		Cover:    channel + "/" + start.Format("2006-01-02") + "/" + start.Format("150405") + "_" + strconv.Itoa(slice) + ".jpg",
		Slice:    slice,
		State:    state,
		Trigger:  "schedule",
	}
}

func mustPut(t testing.TB, db *DB, r *Record) {
	t.Helper()
	if err := db.PutRecord(r); err != nil {
		t.Fatalf("PutRecord(%s): %v", r.ID, err)
	}
}

func mustCheck(t testing.TB, db *DB) {
	t.Helper()
	if err := db.Check(); err != nil {
		t.Fatalf("Check: %v", err)
	}
}

// sameRecord compares two records field by field, times by instant.
func sameRecord(t testing.TB, got, want *Record) {
	t.Helper()
	g, w := *got, *want
	for _, p := range []struct{ g, w *time.Time }{{&g.Start, &w.Start}, {&g.End, &w.End}, {&g.Created, &w.Created}, {&g.Updated, &w.Updated}} {
		if !p.g.Equal(*p.w) {
			t.Errorf("record %s: time %v, want %v", w.ID, *p.g, *p.w)
		}
		*p.g, *p.w = time.Time{}, time.Time{}
	}
	if g != w {
		t.Errorf("record %s:\n got %+v\nwant %+v", w.ID, g, w)
	}
}

func ids(rs []*Record) []string {
	out := make([]string, len(rs))
	for i, r := range rs {
		out[i] = r.ID
	}
	return out
}
