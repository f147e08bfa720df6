package schedule_test

import (
	"testing"
	"time"

	"github.com/lubo-edge/lubo/recorder/schedule"
)

// zone loads an IANA zone; the test fails when the zone database lacks it.
func zone(t testing.TB, name string) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation(name)
	if err != nil {
		t.Fatalf("load zone %s: %v", name, err)
	}
	return loc
}

// hms is an offset from midnight.
func hms(h, m, s int) time.Duration {
	return time.Duration(h)*time.Hour + time.Duration(m)*time.Minute + time.Duration(s)*time.Second
}

// course is a course with its config-style ID.
func course(channel string, wd time.Weekday, start, dur time.Duration) schedule.Course {
	return schedule.Course{
		ID: schedule.CourseID(channel, wd, start), Channel: channel, Weekday: wd,
		Start: start, Duration: dur, Subject: "语文", Teacher: "张老师",
	}
}

// named is c with a Where, as FromConfig would set it.
func named(c schedule.Course, where string) schedule.Course {
	c.Where = where
	return c
}

// date is a wall-clock instant in loc that must fall on weekday wd (so a
// wrong calendar in the test fails loudly instead of testing nothing).
func date(t testing.TB, loc *time.Location, wd time.Weekday, y int, m time.Month, d, hh, mm, ss int) time.Time {
	t.Helper()
	v := time.Date(y, m, d, hh, mm, ss, 0, loc)
	if v.Weekday() != wd {
		t.Fatalf("%s is a %s, not a %s", v.Format(time.DateOnly), v.Weekday(), wd)
	}
	return v
}
