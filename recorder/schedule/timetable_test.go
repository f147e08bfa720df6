package schedule_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/lubo-edge/lubo/recorder/schedule"
)

func mustTimetable(t testing.TB, loc *time.Location, courses ...schedule.Course) *schedule.Timetable {
	t.Helper()
	tt, err := schedule.NewTimetable(courses, loc)
	if err != nil {
		t.Fatalf("NewTimetable: %v", err)
	}
	return tt
}

// ids lists occurrences as "id@start-end" in the timetable's zone.
func ids(occs []schedule.Occurrence) []string {
	var s []string
	for _, o := range occs {
		s = append(s, fmt.Sprintf("%s@%s-%s", o.Course.ID, o.Start.Format("Mon 15:04:05"), o.End.Format("15:04:05")))
	}
	return s
}

func equalStrings(a, b []string) bool { return fmt.Sprint(a) == fmt.Sprint(b) }

func TestSameCourseInShanghaiAndUTC(t *testing.T) {
	c := course("c101", time.Wednesday, hms(10, 30, 0), 45*time.Minute)
	week := time.Date(2025, 9, 1, 0, 0, 0, 0, time.UTC)
	sh := mustTimetable(t, zone(t, "Asia/Shanghai"), c).Between(week, week.AddDate(0, 0, 7))
	utc := mustTimetable(t, time.UTC, c).Between(week, week.AddDate(0, 0, 7))
	if len(sh) != 1 || len(utc) != 1 {
		t.Fatalf("got %d and %d occurrences in a week, want 1 each", len(sh), len(utc))
	}
	if want := time.Date(2025, 9, 3, 2, 30, 0, 0, time.UTC); !sh[0].Start.Equal(want) {
		t.Errorf("Shanghai start %v, want %v", sh[0].Start, want)
	}
	if want := time.Date(2025, 9, 3, 10, 30, 0, 0, time.UTC); !utc[0].Start.Equal(want) {
		t.Errorf("UTC start %v, want %v", utc[0].Start, want)
	}
	if d := utc[0].Start.Sub(sh[0].Start); d != 8*time.Hour {
		t.Errorf("UTC start - Shanghai start = %v, want 8h", d)
	}
	if d := sh[0].End.Sub(sh[0].Start); d != 45*time.Minute {
		t.Errorf("Shanghai lesson lasts %v, want 45m", d)
	}
}

// wednesday is a Shanghai timetable used by the Current/Next/Between tests.
func wednesday(t *testing.T) (*schedule.Timetable, func(h, m, s int) time.Time) {
	loc := zone(t, "Asia/Shanghai")
	tt := mustTimetable(t, loc,
		course("c101", time.Wednesday, hms(10, 0, 0), 45*time.Minute),  // A
		course("c101", time.Wednesday, hms(10, 45, 0), 45*time.Minute), // B, touching A
		course("c102", time.Wednesday, hms(10, 30, 0), 45*time.Minute), // C
		course("c101", time.Sunday, hms(8, 0, 0), 45*time.Minute),      // D
	)
	at := func(h, m, s int) time.Time { return date(t, loc, time.Wednesday, 2025, 9, 3, h, m, s) }
	return tt, at
}

func TestCurrent(t *testing.T) {
	tt, at := wednesday(t)
	cases := []struct {
		now  time.Time
		want []string
	}{
		{at(9, 59, 59), nil},
		{at(10, 0, 0), []string{"c101-3-100000@Wed 10:00:00-10:45:00"}},
		{at(10, 30, 0), []string{"c101-3-100000@Wed 10:00:00-10:45:00", "c102-3-103000@Wed 10:30:00-11:15:00"}},
		{at(10, 45, 0).Add(-time.Nanosecond), []string{"c101-3-100000@Wed 10:00:00-10:45:00", "c102-3-103000@Wed 10:30:00-11:15:00"}},
		{at(10, 45, 0), []string{"c101-3-104500@Wed 10:45:00-11:30:00", "c102-3-103000@Wed 10:30:00-11:15:00"}},
		{at(11, 15, 0), []string{"c101-3-104500@Wed 10:45:00-11:30:00"}},
		{at(11, 30, 0), nil},
		{at(11, 30, 0).In(time.UTC), nil},
		{at(10, 50, 0).In(time.UTC), []string{"c101-3-104500@Wed 10:45:00-11:30:00", "c102-3-103000@Wed 10:30:00-11:15:00"}},
	}
	for _, tc := range cases {
		if got := ids(tt.Current(tc.now)); !equalStrings(got, tc.want) {
			t.Errorf("Current(%v) = %v, want %v", tc.now, got, tc.want)
		}
	}
}

