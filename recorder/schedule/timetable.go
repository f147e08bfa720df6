package schedule

import (
	"cmp"
	"fmt"
	"slices"
	"time"
)

// lookAhead is how far Next searches: a little more than a week, so every
// weekly course is found whatever the day.
const lookAhead = 8 * day

// Occurrence is one concrete lesson of a course: [Start, End).
type Occurrence struct {
	Course Course
	Start  time.Time
	End    time.Time
}

// Timetable is a valid set of weekly courses in a time zone. It is immutable
// and safe for concurrent use.
//
// An occurrence runs from the wall-clock start to the wall-clock end in the
// zone, so on the days clocks change a lesson follows the school's bells and
// lasts an hour more or less than its Duration. A start or end time that the
// change skips (02:30 on New York's spring-forward day) moves to the first
// instant after the jump (03:00 EDT); a course wholly inside the skipped hour
// does not happen that day. A time that happens twice is its first instance.
type Timetable struct {
	loc     *time.Location
	courses []Course    // sorted by weekday, start, channel, id
	byDay   [7][]Course // the same, per weekday
}

// NewTimetable checks courses with Validate and builds the timetable. The
// error joins every *Error found (use errors.As, or Split first to drop the
// bad courses).
func NewTimetable(courses []Course, loc *time.Location) (*Timetable, error) {
	if loc == nil {
		return nil, fmt.Errorf("schedule: timetable needs a time zone")
	}
	if err := joinProblems(Validate(courses)); err != nil {
		return nil, fmt.Errorf("schedule: %w", err)
	}
	return newTimetable(courses, loc), nil
}

// newTimetable builds a timetable from courses already validated.
func newTimetable(courses []Course, loc *time.Location) *Timetable {
	t := &Timetable{loc: loc, courses: slices.Clone(courses)}
	slices.SortFunc(t.courses, func(a, b Course) int {
		return cmp.Or(cmp.Compare(a.Weekday, b.Weekday), cmp.Compare(a.Start, b.Start),
			cmp.Compare(a.Channel, b.Channel), cmp.Compare(a.ID, b.ID))
	})
	for _, c := range t.courses {
		t.byDay[c.Weekday] = append(t.byDay[c.Weekday], c)
	}
	return t
}

// Location is the zone the timetable's times of day are in.
func (t *Timetable) Location() *time.Location { return t.loc }

// Courses returns the courses, sorted by weekday, start and channel.
func (t *Timetable) Courses() []Course { return slices.Clone(t.courses) }

// Current returns the occurrences running at now (Start <= now < End), at
// most one per channel, sorted by channel.
func (t *Timetable) Current(now time.Time) []Occurrence {
	occs := t.Between(now, now.Add(1))
	slices.SortFunc(occs, func(a, b Occurrence) int { return cmp.Compare(a.Course.Channel, b.Course.Channel) })
	return occs
}

// Next returns the occurrence that starts soonest after now (strictly), on
// any channel, looking up to 8 days ahead; false when there is none. Of
// occurrences starting at the same instant, the first by channel is returned.
func (t *Timetable) Next(now time.Time) (Occurrence, bool) {
	if len(t.courses) == 0 {
		return Occurrence{}, false
	}
	limit := now.Add(lookAhead)
	n := now.In(t.loc)
	// Days run in order and a day's starts lie within it, so the first day
	// holding a start after now holds the answer.
	for date, i := time.Date(n.Year(), n.Month(), n.Day(), 12, 0, 0, 0, time.UTC), 0; i <= 9; date, i = date.AddDate(0, 0, 1), i+1 {
		var best Occurrence
		found := false
		for _, o := range t.on(date) {
			if o.Start.After(now) && o.Start.Before(limit) && (!found || earlier(o, best)) {
				best, found = o, true
			}
		}
		if found {
			return best, true
		}
	}
	return Occurrence{}, false
}

// Between returns the occurrences that share time with [from, to), sorted by
// start, then channel.
func (t *Timetable) Between(from, to time.Time) []Occurrence {
	if !from.Before(to) || len(t.courses) == 0 {
		return nil
	}
	var occs []Occurrence
	f, l := from.In(t.loc), to.In(t.loc)
	// Civil dates are stepped at noon UTC, where no clock change can reach.
	// Start a day early: a course ending at midnight belongs to the day before.
	date := time.Date(f.Year(), f.Month(), f.Day()-1, 12, 0, 0, 0, time.UTC)
	last := time.Date(l.Year(), l.Month(), l.Day(), 12, 0, 0, 0, time.UTC)
	for ; !date.After(last); date = date.AddDate(0, 0, 1) {
		for _, o := range t.on(date) {
			if o.Start.Before(to) && o.End.After(from) {
				occs = append(occs, o)
			}
		}
	}
	slices.SortFunc(occs, compareOccurrences)
	return occs
}

// compareOccurrences orders by start, then channel, then id.
func compareOccurrences(a, b Occurrence) int {
	return cmp.Or(a.Start.Compare(b.Start), cmp.Compare(a.Course.Channel, b.Course.Channel), cmp.Compare(a.Course.ID, b.Course.ID))
}

func earlier(a, b Occurrence) bool { return compareOccurrences(a, b) < 0 }

// on returns the occurrences on one civil date (given at noon UTC).
func (t *Timetable) on(date time.Time) []Occurrence {
	courses := t.byDay[date.Weekday()]
	if len(courses) == 0 {
		return nil
	}
	y, m, d := date.Date()
	dc := newDayClock(y, m, d, t.loc)
	var occs []Occurrence
	for _, c := range courses {
		start, end := dc.at(c.Start), dc.at(c.End())
		if end.After(start) { // not wholly inside a skipped hour
			occs = append(occs, Occurrence{Course: c, Start: start, End: end})
		}
	}
	return occs
}
