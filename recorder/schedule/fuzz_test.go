package schedule_test

import (
	"encoding/binary"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/lubo-edge/lubo/recorder/schedule"
)

func FuzzParseTimeOfDay(f *testing.F) {
	for _, tc := range parseCases {
		f.Add(tc.in)
	}
	f.Fuzz(func(t *testing.T, s string) {
		d, err := schedule.ParseTimeOfDay(s)
		if err != nil {
			var se *schedule.Error
			if !errors.As(err, &se) || se.Code != schedule.CodeBadTime {
				t.Fatalf("ParseTimeOfDay(%q) error %v is not a 1011 *Error", s, err)
			}
			return
		}
		if d < 0 || d >= 24*time.Hour || d%time.Second != 0 {
			t.Fatalf("ParseTimeOfDay(%q) = %v, outside a day or not whole seconds", s, d)
		}
		canonical := fmt.Sprintf("%02d:%02d:%02d", d/time.Hour, d/time.Minute%60, d/time.Second%60)
		if s != canonical && s+":00" != canonical {
			t.Fatalf("ParseTimeOfDay(%q) = %v, which is %s", s, d, canonical)
		}
	})
}

// coursesFromBytes decodes 8 bytes per course: channel, weekday (signed),
// start in 2 s units (about 36h of range), duration in signed 10 s units
// (about ±91h), an id flag and a fraction, so the fuzzer reaches valid,
// overlapping, midnight-crossing and malformed courses alike.
func coursesFromBytes(data []byte) []schedule.Course {
	var courses []schedule.Course
	for ; len(data) >= 8; data = data[8:] {
		c := schedule.Course{
			Channel:  []string{"c101", "c102", "", "c103"}[data[0]%4],
			Weekday:  time.Weekday(int8(data[1])),
			Start:    time.Duration(binary.BigEndian.Uint16(data[2:4])) * 2 * time.Second,
			Duration: time.Duration(int16(binary.BigEndian.Uint16(data[4:6]))) * 10 * time.Second,
		}
		switch data[6] % 4 {
		case 0:
			c.ID = schedule.CourseID(c.Channel, c.Weekday, c.Start)
		case 1:
			c.ID = fmt.Sprint(data[6] / 4 % 4) // a few server ids, often shared
		case 2:
			c.Where = fmt.Sprintf("schedule[%d]", data[6]/4)
			c.ID = schedule.CourseID(c.Channel, c.Weekday, c.Start)
		}
		if data[7]%2 == 1 {
			c.Start += time.Duration(data[7]) * time.Millisecond
		}
		if data[7] == 255 {
			c.Duration = time.Duration(1<<63 - 1) // sums must not wrap into validity
		}
		courses = append(courses, c)
	}
	return courses
}

func FuzzValidate(f *testing.F) {
	seed := func(cs ...[8]byte) []byte {
		var b []byte
		for _, c := range cs {
			b = append(b, c[:]...)
		}
		return b
	}
	// 10:30 (18900 x 2 s) for 45m (270 x 10 s) on Wednesday, and variations.
	f.Add(seed([8]byte{0, 3, 0x49, 0xd4, 0x01, 0x0e, 0, 0}))
	f.Add(seed([8]byte{0, 3, 0x49, 0xd4, 0x01, 0x0e, 0, 0}, [8]byte{0, 3, 0x4a, 0x92, 0x01, 0x0e, 2, 0}))
	f.Add(seed([8]byte{1, 5, 0xa4, 0x1a, 0x01, 0x0e, 1, 0}, [8]byte{2, 9, 0xff, 0xff, 0xff, 0x00, 1, 255}))
	f.Add(seed([8]byte{0, 0, 0, 0, 0x21, 0xc0, 0, 0}, [8]byte{3, 0, 0x0e, 0x10, 0x01, 0x0e, 5, 3}))

	locs := []*time.Location{time.UTC, zone(f, "Asia/Shanghai"), zone(f, "America/New_York")}
	week := time.Date(2024, 3, 7, 0, 0, 0, 0, time.UTC) // spans New York's spring-forward

	f.Fuzz(func(t *testing.T, data []byte) {
		courses := coursesFromBytes(data)
		problems := schedule.Validate(courses)
		for _, p := range problems {
			if p.Code < schedule.CodeNoID || p.Code > schedule.CodeCrossesMidnight || p.Course == "" || p.Msg == "" {
				t.Fatalf("malformed problem %+v", p)
			}
		}
		kept, problems2 := schedule.Split(courses)
		if len(problems2) != len(problems) {
			t.Fatalf("Split found %d problems, Validate %d", len(problems2), len(problems))
		}
		if (len(problems) == 0) != (len(kept) == len(courses)) {
			t.Fatalf("%d problems but %d of %d courses kept", len(problems), len(kept), len(courses))
		}
		if again := schedule.Validate(kept); len(again) != 0 {
			t.Fatalf("kept courses still have problems: %v", again)
		}
		for _, loc := range locs {
			tt, err := schedule.NewTimetable(kept, loc)
			if err != nil {
				t.Fatalf("kept courses make no timetable in %v: %v", loc, err)
			}
			last := map[string]time.Time{}
			for _, o := range tt.Between(week, week.AddDate(0, 0, 8)) {
				if !o.Start.Before(o.End) {
					t.Fatalf("%s runs from %v to %v", o.Course.ID, o.Start, o.End)
				}
				if end, ok := last[o.Course.Channel]; ok && o.Start.Before(end) {
					t.Fatalf("%s at %v overlaps the lesson before it on %s (ends %v)", o.Course.ID, o.Start, o.Course.Channel, end)
				}
				last[o.Course.Channel] = o.End
			}
		}
	})
}