func TestNext(t *testing.T) {
	tt, at := wednesday(t)
	cases := []struct {
		now  time.Time
		want string
	}{
		{at(9, 0, 0), "c101-3-100000@Wed 10:00:00-10:45:00"},
		{at(10, 0, 0), "c102-3-103000@Wed 10:30:00-11:15:00"}, // strictly after now
		{at(10, 30, 0), "c101-3-104500@Wed 10:45:00-11:30:00"},
		{at(10, 45, 0), "c101-0-080000@Sun 08:00:00-08:45:00"},
		{at(23, 0, 0).AddDate(0, 0, 3), "c101-0-080000@Sun 08:00:00-08:45:00"},  // Saturday night
		{at(8, 0, 0).AddDate(0, 0, 4), "c101-3-100000@Wed 10:00:00-10:45:00"},   // Sunday, at D's start
		{at(10, 0, 1).AddDate(0, 0, -7), "c102-3-103000@Wed 10:30:00-11:15:00"}, // a week earlier
	}
	for _, tc := range cases {
		o, ok := tt.Next(tc.now)
		if got := ids([]schedule.Occurrence{o}); !ok || got[0] != tc.want {
			t.Errorf("Next(%v) = %v, %v; want %v", tc.now, got, ok, tc.want)
		}
	}

	// Only course: the same weekday, just after it started: next week's.
	loc := zone(t, "Asia/Shanghai")
	one := mustTimetable(t, loc, course("c101", time.Wednesday, hms(10, 0, 0), time.Hour))
	now := date(t, loc, time.Wednesday, 2025, 9, 3, 10, 0, 1)
	if o, ok := one.Next(now); !ok || !o.Start.Equal(date(t, loc, time.Wednesday, 2025, 9, 10, 10, 0, 0)) {
		t.Errorf("Next after the only course started = %v, %v; want next Wednesday 10:00", o.Start, ok)
	}
	if _, ok := mustTimetable(t, loc).Next(now); ok {
		t.Error("Next on an empty timetable found something")
	}

	// Two channels starting together: the first by channel.
	tie := mustTimetable(t, loc,
		course("c103", time.Monday, hms(8, 0, 0), time.Hour),
		course("c102", time.Monday, hms(8, 0, 0), time.Hour))
	if o, ok := tie.Next(now); !ok || o.Course.Channel != "c102" {
		t.Errorf("Next with a tie = %v, %v; want channel c102", o.Course.Channel, ok)
	}
}

func TestBetween(t *testing.T) {
	tt, at := wednesday(t)
	cases := []struct {
		name     string
		from, to time.Time
		want     []string
	}{
		{"empty window", at(10, 45, 0), at(10, 45, 0), nil},
		{"reversed window", at(11, 0, 0), at(10, 0, 0), nil},
		{"ends at a start", at(9, 0, 0), at(10, 0, 0), nil},
		{"starts at an end", at(11, 30, 0), at(12, 0, 0), nil},
		{"partial overlaps", at(10, 40, 0), at(10, 50, 0), []string{
			"c101-3-100000@Wed 10:00:00-10:45:00",
			"c102-3-103000@Wed 10:30:00-11:15:00",
			"c101-3-104500@Wed 10:45:00-11:30:00",
		}},
		{"the rest of the week", at(12, 0, 0), at(12, 0, 0).AddDate(0, 0, 7), []string{
			"c101-0-080000@Sun 08:00:00-08:45:00",
			"c101-3-100000@Wed 10:00:00-10:45:00",
			"c102-3-103000@Wed 10:30:00-11:15:00",
			"c101-3-104500@Wed 10:45:00-11:30:00",
		}},
	}
	for _, tc := range cases {
		if got := ids(tt.Between(tc.from, tc.to)); !equalStrings(got, tc.want) {
			t.Errorf("%s: Between = %v, want %v", tc.name, got, tc.want)
		}
	}
	if n := len(tt.Between(at(0, 0, 0), at(0, 0, 0).AddDate(0, 0, 14))); n != 8 {
		t.Errorf("two weeks hold %d occurrences, want 8", n)
	}
}

