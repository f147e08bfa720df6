package schedule_test

import (
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/lubo-edge/lubo/configs"
	"github.com/lubo-edge/lubo/recorder/schedule"
)

type wantProblem struct {
	code   int
	course string
	msg    string
}

var validateCases = []struct {
	name    string
	courses []schedule.Course
	want    []wantProblem
}{
	{
		name: "valid week",
		courses: []schedule.Course{
			named(course("c101", time.Wednesday, hms(10, 30, 0), 45*time.Minute), "schedule[0]"),
			named(course("c101", time.Wednesday, hms(11, 30, 0), 45*time.Minute), "schedule[1]"),
			named(course("c102", time.Wednesday, hms(10, 30, 0), 45*time.Minute), "schedule[2]"),
			named(course("c101", time.Thursday, hms(10, 30, 0), 45*time.Minute), "schedule[3]"),
		},
	},
	{
		name:    "start 25:00:00",
		courses: []schedule.Course{named(course("c101", time.Monday, hms(25, 0, 0), time.Hour), "schedule[0]")},
		want:    []wantProblem{{1011, "schedule[0]", "schedule[0]: start 25:00:00 is not a time of day 00:00:00-23:59:59 in whole seconds"}},
	},
	{
		name:    "start 24:00:00",
		courses: []schedule.Course{named(course("c101", time.Monday, hms(24, 0, 0), time.Minute), "schedule[0]")},
		want:    []wantProblem{{1011, "schedule[0]", "schedule[0]: start 24:00:00 is not a time of day 00:00:00-23:59:59 in whole seconds"}},
	},
	{
		name:    "negative start",
		courses: []schedule.Course{named(course("c101", time.Monday, -time.Second, time.Hour), "schedule[0]")},
		want:    []wantProblem{{1011, "schedule[0]", "schedule[0]: start -00:00:01 is not a time of day 00:00:00-23:59:59 in whole seconds"}},
	},
	{
		name:    "start with a fraction of a second",
		courses: []schedule.Course{named(course("c101", time.Monday, hms(10, 0, 0)+500*time.Millisecond, time.Hour), "schedule[0]")},
		want:    []wantProblem{{1011, "schedule[0]", "schedule[0]: start 10:00:00.5 is not a time of day 00:00:00-23:59:59 in whole seconds"}},
	},
	{
		name:    "zero duration",
		courses: []schedule.Course{named(course("c101", time.Monday, hms(10, 0, 0), 0), "schedule[0]")},
		want:    []wantProblem{{1011, "schedule[0]", "schedule[0]: duration 0s is not a positive number of whole seconds"}},
	},
	{
		name:    "negative duration",
		courses: []schedule.Course{named(course("c101", time.Monday, hms(10, 0, 0), -45*time.Minute), "schedule[0]")},
		want:    []wantProblem{{1011, "schedule[0]", "schedule[0]: duration -45m0s is not a positive number of whole seconds"}},
	},
	{
		name:    "weekday 7",
		courses: []schedule.Course{named(course("c101", 7, hms(10, 0, 0), time.Hour), "schedule[0]")},
		want:    []wantProblem{{1011, "schedule[0]", "schedule[0]: weekday 7 is outside 0-6 (0 = Sunday)"}},
	},
	{
		name:    "no channel, no id: named by index",
		courses: []schedule.Course{{Weekday: time.Monday, Start: hms(10, 0, 0), Duration: time.Hour}},
		want: []wantProblem{
			{1010, "courses[0]", "courses[0]: no channel"},
			{1010, "courses[0]", "courses[0]: no id"},
		},
	},
	{
		name: "overlap names both courses and their times",
		courses: []schedule.Course{
			named(course("c101", time.Wednesday, hms(8, 0, 0), 45*time.Minute), "schedule[0]"),
			named(course("c101", time.Wednesday, hms(11, 0, 0), 45*time.Minute), "schedule[1]"),
			named(course("c102", time.Wednesday, hms(10, 30, 0), 45*time.Minute), "schedule[2]"),
			named(course("c101", time.Wednesday, hms(10, 30, 0), 45*time.Minute), "schedule[3]"),
		},
		want: []wantProblem{{1012, "schedule[3]",
			"schedule[3] (Wed 10:30:00-11:15:00) overlaps schedule[1] (Wed 11:00:00-11:45:00) on channel c101"}},
	},
	{
		name: "adjacent courses do not overlap",
		courses: []schedule.Course{
			course("c101", time.Monday, hms(10, 0, 0), 45*time.Minute),
			course("c101", time.Monday, hms(10, 45, 0), 45*time.Minute),
		},
	},
	{
		name: "one second into the next overlaps",
		courses: []schedule.Course{
			course("c101", time.Monday, hms(10, 0, 0), 45*time.Minute+time.Second),
			course("c101", time.Monday, hms(10, 45, 0), 45*time.Minute),
		},
		want: []wantProblem{{1012, "c101-1-104500",
			"c101-1-104500 (Mon 10:45:00-11:30:00) overlaps c101-1-100000 (Mon 10:00:00-10:45:01) on channel c101"}},
	},
	{
		name: "a course inside another overlaps",
		courses: []schedule.Course{
			course("c101", time.Monday, hms(8, 0, 0), 8*time.Hour),
			course("c101", time.Monday, hms(10, 0, 0), time.Minute),
		},
		want: []wantProblem{{1012, "c101-1-100000",
			"c101-1-100000 (Mon 10:00:00-10:01:00) overlaps c101-1-080000 (Mon 08:00:00-16:00:00) on channel c101"}},
	},
	{
		name:    "crossing midnight",
		courses: []schedule.Course{named(course("c101", time.Friday, hms(23, 30, 0), 45*time.Minute), "schedule[0]")},
		want:    []wantProblem{{1013, "schedule[0]", "schedule[0] (Fri 23:30:00 + 45m) ends after midnight"}},
	},
	{
		name:    "ending at midnight exactly is allowed",
		courses: []schedule.Course{course("c101", time.Saturday, hms(23, 15, 0), 45*time.Minute)},
	},
	{
		name:    "a whole day from midnight is allowed",
		courses: []schedule.Course{course("c101", time.Sunday, 0, 24*time.Hour)},
	},
	{
		name:    "one second past midnight",
		courses: []schedule.Course{course("c101", time.Sunday, hms(23, 0, 0), time.Hour+time.Second)},
		want:    []wantProblem{{1013, "c101-0-230000", "c101-0-230000 (Sun 23:00:00 + 1h1s) ends after midnight"}},
	},
	{
		name: "server ids shared by courses that do not overlap",
		courses: []schedule.Course{
			{ID: "17", Channel: "c101", Weekday: time.Monday, Start: hms(9, 0, 0), Duration: time.Hour},
			{ID: "17", Channel: "c102", Weekday: time.Monday, Start: hms(9, 0, 0), Duration: time.Hour},
		},
		want: []wantProblem{{1010, "courses[1]", `courses[1]: id "17" is also used by courses[0]`}},
	},
	{
		name: "every problem of a course is reported",
		courses: []schedule.Course{
			named(schedule.Course{ID: "x", Weekday: 9, Start: hms(30, 0, 0), Duration: 0}, "schedule[0]"),
		},
		want: []wantProblem{
			{1010, "schedule[0]", "schedule[0]: no channel"},
			{1011, "schedule[0]", "schedule[0]: weekday 9 is outside 0-6 (0 = Sunday)"},
			{1011, "schedule[0]", "schedule[0]: start 30:00:00 is not a time of day 00:00:00-23:59:59 in whole seconds"},
			{1011, "schedule[0]", "schedule[0]: duration 0s is not a positive number of whole seconds"},
		},
	},
}

