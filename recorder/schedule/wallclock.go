package schedule

import "time"

// dayClock turns wall-clock times of day on one civil date in a zone into
// instants.
//
// time.Date is not enough on the days clocks change: for a time that does
// not exist it may move backwards (02:30 on New York's spring-forward day
// becomes 01:30 EST), and for a time that happens twice it picks either
// instance depending on the zone. The rules here are fixed:
//   - a time that happens twice (clocks going back) is its first instance;
//   - a time that does not exist (clocks jumping forward) is the first
//     instant after the jump, e.g. 02:30 becomes 03:00 EDT.
//
// Both keep later wall-clock times at later-or-equal instants, so courses
// that do not overlap on the wall clock never overlap in real time.
type dayClock struct {
	loc      *time.Location
	midnight time.Time // the date's midnight wall reading, written as if UTC
	steady   bool      // one UTC offset holds all day (most days)
	offset   time.Duration
}

// UTC offsets lie within these bounds, so a wall reading written as if UTC
// is within 16h of the true instant.
const offsetSlack = 16 * time.Hour

func newDayClock(y int, m time.Month, d int, loc *time.Location) dayClock {
	dc := dayClock{loc: loc, midnight: time.Date(y, m, d, 0, 0, 0, 0, time.UTC)}
	first := dc.midnight.Add(-offsetSlack).In(loc)
	_, offset := first.Zone()
	_, zoneEnd := first.ZoneBounds()
	dc.offset = time.Duration(offset) * time.Second
	dc.steady = zoneEnd.IsZero() || zoneEnd.After(dc.midnight.Add(day+offsetSlack))
	return dc
}

// at returns the instant the wall clock shows off after midnight (off may
// be 24h: the next midnight).
func (dc dayClock) at(off time.Duration) time.Time {
	wall := dc.midnight.Add(off)
	if dc.steady {
		return wall.Add(-dc.offset).In(dc.loc)
	}
	var first, latest time.Time
	// Probing well outside ±16h of wall finds the offsets before and after
	// the change; the middle probe catches anything between.
	for _, probe := range [...]time.Duration{-30 * time.Hour, 0, 30 * time.Hour} {
		_, offset := wall.Add(probe).In(dc.loc).Zone()
		candidate := wall.Add(-time.Duration(offset) * time.Second)
		if wallOf(candidate, dc.loc).Equal(wall) && (first.IsZero() || candidate.Before(first)) {
			first = candidate
		}
		if candidate.After(latest) {
			latest = candidate
		}
	}
	if !first.IsZero() {
		return first.In(dc.loc)
	}
	// A gap: the latest candidate lies after the jump, so the zone it is in
	// began at the jump, the first instant the clock shows a later time.
	if jump, _ := latest.In(dc.loc).ZoneBounds(); !jump.IsZero() && jump.Before(latest) {
		return jump.In(dc.loc)
	}
	return latest.In(dc.loc)
}

// wallOf is the wall-clock reading of t in loc, written as if UTC.
func wallOf(t time.Time, loc *time.Location) time.Time {
	_, offset := t.In(loc).Zone()
	return t.UTC().Add(time.Duration(offset) * time.Second)
}