func TestNewTimetableRejectsBadInput(t *testing.T) {
	if _, err := schedule.NewTimetable(nil, nil); err == nil {
		t.Error("no zone: no error")
	}
	overlapping := []schedule.Course{
		course("c101", time.Monday, hms(10, 0, 0), time.Hour),
		course("c101", time.Monday, hms(10, 30, 0), time.Hour),
	}
	if _, err := schedule.NewTimetable(overlapping, time.UTC); err == nil {
		t.Error("overlapping courses: no error")
	}
}

// TestClockChanges pins the behaviour on the days clocks change: lessons
// follow the wall clock; a skipped time moves to the first instant after the
// jump; a repeated time is its first instance.
func TestClockChanges(t *testing.T) {
	utc := func(y int, m time.Month, d, h, min int) time.Time { return time.Date(y, m, d, h, min, 0, 0, time.UTC) }
	cases := []struct {
		name       string
		zone       string
		day        time.Time // the civil date, as midnight in UTC
		start, dur time.Duration
		absent     bool
		start2     time.Time // want, in UTC
		end        time.Time
	}{
		{"NY spring: 02:30 does not exist, starts 03:00 EDT", "America/New_York", utc(2024, 3, 10, 0, 0),
			hms(2, 30, 0), 45 * time.Minute, false, utc(2024, 3, 10, 7, 0), utc(2024, 3, 10, 7, 15)},
		{"NY spring: wholly in the skipped hour", "America/New_York", utc(2024, 3, 10, 0, 0),
			hms(2, 0, 0), 30 * time.Minute, true, time.Time{}, time.Time{}},
		{"NY spring: ends in the skipped hour", "America/New_York", utc(2024, 3, 10, 0, 0),
			hms(1, 30, 0), time.Hour, false, utc(2024, 3, 10, 6, 30), utc(2024, 3, 10, 7, 0)},
		{"NY spring: straight after the jump", "America/New_York", utc(2024, 3, 10, 0, 0),
			hms(3, 0, 0), time.Hour, false, utc(2024, 3, 10, 7, 0), utc(2024, 3, 10, 8, 0)},
		{"NY spring: the whole day is 23h", "America/New_York", utc(2024, 3, 10, 0, 0),
			0, 24 * time.Hour, false, utc(2024, 3, 10, 5, 0), utc(2024, 3, 11, 4, 0)},
		{"NY spring: the next week is normal", "America/New_York", utc(2024, 3, 17, 0, 0),
			hms(2, 0, 0), 30 * time.Minute, false, utc(2024, 3, 17, 6, 0), utc(2024, 3, 17, 6, 30)},
		{"NY fall: 01:30 is its first instance, ends 02:15 EST", "America/New_York", utc(2024, 11, 3, 0, 0),
			hms(1, 30, 0), 45 * time.Minute, false, utc(2024, 11, 3, 5, 30), utc(2024, 11, 3, 7, 15)},
		{"NY fall: inside the repeated hour", "America/New_York", utc(2024, 11, 3, 0, 0),
			hms(1, 0, 0), 30 * time.Minute, false, utc(2024, 11, 3, 5, 0), utc(2024, 11, 3, 5, 30)},
		{"NY fall: the whole day is 25h", "America/New_York", utc(2024, 11, 3, 0, 0),
			0, 24 * time.Hour, false, utc(2024, 11, 3, 4, 0), utc(2024, 11, 4, 5, 0)},
		{"Berlin fall: 02:30 is its first instance (CEST)", "Europe/Berlin", utc(2024, 10, 27, 0, 0),
			hms(2, 30, 0), 15 * time.Minute, false, utc(2024, 10, 27, 0, 30), utc(2024, 10, 27, 0, 45)},
		{"Berlin spring: 02:30 starts 03:00 CEST", "Europe/Berlin", utc(2024, 3, 31, 0, 0),
			hms(2, 30, 0), 45 * time.Minute, false, utc(2024, 3, 31, 1, 0), utc(2024, 3, 31, 1, 15)},
		{"Lord Howe spring: a half-hour jump", "Australia/Lord_Howe", utc(2024, 10, 6, 0, 0),
			hms(2, 10, 0), 30 * time.Minute, false, utc(2024, 10, 5, 15, 30), utc(2024, 10, 5, 15, 40)},
		{"Shanghai: no clock changes", "Asia/Shanghai", utc(2024, 3, 10, 0, 0),
			hms(2, 30, 0), 45 * time.Minute, false, utc(2024, 3, 9, 18, 30), utc(2024, 3, 9, 19, 15)},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			loc := zone(t, tc.zone)
			y, m, d := tc.day.Date()
			c := course("c101", tc.day.Weekday(), tc.start, tc.dur)
			tt := mustTimetable(t, loc, c)
			occs := tt.Between(time.Date(y, m, d, 0, 0, 0, 0, loc).Add(-time.Hour), time.Date(y, m, d+1, 0, 0, 0, 0, loc).Add(-time.Minute))
			if tc.absent {
				if len(occs) != 0 {
					t.Errorf("got %v, want no lesson that day", ids(occs))
				}
				return
			}
			if len(occs) != 1 {
				t.Fatalf("got %d lessons that day, want 1: %v", len(occs), ids(occs))
			}
			o := occs[0]
			if !o.Start.Equal(tc.start2) || !o.End.Equal(tc.end) {
				t.Errorf("lesson %v - %v (%v to %v UTC), want %v to %v UTC",
					o.Start, o.End, o.Start.UTC(), o.End.UTC(), tc.start2, tc.end)
			}
			if o.Start.Location() != loc {
				t.Errorf("start is in %v, want %v", o.Start.Location(), loc)
			}
		})
	}
}

