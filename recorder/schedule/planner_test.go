package schedule_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/lubo-edge/lubo/recorder/schedule"
)

// describe lists events as "clock kind course lesson-times", in Shanghai.
func describe(got []stamped) []string {
	var s []string
	for _, e := range got {
		o := e.Occurrence
		s = append(s, fmt.Sprintf("%s %s %s %s-%s", e.at.Format("15:04:05"), e.Kind, o.Course.ID,
			o.Start.Format("15:04:05"), o.End.Format("15:04:05")))
	}
	return s
}

func checkEvents(t *testing.T, what string, got []stamped, want ...string) {
	t.Helper()
	if d := describe(got); !equalStrings(d, want) {
		t.Errorf("%s: events\n got  %q\n want %q", what, d, want)
	}
}

// shanghaiWednesday returns the zone and a clock-time maker for Wednesday
// 2025-09-03 in Shanghai.
func shanghaiWednesday(t *testing.T) (*time.Location, func(h, m, s int) time.Time) {
	loc := zone(t, "Asia/Shanghai")
	return loc, func(h, m, s int) time.Time { return date(t, loc, time.Wednesday, 2025, 9, 3, h, m, s) }
}

var lesson = course("c101", time.Wednesday, hms(10, 30, 0), 45*time.Minute) // 10:30-11:15

func TestPlannerStartsPreRollEarlyAndStopsAtTheEnd(t *testing.T) {
	loc, at := shanghaiWednesday(t)
	r := startPlanner(t, schedule.Static{lesson}, loc, schedule.PlannerOptions{PreRoll: 10 * time.Second, Refresh: time.Hour}, at(10, 0, 0))
	r.until(at(12, 0, 0))
	checkEvents(t, "first week", r.take(),
		"10:29:50 start c101-3-103000 10:30:00-11:15:00",
		"11:15:00 stop c101-3-103000 10:30:00-11:15:00")
	r.until(at(12, 0, 0).AddDate(0, 0, 7))
	got := r.take()
	checkEvents(t, "second week", got,
		"10:29:50 start c101-3-103000 10:30:00-11:15:00",
		"11:15:00 stop c101-3-103000 10:30:00-11:15:00")
	if len(got) == 2 && got[0].at.Sub(at(10, 29, 50)) != 7*24*time.Hour {
		t.Errorf("second start at %v, want a week after the first", got[0].at)
	}
}

func TestPlannerPicksUpALessonInProgressAfterAReboot(t *testing.T) {
	loc, at := shanghaiWednesday(t)
	r := startPlanner(t, schedule.Static{lesson}, loc, schedule.PlannerOptions{PreRoll: 10 * time.Second}, at(10, 40, 0))
	checkEvents(t, "at once", r.take(), "10:40:00 start c101-3-103000 10:30:00-11:15:00")
	r.until(at(12, 0, 0))
	checkEvents(t, "later", r.take(), "11:15:00 stop c101-3-103000 10:30:00-11:15:00")
}

func TestPlannerStartsWithinPreRollAtOnce(t *testing.T) {
	loc, at := shanghaiWednesday(t)
	r := startPlanner(t, schedule.Static{lesson}, loc, schedule.PlannerOptions{PreRoll: 10 * time.Second}, at(10, 29, 55))
	checkEvents(t, "at once", r.take(), "10:29:55 start c101-3-103000 10:30:00-11:15:00")
}

