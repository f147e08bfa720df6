package schedule

import (
	"context"
	"slices"
)

// CourseSource supplies the courses to record: the config's schedule now, the
// 云录播 server later. The Planner reads it again every refresh; a source
// may return invalid courses (they are logged and skipped) and may fail (the
// last good timetable stays in force).
type CourseSource interface {
	Courses(ctx context.Context) ([]Course, error)
}

// Static is a fixed list of courses, e.g. from FromConfig.
type Static []Course

// Courses returns a copy of the list.
func (s Static) Courses(context.Context) ([]Course, error) { return slices.Clone(s), nil }

// SourceFunc adapts a function to CourseSource, e.g. one that converts the
// config currently loaded so a hot reload reaches the Planner.
type SourceFunc func(ctx context.Context) ([]Course, error)

// Courses calls fn.
func (fn SourceFunc) Courses(ctx context.Context) ([]Course, error) { return fn(ctx) }
