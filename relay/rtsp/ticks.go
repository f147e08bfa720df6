package rtsp

import "time"

// ticksToDuration converts a count of clock-rate ticks to a duration without
// overflowing on streams that have been up for days.
func ticksToDuration(ticks int64, clock int) time.Duration {
	c := int64(clock)
	return time.Duration(ticks/c)*time.Second + time.Duration(ticks%c)*time.Second/time.Duration(c)
}

// durationToTicks is the inverse of ticksToDuration.
func durationToTicks(d time.Duration, clock int) int64 {
	c := int64(clock)
	sec := int64(d / time.Second)
	rem := int64(d % time.Second)
	return sec*c + rem*c/int64(time.Second)
}