// TestLessonsNeverOverlapInRealTime fills every day of a year with touching
// half-hour lessons and checks that, through every clock change, lessons on a
// channel stay in order, never overlap and never run backwards.
func TestLessonsNeverOverlapInRealTime(t *testing.T) {
	var courses []schedule.Course
	for wd := time.Sunday; wd <= time.Saturday; wd++ {
		for s := time.Duration(0); s < 24*time.Hour; s += 30 * time.Minute {
			courses = append(courses, course("c101", wd, s, 30*time.Minute))
		}
	}
	for _, name := range []string{"America/New_York", "Europe/Berlin", "Australia/Lord_Howe", "America/Santiago", "Asia/Shanghai"} {
		t.Run(name, func(t *testing.T) {
			loc := zone(t, name)
			tt := mustTimetable(t, loc, courses...)
			from := time.Date(2024, 1, 1, 0, 0, 0, 0, loc)
			occs := tt.Between(from, from.AddDate(1, 0, 0))
			if len(occs) < 365*48-48 {
				t.Fatalf("only %d lessons in a year", len(occs))
			}
			for i, o := range occs {
				if !o.Start.Before(o.End) {
					t.Fatalf("lesson %v runs from %v to %v", o.Course.ID, o.Start, o.End)
				}
				if i > 0 && o.Start.Before(occs[i-1].End) {
					t.Fatalf("lesson %s at %v starts before %s ends at %v", o.Course.ID, o.Start, occs[i-1].Course.ID, occs[i-1].End)
				}
				if o.End.Sub(o.Start) == 30*time.Minute && i%50 != 0 {
					continue // Current is checked around clock changes and on a sample
				}
				if cur := tt.Current(o.Start); len(cur) != 1 || cur[0].Course.ID != o.Course.ID {
					t.Fatalf("Current(%v) = %v, want only %s", o.Start, ids(cur), o.Course.ID)
				}
			}
		})
	}
}