func TestPlannerFollowsEditsOfARunningLesson(t *testing.T) {
	loc, at := shanghaiWednesday(t)
	cases := []struct {
		name string
		edit func(*mutableSource)
		want []string
	}{
		{
			name: "extended: the stop is re-timed",
			edit: func(s *mutableSource) {
				longer := lesson
				longer.Duration = time.Hour
				s.set(longer)
			},
			want: []string{
				"10:51:00 update c101-3-103000 10:30:00-11:30:00",
				"11:30:00 stop c101-3-103000 10:30:00-11:30:00",
			},
		},
		{
			name: "shortened to before now: stops",
			edit: func(s *mutableSource) {
				shorter := lesson
				shorter.Duration = 15 * time.Minute
				s.set(shorter)
			},
			want: []string{"10:51:00 stop c101-3-103000 10:30:00-10:51:00"},
		},
		{
			name: "new teacher: an update, same times",
			edit: func(s *mutableSource) {
				other := lesson
				other.Teacher = "李老师"
				s.set(other)
			},
			want: []string{
				"10:51:00 update c101-3-103000 10:30:00-11:15:00",
				"11:15:00 stop c101-3-103000 10:30:00-11:15:00",
			},
		},
		{
			name: "renamed in the list only: nothing",
			edit: func(s *mutableSource) { s.set(named(lesson, "schedule[4]")) },
			want: []string{"11:15:00 stop c101-3-103000 10:30:00-11:15:00"},
		},
		{
			name: "removed: stops at once",
			edit: func(s *mutableSource) { s.set() },
			want: []string{"10:51:00 stop c101-3-103000 10:30:00-10:51:00"},
		},
		{
			name: "moved to the afternoon: stops, starts again then",
			edit: func(s *mutableSource) {
				s.set(course("c101", time.Wednesday, hms(14, 0, 0), 45*time.Minute))
			},
			want: []string{
				"10:51:00 stop c101-3-103000 10:30:00-10:51:00",
				"14:00:00 start c101-3-140000 14:00:00-14:45:00",
				"14:45:00 stop c101-3-140000 14:00:00-14:45:00",
			},
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			src := &mutableSource{courses: []schedule.Course{lesson}}
			r := startPlanner(t, src, loc, schedule.PlannerOptions{}, at(10, 0, 0))
			r.until(at(10, 50, 0))
			checkEvents(t, "before the edit", r.take(), "10:30:00 start c101-3-103000 10:30:00-11:15:00")
			tc.edit(src) // seen at the next refresh, 10:51
			r.until(at(16, 0, 0))
			checkEvents(t, "after the edit", r.take(), tc.want...)
		})
	}
}

func TestPlannerStartsALessonAddedWhileItRuns(t *testing.T) {
	loc, at := shanghaiWednesday(t)
	src := &mutableSource{}
	r := startPlanner(t, src, loc, schedule.PlannerOptions{Refresh: 5 * time.Minute}, at(10, 0, 0))
	r.until(at(10, 50, 0))
	checkEvents(t, "before", r.take())
	src.set(lesson)
	r.until(at(12, 0, 0))
	checkEvents(t, "after", r.take(),
		"10:55:00 start c101-3-103000 10:30:00-11:15:00",
		"11:15:00 stop c101-3-103000 10:30:00-11:15:00")
}

func TestPlannerSkipsAnInvalidCourseAndRunsTheOthers(t *testing.T) {
	loc, at := shanghaiWednesday(t)
	other := course("c102", time.Wednesday, hms(10, 30, 0), 45*time.Minute)
	overlapping := named(course("c101", time.Wednesday, hms(11, 0, 0), 45*time.Minute), "schedule[1]")
	src := schedule.Static{named(lesson, "schedule[0]"), overlapping, named(other, "schedule[2]")}
	r := startPlanner(t, src, loc, schedule.PlannerOptions{}, at(10, 0, 0))
	r.until(at(12, 0, 0))
	checkEvents(t, "day", r.take(),
		"10:30:00 start c101-3-103000 10:30:00-11:15:00",
		"10:30:00 start c102-3-103000 10:30:00-11:15:00",
		"11:15:00 stop c101-3-103000 10:30:00-11:15:00",
		"11:15:00 stop c102-3-103000 10:30:00-11:15:00")
	logs := r.logs.String()
	if !strings.Contains(logs, "code=1012") || !strings.Contains(logs, "course=schedule[1]") {
		t.Errorf("the overlap is not logged with its code and course:\n%s", logs)
	}
	if n := strings.Count(logs, "code=1012"); n != 1 {
		t.Errorf("the overlap is logged %d times in 2h of refreshes, want once", n)
	}
	if got := r.p.Timetable().Courses(); len(got) != 2 {
		t.Errorf("timetable in force has %d courses, want the 2 valid ones", len(got))
	}
}

