package yunlubotest

import (
	"net/url"
	"strconv"
	"strings"

	"github.com/lubo-edge/lubo/cloud/yunlubo"
)

// listCourse lists one camera's courses (an unknown camera has none).
func (s *Server) listCourse(p url.Values, _ string) (any, int) {
	cam := id(p, "camera_id")
	var rows []yunlubo.Course
	for _, v := range s.data.courses.sorted() {
		if v.CameraID == cam {
			rows = append(rows, v)
		}
	}
	render := func(v yunlubo.Course) object { return toObject(v) }
	return page(rows, render, p, true, nil), 0
}

// saveCourse is add_course and mod_course: the camera, subject and teacher
// must exist (1010), the time must not overlap another course of the same
// camera and weekday (1012); format and cross-day were checked (1011, 1013).
func saveCourse(editing bool) handler {
	return func(s *Server, p url.Values, _ string) (any, int) { return s.saveCourse(editing, p) }
}

func (s *Server) saveCourse(editing bool, p url.Values) (any, int) {
	var v yunlubo.Course
	if editing {
		old, ok := s.data.courses.rows[id(p, "course_id")]
		if !ok {
			return nil, yunlubo.CodeNoID
		}
		v = old
	}
	cam, sub, tea := id(p, "camera_id"), id(p, "subject_id"), id(p, "teacher_id")
	_, camOK := s.data.cameras.rows[cam]
	_, subOK := s.data.subjects.rows[sub]
	_, teaOK := s.data.teachers.rows[tea]
	if !camOK || !subOK || !teaOK {
		return nil, yunlubo.CodeNoID
	}
	week, _ := strconv.Atoi(strings.TrimSpace(p.Get("week_id")))
	elapse, _ := strconv.Atoi(strings.TrimSpace(p.Get("elapse_sec")))
	start, _ := yunlubo.ParseClock(strings.TrimSpace(p.Get("start_time")))
	for _, o := range s.data.courses.rows {
		if o.CourseID == v.CourseID || o.CameraID != cam || int(o.WeekID) != week {
			continue
		}
		os, _ := o.StartOfDay()
		oStart := int(os.Seconds())
		if start < oStart+int(o.ElapseSec) && oStart < start+elapse {
			return nil, yunlubo.CodeTimeOverlap
		}
	}
	now := s.touch()
	v.CameraID, v.SubjectID, v.TeacherID = cam, sub, tea
	v.WeekID, v.ElapseSec, v.RepeatID = yunlubo.Int(week), yunlubo.Int(elapse), 2
	v.StartTime, v.EndTime = s.courseTimes(start, elapse)
	v.Updated = now
	if !editing {
		v.Created = now
		v.CourseID = s.data.courses.add(0, v)
	}
	s.data.courses.rows[v.CourseID] = v
	return okAnswer(object{"course_id": v.CourseID, "camera_id": v.CameraID, "transmit": transmitOK}), 0
}

func (s *Server) delCourse(p url.Values, _ string) (any, int) {
	ids, _ := yunlubo.ParseIDList(p.Get("course_id"))
	for _, i := range ids {
		delete(s.data.courses.rows, yunlubo.Int(i))
	}
	return okAnswer(object{"transmit": transmitOK}), 0
}