func TestValidate(t *testing.T) {
	for _, tc := range validateCases {
		t.Run(tc.name, func(t *testing.T) {
			var got []wantProblem
			for _, p := range schedule.Validate(tc.courses) {
				got = append(got, wantProblem{p.Code, p.Course, p.Msg})
			}
			if !slices.Equal(got, tc.want) {
				t.Errorf("Validate:\n got  %+v\n want %+v", got, tc.want)
			}
		})
	}
}

func TestErrorIsFoundWithErrorsAs(t *testing.T) {
	courses := []schedule.Course{
		named(course("c101", time.Friday, hms(23, 30, 0), 45*time.Minute), "schedule[0]"),
	}
	_, err := schedule.NewTimetable(courses, time.UTC)
	var se *schedule.Error
	if !errors.As(err, &se) {
		t.Fatalf("NewTimetable error %v is not a *schedule.Error", err)
	}
	if se.Code != schedule.CodeCrossesMidnight || se.Course != "schedule[0]" {
		t.Errorf("got code %d course %q, want 1013 schedule[0]", se.Code, se.Course)
	}
	want := "schedule[0] (Fri 23:30:00 + 45m) ends after midnight (error 1013)"
	if se.Error() != want || !strings.Contains(err.Error(), want) {
		t.Errorf("message %q (whole error %q), want %q", se.Error(), err, want)
	}
}

