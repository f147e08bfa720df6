package configs

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Record sets how recordings are sliced, snapshotted and kept.
type Record struct {
	// Slice is the length of one recording file, 0 to 30m; 0 writes one file
	// per course. Files are cut at a keyframe. Default 30m.
	Slice time.Duration `yaml:"slice"`

	// OverlapKeyframes is how many keyframe intervals (GOPs) at the end of a
	// slice are repeated at the start of the next one, 0 to 3. Default 1.
	OverlapKeyframes int `yaml:"overlap_keyframes"`

	// SnapshotInterval is how often a JPEG snapshot of each live channel is
	// taken; 0 turns snapshots off. Default 2m.
	SnapshotInterval time.Duration `yaml:"snapshot_interval"`

	// PreRoll is how long before a course's start the recorder attaches to
	// the channel (starting an on-demand source), 0 to 60s, so the file can
	// begin on the keyframe at or just before the start. Default 10s.
	PreRoll time.Duration `yaml:"pre_roll"`

	// MinFree is the share of the data disk retention keeps free by deleting
	// the oldest recordings, "0%" to "90%". Default "10%".
	// Use MinFreePercent for the number.
	MinFree string `yaml:"min_free"`

	// MaxAge deletes recordings older than this; 0 keeps them until space
	// is needed. Default 0.
	MaxAge time.Duration `yaml:"max_age"`
}

// MinFreePercent returns MinFree as a number from 0 to 100, or the default
// 10 when it does not parse (Parse has reported that as a problem).
func (r Record) MinFreePercent() float64 {
	p, err := parsePercent(r.MinFree)
	if err != nil {
		return defaultMinFreePercent
	}
	return p
}

// Course is one weekly course of the local schedule. Overlaps and courses
// crossing midnight are judged by the recorder, not here.
type Course struct {
	// Channel is the id of the channel to record. Required.
	Channel string `yaml:"channel"`
	// Weekday is the day of the week, 0 (Sunday) to 6. Required.
	Weekday time.Weekday `yaml:"weekday"`
	// Start is the local time of day the course starts, "HH:MM:SS" (or
	// "HH:MM"). Required. Use StartOfDay for the offset.
	Start string `yaml:"start"`
	// Duration is how long the course lasts, more than 0 and at most 24h.
	// Required.
	Duration time.Duration `yaml:"duration"`
	// Subject is the course's subject, shown and sent to clouds. Optional.
	Subject string `yaml:"subject"`
	// Teacher is the teacher's name. Optional.
	Teacher string `yaml:"teacher"`

	// Origin is the Overlay that added the course ("" for the file).
	Origin string `yaml:"-"`
	// ExternalID is the course's id where it came from (a 云录播 server's
	// course_id, the box API's key); "" for the file's courses.
	ExternalID string `yaml:"-"`
}

// StartOfDay returns Start as the offset from local midnight, or 0 when it
// does not parse (Parse has reported that as a problem).
func (c Course) StartOfDay() time.Duration {
	d, err := parseTimeOfDay(c.Start)
	if err != nil {
		return 0
	}
	return d
}

// parseTimeOfDay reads "HH:MM:SS" or "HH:MM" into an offset from midnight.
func parseTimeOfDay(s string) (time.Duration, error) {
	parts := strings.Split(s, ":")
	if len(parts) != 2 && len(parts) != 3 {
		return 0, fmt.Errorf("want HH:MM:SS")
	}
	limits := []int{23, 59, 59}
	units := []time.Duration{time.Hour, time.Minute, time.Second}
	var d time.Duration
	for i, p := range parts {
		if len(p) != 2 || p[0] < '0' || p[0] > '9' || p[1] < '0' || p[1] > '9' {
			return 0, fmt.Errorf("want two digits per field")
		}
		n, err := strconv.Atoi(p)
		if err != nil || n < 0 || n > limits[i] {
			return 0, fmt.Errorf("field %d out of range", i+1)
		}
		d += time.Duration(n) * units[i]
	}
	return d, nil
}

// parsePercent reads "N%" (N may have a fraction) into N.
func parsePercent(s string) (float64, error) {
	num, ok := strings.CutSuffix(strings.TrimSpace(s), "%")
	if !ok {
		return 0, fmt.Errorf("want N%%")
	}
	p, err := strconv.ParseFloat(strings.TrimSpace(num), 64)
	if err != nil || p != p { // p != p rejects NaN
		return 0, fmt.Errorf("want N%%")
	}
	return p, nil
}
