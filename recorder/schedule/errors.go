package schedule

import (
	"errors"
	"fmt"
)

// The 云录播 error codes for courses, so a problem found here reads the same
// as one the server reports.
const (
	// CodeNoID (没有编号): a course without a channel or an id, or whose id
	// is used by another course.
	CodeNoID = 1010
	// CodeBadTime (输入日期格式不正确): a start that is not a time of day
	// 00:00:00-23:59:59, a duration of 0 or less, a time that is not whole
	// seconds, or a weekday outside 0-6.
	CodeBadTime = 1011
	// CodeOverlap (输入时间与已有时间发生重叠): two courses on one channel
	// and weekday share some time. Touching ends (10:00-10:45, 10:45-11:30)
	// do not overlap.
	CodeOverlap = 1012
	// CodeCrossesMidnight (不支持跨天任务): a course that ends after
	// midnight. Ending at midnight exactly is allowed.
	CodeCrossesMidnight = 1013
)

// Error is one problem with a course. Check for it with errors.As.
type Error struct {
	// Code is one of the Code constants.
	Code int
	// Course names the course at fault: its Where ("schedule[2]") or its ID.
	// For an overlap it is the later-listed of the two courses.
	Course string
	// Msg says what is wrong, naming the course(s) and their times.
	Msg string
}

func (e *Error) Error() string { return fmt.Sprintf("%s (error %d)", e.Msg, e.Code) }

// joinProblems joins problems into one error that errors.As can search, or
// nil when there are none.
func joinProblems(problems []*Error) error {
	if len(problems) == 0 {
		return nil
	}
	errs := make([]error, len(problems))
	for i, p := range problems {
		errs[i] = p
	}
	return errors.Join(errs...)
}
