package schedule_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/lubo-edge/lubo/recorder/schedule"
)

// schoolWeek is a large school: 40 classrooms, 8 lessons a day, Monday to
// Friday.
func schoolWeek() []schedule.Course {
	var courses []schedule.Course
	for room := range 40 {
		for wd := time.Monday; wd <= time.Friday; wd++ {
			for l := range 8 {
				courses = append(courses, course(fmt.Sprintf("c%03d", room), wd, hms(8+l, 0, 0), 45*time.Minute))
			}
		}
	}
	return courses
}

func BenchmarkValidate(b *testing.B) {
	courses := schoolWeek()
	for b.Loop() {
		if len(schedule.Validate(courses)) != 0 {
			b.Fatal("problems")
		}
	}
}

func BenchmarkCurrent(b *testing.B) {
	tt := mustTimetable(b, zone(b, "Asia/Shanghai"), schoolWeek()...)
	now := time.Date(2025, 9, 3, 10, 30, 0, 0, zone(b, "Asia/Shanghai"))
	for b.Loop() {
		if len(tt.Current(now)) != 40 {
			b.Fatal("not 40 lessons")
		}
	}
}

func BenchmarkNext(b *testing.B) {
	tt := mustTimetable(b, zone(b, "America/New_York"), schoolWeek()...)
	now := time.Date(2025, 9, 5, 17, 0, 0, 0, zone(b, "America/New_York")) // Friday evening: Monday is next
	for b.Loop() {
		if _, ok := tt.Next(now); !ok {
			b.Fatal("nothing next")
		}
	}
}