func TestPlannerKeepsTheTimetableWhenTheSourceFails(t *testing.T) {
	loc, at := shanghaiWednesday(t)
	src := &mutableSource{courses: []schedule.Course{lesson}}
	r := startPlanner(t, src, loc, schedule.PlannerOptions{}, at(10, 40, 0))
	checkEvents(t, "start", r.take(), "10:40:00 start c101-3-103000 10:30:00-11:15:00")
	src.setFail(true)
	r.until(at(12, 0, 0))
	checkEvents(t, "while failing", r.take(), "11:15:00 stop c101-3-103000 10:30:00-11:15:00")
	if !strings.Contains(r.logs.String(), "server unreachable") {
		t.Errorf("the failure is not logged:\n%s", r.logs)
	}
}

func TestPlannerRecoversWhenTheFirstReadFails(t *testing.T) {
	loc, at := shanghaiWednesday(t)
	src := &mutableSource{courses: []schedule.Course{lesson}, fail: true}
	r := startPlanner(t, src, loc, schedule.PlannerOptions{}, at(10, 40, 0))
	checkEvents(t, "while failing", r.take())
	src.setFail(false)
	r.until(at(10, 45, 0))
	checkEvents(t, "recovered", r.take(), "10:41:00 start c101-3-103000 10:30:00-11:15:00")
}

func TestPlannerTouchingLessonsWithPreRoll(t *testing.T) {
	loc, at := shanghaiWednesday(t)
	src := schedule.Static{
		course("c101", time.Wednesday, hms(10, 0, 0), 45*time.Minute),
		course("c101", time.Wednesday, hms(10, 45, 0), 45*time.Minute),
	}
	r := startPlanner(t, src, loc, schedule.PlannerOptions{PreRoll: 10 * time.Second}, at(9, 0, 0))
	r.until(at(12, 0, 0))
	checkEvents(t, "day", r.take(),
		"09:59:50 start c101-3-100000 10:00:00-10:45:00",
		"10:44:50 start c101-3-104500 10:45:00-11:30:00",
		"10:45:00 stop c101-3-100000 10:00:00-10:45:00",
		"11:30:00 stop c101-3-104500 10:45:00-11:30:00")
}

func TestPlannerNoticesAWallClockStep(t *testing.T) {
	loc, at := shanghaiWednesday(t)
	r := startPlanner(t, schedule.Static{lesson}, loc, schedule.PlannerOptions{}, at(10, 40, 0).AddDate(-1, 0, 0))
	checkEvents(t, "a year off", r.take())
	r.clk.mu.Lock() // NTP sets the clock; the planner is asleep for at most Refresh
	r.clk.now = at(10, 40, 0)
	r.clk.mu.Unlock()
	r.until(at(10, 41, 0))
	checkEvents(t, "after the step", r.take(), "10:40:00 start c101-3-103000 10:30:00-11:15:00")
}

func TestPlannerRunsOnce(t *testing.T) {
	_, at := shanghaiWednesday(t)
	r := startPlanner(t, schedule.Static{lesson}, time.UTC, schedule.PlannerOptions{}, at(9, 0, 0))
	if err := r.p.Run(context.Background()); err == nil {
		t.Error("a second Run did not fail")
	}
}

func TestPlannerWithTheRealClockEndsOnCancel(t *testing.T) {
	p := schedule.NewPlanner(schedule.Static{lesson}, nil, schedule.PlannerOptions{})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- p.Run(ctx) }()
	cancel()
	if err := <-done; err != nil {
		t.Errorf("Run = %v, want nil after cancel", err)
	}
	for range p.Events() { // must be closed
	}
}
