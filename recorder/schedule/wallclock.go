package schedule

import "time"

// atWallClock returns the instant at which the wall clock in loc shows the
// time of day off on the civil date y-m-d (off may be 24h: the next midnight).
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
func atWallClock(y int, m time.Month, d int, off time.Duration, loc *time.Location) time.Time {
	wall := time.Date(y, m, d, 0, 0, 0, 0, time.UTC).Add(off) // the wall reading, written as if UTC
	var first, latest time.Time
	// The true instant is within ±14h of wall; probing well outside that on
	// both sides finds the offsets before and after any change that day.
	for _, probe := range [...]time.Duration{-30 * time.Hour, 0, 30 * time.Hour} {
		_, offset := wall.Add(probe).In(loc).Zone()
		candidate := wall.Add(-time.Duration(offset) * time.Second)
		if wallOf(candidate, loc).Equal(wall) && (first.IsZero() || candidate.Before(first)) {
			first = candidate
		}
		if candidate.After(latest) {
			latest = candidate
		}
	}
	if !first.IsZero() {
		return first
	}
	// A gap: the latest candidate lies after the jump, so the zone it is in
	// began at the jump, the first instant the clock shows a later time.
	if jump, _ := latest.In(loc).ZoneBounds(); !jump.IsZero() && jump.Before(latest) {
		return jump
	}
	return latest
}

// wallOf is the wall-clock reading of t in loc, written as if UTC.
func wallOf(t time.Time, loc *time.Location) time.Time {
	_, offset := t.In(loc).Zone()
	return t.UTC().Add(time.Duration(offset) * time.Second)
}
