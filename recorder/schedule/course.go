// Package schedule is the weekly timetable of courses (云录播 录像任务) the
// recorder follows: validation with the 云录播 error codes, concrete
// occurrences of courses in a time zone, and the Planner that turns the
// timetable into start, update and stop events.
//
// Times of day are wall-clock times in the timetable's zone: a course at
// 10:30 starts when the classroom clock shows 10:30, whatever the UTC offset
// is that day. See Timetable for the days clocks change.
package schedule

import (
	"fmt"
	"strings"
	"time"

	"github.com/lubo-edge/lubo/configs"
)

// day is the length of a calendar day on the wall clock.
const day = 24 * time.Hour

// Course is one weekly course: record Channel every Weekday from Start for
// Duration.
type Course struct {
	// ID identifies the course across refreshes. Config courses get
	// CourseID(channel, weekday, start); 云录播 courses use their course_id.
	// An edit that keeps the ID is an update of the same course.
	ID string
	// Channel is the id of the channel to record.
	Channel string
	// Weekday is the day of the week, Sunday (0) to Saturday (6).
	Weekday time.Weekday
	// Start is the wall-clock time of day the course starts, as the offset
	// from local midnight: 0 to 23:59:59, whole seconds.
	Start time.Duration
	// Duration is how long the course lasts, whole seconds, more than 0. A
	// course may end at midnight exactly but not after it.
	Duration time.Duration
	// Subject and Teacher describe the course; both are optional.
	Subject, Teacher string
	// Where names the course in messages, e.g. "schedule[2]" for the
	// config's third course. Empty means the ID is used.
	Where string
}

// End is the wall-clock time of day the course ends, as an offset from
// local midnight; 24h means midnight at the end of the day.
func (c Course) End() time.Duration { return c.Start + c.Duration }

// CourseID is the ID of a config course: channel, weekday and start time,
// e.g. "c101-3-103000". Two config courses with the same ID would overlap.
func CourseID(channel string, weekday time.Weekday, start time.Duration) string {
	return fmt.Sprintf("%s-%d-%s", channel, int(weekday), strings.ReplaceAll(clock(start), ":", ""))
}

// ParseTimeOfDay reads "HH:MM:SS" or "HH:MM" (two digits each, 00:00:00 to
// 23:59:59) into the offset from midnight. A bad value is an *Error with code
// CodeBadTime and an empty Course.
func ParseTimeOfDay(s string) (time.Duration, error) {
	bad := func(why string) error {
		return &Error{Code: CodeBadTime, Msg: fmt.Sprintf("%q is not a time of day HH:MM:SS (00:00:00-23:59:59): %s", s, why)}
	}
	fields := strings.Split(s, ":")
	if len(fields) != 2 && len(fields) != 3 {
		return 0, bad("want two or three fields separated by ':'")
	}
	limits := [3]int{23, 59, 59}
	units := [3]time.Duration{time.Hour, time.Minute, time.Second}
	var d time.Duration
	for i, f := range fields {
		if len(f) != 2 || f[0] < '0' || f[0] > '9' || f[1] < '0' || f[1] > '9' {
			return 0, bad("want two digits per field")
		}
		n := int(f[0]-'0')*10 + int(f[1]-'0')
		if n > limits[i] {
			return 0, bad(fmt.Sprintf("%s is more than %d", f, limits[i]))
		}
		d += time.Duration(n) * units[i]
	}
	return d, nil
}

// FromConfig converts the config's courses, naming each "schedule[i]" and
// giving it its CourseID. loc is the zone the times are read in; courses keep
// zone-free times of day and the Timetable applies its zone, so loc is only
// checked here (nil is an error, as it is for NewTimetable).
//
// A course whose start does not parse is left out and reported as an *Error
// with CodeBadTime in the returned error (errors.Join), beside the courses
// that did convert. Overlaps and midnight are judged by Validate, not here.
func FromConfig(cfg []configs.Course, loc *time.Location) ([]Course, error) {
	if loc == nil {
		return nil, fmt.Errorf("schedule: no time zone for the config's courses")
	}
	courses := make([]Course, 0, len(cfg))
	var problems []*Error
	for i, cc := range cfg {
		where := fmt.Sprintf("schedule[%d]", i)
		start, err := ParseTimeOfDay(cc.Start)
		if err != nil {
			problems = append(problems, &Error{Code: CodeBadTime, Course: where,
				Msg: fmt.Sprintf("%s: start %q is not a time of day HH:MM:SS (00:00:00-23:59:59)", where, cc.Start)})
			continue
		}
		courses = append(courses, Course{
			ID:       CourseID(cc.Channel, cc.Weekday, start),
			Channel:  cc.Channel,
			Weekday:  cc.Weekday,
			Start:    start,
			Duration: cc.Duration,
			Subject:  cc.Subject,
			Teacher:  cc.Teacher,
			Where:    where,
		})
	}
	return courses, joinProblems(problems)
}

// clock formats an offset from midnight as HH:MM:SS; hours may exceed 23
// (a course ending after midnight) and a fraction of a second is shown.
func clock(d time.Duration) string {
	sign := ""
	if d < 0 {
		sign, d = "-", -d
	}
	s := fmt.Sprintf("%s%02d:%02d:%02d", sign, int64(d/time.Hour), int64(d/time.Minute%60), int64(d/time.Second%60))
	if frac := d % time.Second; frac != 0 {
		s += strings.TrimRight(fmt.Sprintf(".%09d", int64(frac)), "0")
	}
	return s
}

// span formats a duration the way people write it: "45m", "1h30m", "90s".
func span(d time.Duration) string {
	if d <= 0 || d%time.Second != 0 {
		return d.String()
	}
	var b strings.Builder
	if h := d / time.Hour; h > 0 {
		fmt.Fprintf(&b, "%dh", h)
	}
	if m := d / time.Minute % 60; m > 0 {
		fmt.Fprintf(&b, "%dm", m)
	}
	if s := d / time.Second % 60; s > 0 {
		fmt.Fprintf(&b, "%ds", s)
	}
	return b.String()
}

// weekdayName is "Sun".."Sat", or the number for a weekday out of range.
func weekdayName(w time.Weekday) string {
	if w < time.Sunday || w > time.Saturday {
		return fmt.Sprintf("weekday(%d)", int(w))
	}
	return w.String()[:3]
}
