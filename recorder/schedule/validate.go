package schedule

import (
	"fmt"
	"time"
)

// Validate returns every problem with courses, in the order of the courses;
// nil means the list can make a Timetable. A course is named by its Where,
// else its ID, else "courses[i]".
//
// Each course is checked on its own (channel and id: CodeNoID; weekday,
// start and duration: CodeBadTime; ending after midnight:
// CodeCrossesMidnight), then against every course listed before it on the
// same channel and weekday: sharing time is CodeOverlap, and sharing an id
// without overlapping is CodeNoID.
func Validate(courses []Course) []*Error {
	problems, _ := check(courses)
	return problems
}

// Split returns the courses that can be scheduled and every problem, so one
// bad course does not stop the others. A course is kept when it has no
// problem of its own and neither overlaps nor shares an id with a course kept
// before it; of two overlapping courses the earlier-listed one is kept.
func Split(courses []Course) (kept []Course, problems []*Error) {
	problems, ok := check(courses)
	for i, c := range courses {
		if ok[i] {
			kept = append(kept, c)
		}
	}
	return kept, problems
}

// check validates courses and marks which ones Split keeps.
func check(courses []Course) (problems []*Error, keep []bool) {
	keep = make([]bool, len(courses))
	// Earlier courses that a later one may clash with: same channel and
	// weekday (overlap), or same id. Only courses with sensible times join.
	type slot struct {
		channel string
		weekday time.Weekday
	}
	bySlot := map[slot][]int{}
	byID := map[string][]int{}
	for j, c := range courses {
		name := nameOf(c, j)
		own := checkOne(c, name)
		problems = append(problems, own...)
		keep[j] = len(own) == 0
		timed := c.Duration <= day // longer ones are absurd, and their End may wrap
		for _, p := range own {
			if p.Code != CodeCrossesMidnight {
				timed = false
			}
		}
		if !timed {
			continue
		}
		s := slot{c.Channel, c.Weekday}
		for _, i := range mergeSorted(bySlot[s], byID[c.ID]) {
			aName, bName := nameOf(courses[i], i), name
			if aName == bName { // e.g. two courses named by the same id
				aName, bName = fmt.Sprintf("courses[%d]", i), fmt.Sprintf("courses[%d]", j)
			}
			p := pairProblem(courses[i], aName, c, bName)
			if p == nil {
				continue
			}
			problems = append(problems, p)
			if keep[i] {
				keep[j] = false
			}
		}
		bySlot[s] = append(bySlot[s], j)
		byID[c.ID] = append(byID[c.ID], j)
	}
	return problems, keep
}

// mergeSorted merges two ascending index lists, dropping duplicates, so
// problems come out in the order of the courses.
func mergeSorted(a, b []int) []int {
	out := make([]int, 0, len(a)+len(b))
	for len(a) > 0 || len(b) > 0 {
		switch {
		case len(b) == 0 || (len(a) > 0 && a[0] < b[0]):
			out, a = append(out, a[0]), a[1:]
		case len(a) == 0 || b[0] < a[0]:
			out, b = append(out, b[0]), b[1:]
		default: // equal
			out, a, b = append(out, a[0]), a[1:], b[1:]
		}
	}
	return out
}

// checkOne finds what is wrong with one course on its own.
func checkOne(c Course, name string) []*Error {
	var ps []*Error
	add := func(code int, format string, args ...any) {
		ps = append(ps, &Error{Code: code, Course: name, Msg: name + ": " + fmt.Sprintf(format, args...)})
	}
	if c.Channel == "" {
		add(CodeNoID, "no channel")
	}
	if c.ID == "" {
		add(CodeNoID, "no id")
	}
	if c.Weekday < time.Sunday || c.Weekday > time.Saturday {
		add(CodeBadTime, "weekday %d is outside 0-6 (0 = Sunday)", int(c.Weekday))
	}
	startOK := c.Start >= 0 && c.Start < day && c.Start%time.Second == 0
	if !startOK {
		add(CodeBadTime, "start %s is not a time of day 00:00:00-23:59:59 in whole seconds", clock(c.Start))
	}
	durationOK := c.Duration > 0 && c.Duration%time.Second == 0
	if !durationOK {
		add(CodeBadTime, "duration %s is not a positive number of whole seconds", c.Duration)
	}
	// c.End() > day also catches durations so long that the sum wraps.
	if startOK && durationOK && (c.Duration > day || c.End() > day) {
		ps = append(ps, &Error{Code: CodeCrossesMidnight, Course: name,
			Msg: fmt.Sprintf("%s (%s %s + %s) ends after midnight", name, weekdayName(c.Weekday), clock(c.Start), span(c.Duration))})
	}
	return ps
}

// pairProblem judges a later-listed course b against an earlier one a.
func pairProblem(a Course, aName string, b Course, bName string) *Error {
	sameSlot := a.Channel == b.Channel && a.Weekday == b.Weekday
	if sameSlot && a.Start < b.End() && b.Start < a.End() {
		return &Error{Code: CodeOverlap, Course: bName,
			Msg: fmt.Sprintf("%s (%s) overlaps %s (%s) on channel %s", bName, interval(b), aName, interval(a), b.Channel)}
	}
	if a.ID != "" && a.ID == b.ID {
		return &Error{Code: CodeNoID, Course: bName,
			Msg: fmt.Sprintf("%s: id %q is also used by %s", bName, b.ID, aName)}
	}
	return nil
}

// interval formats a course's day and times: "Wed 10:30:00-11:15:00".
func interval(c Course) string {
	return fmt.Sprintf("%s %s-%s", weekdayName(c.Weekday), clock(c.Start), clock(c.End()))
}

func nameOf(c Course, i int) string {
	switch {
	case c.Where != "":
		return c.Where
	case c.ID != "":
		return c.ID
	}
	return fmt.Sprintf("courses[%d]", i)
}