func TestSplitKeepsTheEarlierOfOverlappingCourses(t *testing.T) {
	a := course("c101", time.Monday, hms(10, 0, 0), time.Hour)             // kept
	b := course("c101", time.Monday, hms(10, 30, 0), time.Hour)            // overlaps a: dropped
	c := course("c101", time.Monday, hms(11, 0, 0), time.Hour)             // overlaps only b: kept
	d := course("c102", time.Monday, hms(10, 0, 0), 0)                     // bad duration: dropped
	e := course("c103", time.Monday, hms(23, 0, 0), 2*time.Hour)           // crosses midnight: dropped
	f := course("c103", time.Monday, hms(22, 0, 0), 90*time.Minute)        // overlaps only e: kept
	g := schedule.Course{ID: a.ID, Channel: "c104", Duration: time.Second} // duplicate id, no overlap
	kept, problems := schedule.Split([]schedule.Course{a, b, c, d, e, f, g})
	if want := []schedule.Course{a, c, f}; !slices.Equal(kept, want) {
		t.Errorf("kept %v, want %v", kept, want)
	}
	var codes []int
	for _, p := range problems {
		codes = append(codes, p.Code)
	}
	// b/a, c/b, d's duration, e's midnight, f/e, g/a's id.
	if want := []int{1012, 1012, 1011, 1013, 1012, 1010}; !slices.Equal(codes, want) {
		t.Errorf("problem codes %v, want %v: %v", codes, want, problems)
	}
	if _, err := schedule.NewTimetable(kept, time.UTC); err != nil {
		t.Errorf("the kept courses do not make a timetable: %v", err)
	}
}

var parseCases = []struct {
	in   string
	want time.Duration
	ok   bool
}{
	{"10:30:00", hms(10, 30, 0), true},
	{"10:30", hms(10, 30, 0), true},
	{"00:00:00", 0, true},
	{"23:59:59", hms(23, 59, 59), true},
	{"08:05:09", hms(8, 5, 9), true},
	{"25:00:00", 0, false},
	{"24:00:00", 0, false},
	{"10:3", 0, false},
	{"10:60:00", 0, false},
	{"10:30:60", 0, false},
	{"1:30:00", 0, false},
	{"10:30:00:00", 0, false},
	{"10", 0, false},
	{"", 0, false},
	{" 10:30:00", 0, false},
	{"-1:30:00", 0, false},
	{"+1:30:00", 0, false},
	{"aa:bb:cc", 0, false},
	{"１０:30:00", 0, false}, // full-width digits
	{"2017-11-15 15:10:53", 0, false},
}

func TestParseTimeOfDay(t *testing.T) {
	for _, tc := range parseCases {
		got, err := schedule.ParseTimeOfDay(tc.in)
		if tc.ok {
			if err != nil || got != tc.want {
				t.Errorf("ParseTimeOfDay(%q) = %v, %v; want %v", tc.in, got, err, tc.want)
			}
			continue
		}
		var se *schedule.Error
		if !errors.As(err, &se) || se.Code != schedule.CodeBadTime {
			t.Errorf("ParseTimeOfDay(%q) = %v, %v; want a 1011 *Error", tc.in, got, err)
		} else if !strings.Contains(se.Msg, "HH:MM:SS") {
			t.Errorf("ParseTimeOfDay(%q) message %q does not say what is accepted", tc.in, se.Msg)
		}
	}
}

func TestFromConfig(t *testing.T) {
	cfg := []configs.Course{
		{Channel: "c101", Weekday: time.Wednesday, Start: "10:30:00", Duration: 45 * time.Minute, Subject: "语文", Teacher: "张老师"},
		{Channel: "c101", Weekday: time.Wednesday, Start: "10:3", Duration: 45 * time.Minute},
		{Channel: "c102", Weekday: time.Sunday, Start: "08:00", Duration: time.Hour, Subject: "数学"},
	}
	got, err := schedule.FromConfig(cfg, zone(t, "Asia/Shanghai"))
	want := []schedule.Course{
		{ID: "c101-3-103000", Channel: "c101", Weekday: time.Wednesday, Start: hms(10, 30, 0), Duration: 45 * time.Minute,
			Subject: "语文", Teacher: "张老师", Where: "schedule[0]"},
		{ID: "c102-0-080000", Channel: "c102", Weekday: time.Sunday, Start: hms(8, 0, 0), Duration: time.Hour,
			Subject: "数学", Where: "schedule[2]"},
	}
	if !slices.Equal(got, want) {
		t.Errorf("FromConfig courses\n got  %+v\n want %+v", got, want)
	}
	var se *schedule.Error
	if !errors.As(err, &se) {
		t.Fatalf("FromConfig error %v is not a *schedule.Error", err)
	}
	if se.Code != 1011 || se.Course != "schedule[1]" || !strings.Contains(se.Msg, `"10:3"`) {
		t.Errorf("FromConfig problem %+v, want 1011 at schedule[1] quoting \"10:3\"", se)
	}

	if _, err := schedule.FromConfig(cfg[:1], nil); err == nil {
		t.Error("FromConfig with no zone: no error")
	}
	if got, err := schedule.FromConfig(nil, time.UTC); err != nil || len(got) != 0 {
		t.Errorf("FromConfig(nil) = %v, %v", got, err)
	}
}

func TestCourseIDIsStable(t *testing.T) {
	if got := schedule.CourseID("c101", time.Wednesday, hms(10, 30, 0)); got != "c101-3-103000" {
		t.Errorf("CourseID = %q, want c101-3-103000", got)
	}
	if got := schedule.CourseID("c101", time.Sunday, 0); got != "c101-0-000000" {
		t.Errorf("CourseID = %q, want c101-0-000000", got)
	}
}
