package boxapi

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/lubo-edge/lubo/cloud/yunlubo"
	"github.com/lubo-edge/lubo/recorder/schedule"
	"github.com/lubo-edge/lubo/storage"
)

// ttCourse is a course of the effective timetable with its API number.
type ttCourse struct {
	number  int64
	key     string // the timetable's id
	origin  Origin
	channel string
	weekday int
	start   int // seconds after midnight
	elapse  int // seconds
	subject string
	teacher string
	stored  *storage.BoxCourse // API courses only
}

// timetable is the daemon's courses (config, server) and the API's own.
func (h *Handler) timetable() ([]ttCourse, error) {
	var out []ttCourse
	for _, c := range h.opts.Box.Courses() {
		if c.Origin == OriginAPI {
			continue // the store has these
		}
		var prefer uint64
		if c.Origin == OriginServer {
			prefer, _ = strconv.ParseUint(c.ID, 10, 63)
		}
		n, err := h.opts.DB.BoxNumber(storage.BoxKindCourse, c.ID, prefer)
		if err != nil {
			return nil, err
		}
		out = append(out, ttCourse{number: int64(n), key: c.ID, origin: c.Origin, channel: c.Channel,
			weekday: int(c.Weekday), start: int(c.Start / time.Second), elapse: int(c.Duration / time.Second),
			subject: c.Subject, teacher: c.Teacher})
	}
	stored, err := h.opts.DB.BoxCourses()
	if err != nil {
		return nil, err
	}
	for i := range stored {
		s := &stored[i]
		out = append(out, ttCourse{number: int64(s.Number), key: s.Key(), origin: OriginAPI, channel: s.Channel,
			weekday: s.Weekday, start: s.StartSec, elapse: s.ElapseSec, subject: s.Subject, teacher: s.Teacher, stored: s})
	}
	return out, nil
}

type courseRow struct {
	CourseID  int64  `json:"course_id"`
	CameraID  int64  `json:"camera_id"`
	SubjectID int64  `json:"subject_id"`
	TeacherID int64  `json:"teacher_id"`
	RepeatID  int    `json:"repeat_id"`
	WeekID    int    `json:"week_id"`
	ElapseSec int    `json:"elapse_sec"`
	StartTime string `json:"start_time"`
	EndTime   string `json:"end_time"`
	Created   string `json:"created"`
	Updated   string `json:"updated"`
}

// listCourse is §3.27: one channel's courses. The date part of start_time
// "is not valid" (only the time counts); the box writes the date of that
// weekday in the current week.
func (h *Handler) listCourse(c *call) (any, *refusal) {
	cam, ref := h.cameraByNumber(c, "camera_id")
	if ref != nil {
		return nil, ref
	}
	courses, err := h.timetable()
	if err != nil {
		return nil, h.storeFailed(c, err)
	}
	subjects, teachers, err := h.names()
	if err != nil {
		return nil, h.storeFailed(c, err)
	}
	now := h.opts.Now().In(h.opts.Location)
	sunday := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, h.opts.Location).AddDate(0, 0, -int(now.Weekday()))
	var rows []courseRow
	for _, co := range courses {
		if co.channel != cam.ID {
			continue
		}
		day := sunday.AddDate(0, 0, co.weekday)
		start := day.Add(time.Duration(co.start) * time.Second)
		row := courseRow{CourseID: co.number, CameraID: cam.number, RepeatID: 2, WeekID: co.weekday, ElapseSec: co.elapse,
			StartTime: start.Format(time.DateTime), EndTime: start.Add(time.Duration(co.elapse) * time.Second).Format(time.DateTime),
			SubjectID: findID(subjects, co.subject), TeacherID: findID(teachers, co.teacher)}
		if co.stored != nil {
			row.SubjectID, row.TeacherID = co.stored.SubjectID, co.stored.TeacherID
			row.Created, row.Updated = h.stamp(co.stored.Created), h.stamp(co.stored.Updated)
		}
		rows = append(rows, row)
	}
	return paginate(c.p, rows, true), nil
}

// courseEditable refuses edits of courses the API does not own.
func courseEditable(co *ttCourse) *refusal {
	switch co.origin {
	case OriginAPI:
		return nil
	case OriginServer:
		return refuseWhy(yunlubo.CodeNoAPIAccess, fmt.Sprintf(
			"录像任务 %d 由云录播服务器管理, 请在服务器上修改 (course %d belongs to the 云录播 server, which is the source of truth: edit it there)", co.number, co.number))
	default:
		return refuseWhy(yunlubo.CodeNoAPIAccess, fmt.Sprintf(
			"录像任务 %d 在配置文件中定义, 请修改配置文件 (course %d is in the config file's schedule: edit it there)", co.number, co.number))
	}
}

func (h *Handler) addCourse(c *call) (any, *refusal) { return h.saveCourse(c, false) }

func (h *Handler) modCourse(c *call) (any, *refusal) { return h.saveCourse(c, true) }

// saveCourse is add_course (§3.28) and mod_course (§3.29): the channel,
// subject and teacher must exist (1010), and the course is judged with the
// rest of the timetable exactly as the config's schedule is (recorder/
// schedule.Validate: 1011 format, 1012 overlap, 1013 past midnight).
func (h *Handler) saveCourse(c *call, editing bool) (any, *refusal) {
	h.edit.Lock()
	defer h.edit.Unlock()
	courses, err := h.timetable()
	if err != nil {
		return nil, h.storeFailed(c, err)
	}
	var bc storage.BoxCourse
	if editing {
		n, _ := yunlubo.ParseID(c.p.Get("course_id"))
		var old *ttCourse
		for i := range courses {
			if courses[i].number == n {
				old = &courses[i]
			}
		}
		if old == nil {
			return nil, refuseWhy(yunlubo.CodeNoID, fmt.Sprintf("没有编号, 请确认参数 (no course_id %d on this box)", n))
		}
		if ref := courseEditable(old); ref != nil {
			return nil, ref
		}
		bc = *old.stored
	}
	cam, ref := h.cameraByNumber(c, "camera_id")
	if ref != nil {
		return nil, ref
	}
	if cam.Origin == OriginServer && h.opts.Box.ServerConfigured() {
		return nil, refuseWhy(yunlubo.CodeNoAPIAccess, fmt.Sprintf(
			"通道 %d 的录像任务由云录播服务器管理 (channel %s's courses come from the 云录播 server: add them there)", cam.number, cam.ID))
	}
	subjects, teachers, err := h.names()
	if err != nil {
		return nil, h.storeFailed(c, err)
	}
	subjectID, _ := yunlubo.ParseID(c.p.Get("subject_id"))
	teacherID, _ := yunlubo.ParseID(c.p.Get("teacher_id"))
	subject, okS := findName(subjects, subjectID)
	teacher, okT := findName(teachers, teacherID)
	switch {
	case !okS:
		return nil, refuseWhy(yunlubo.CodeNoID, fmt.Sprintf("没有编号, 请确认参数 (no subject_id %d; see list_subject)", subjectID))
	case !okT:
		return nil, refuseWhy(yunlubo.CodeNoID, fmt.Sprintf("没有编号, 请确认参数 (no teacher_id %d; see list_teacher)", teacherID))
	}
	// ValidateParams has read these already (1011 and 1013 answered there).
	week, _ := strconv.Atoi(strings.TrimSpace(c.p.Get("week_id")))
	elapse, _ := strconv.Atoi(strings.TrimSpace(c.p.Get("elapse_sec")))
	start, _ := yunlubo.ParseClock(strings.TrimSpace(c.p.Get("start_time")))
	bc.Channel, bc.Subject, bc.SubjectID, bc.Teacher, bc.TeacherID = cam.ID, subject, subjectID, teacher, teacherID
	bc.Weekday, bc.StartSec, bc.ElapseSec = week, start, elapse
	if ref := judge(courses, bc, editing); ref != nil {
		return nil, ref
	}
	if err := h.opts.DB.PutBoxCourse(&bc); err != nil {
		return nil, h.storeFailed(c, err)
	}
	h.log.Info("boxapi: course saved", "course", bc.Number, "channel", bc.Channel, "weekday", bc.Weekday,
		"start", yunlubo.FormatClock(bc.StartSec), "elapse_sec", bc.ElapseSec)
	h.changed()
	return struct {
		ErrCode  int      `json:"err_code"`
		ErrMsg   string   `json:"err_msg"`
		CourseID int64    `json:"course_id"`
		CameraID int64    `json:"camera_id"`
		Transmit transmit `json:"transmit"`
	}{0, "OK", int64(bc.Number), cam.number, okAnswer}, nil
}

// candidate names the course being saved in schedule's problems.
const candidate = "the new course"

// judge validates the timetable with bc in it (in place of itself when
// editing), and answers the first problem of bc.
func judge(courses []ttCourse, bc storage.BoxCourse, editing bool) *refusal {
	list := make([]schedule.Course, 0, len(courses)+1)
	for _, co := range courses {
		if editing && co.stored != nil && co.stored.Number == bc.Number {
			continue
		}
		list = append(list, schedule.Course{ID: co.key, Channel: co.channel, Weekday: time.Weekday(co.weekday),
			Start: time.Duration(co.start) * time.Second, Duration: time.Duration(co.elapse) * time.Second,
			Where: "course_id " + strconv.FormatInt(co.number, 10)})
	}
	id := "pending"
	if editing {
		id = bc.Key()
	}
	list = append(list, schedule.Course{ID: id, Channel: bc.Channel, Weekday: time.Weekday(bc.Weekday),
		Start: time.Duration(bc.StartSec) * time.Second, Duration: time.Duration(bc.ElapseSec) * time.Second, Where: candidate})
	for _, p := range schedule.Validate(list) {
		if p.Course != candidate {
			continue
		}
		return refuseWhy(p.Code, yunlubo.Meaning(yunlubo.EndpointAddCourse, p.Code)+" ("+p.Msg+")")
	}
	return nil
}

// delCourse is §3.30: every id must be an API course, or nothing is deleted.
func (h *Handler) delCourse(c *call) (any, *refusal) {
	h.edit.Lock()
	defer h.edit.Unlock()
	ids, _ := yunlubo.ParseIDList(c.p.Get("course_id"))
	courses, err := h.timetable()
	if err != nil {
		return nil, h.storeFailed(c, err)
	}
	var numbers []uint64
	for _, n := range ids {
		var found *ttCourse
		for i := range courses {
			if courses[i].number == n {
				found = &courses[i]
			}
		}
		if found == nil {
			return nil, refuseWhy(yunlubo.CodeNoID, fmt.Sprintf("没有编号, 请确认参数 (no course_id %d on this box)", n))
		}
		if ref := courseEditable(found); ref != nil {
			return nil, ref
		}
		numbers = append(numbers, uint64(n))
	}
	if err := h.opts.DB.DeleteBoxCourses(numbers); err != nil {
		return nil, h.storeFailed(c, err)
	}
	h.log.Info("boxapi: courses deleted", "courses", numbers)
	h.changed()
	return transmitOK, nil
}
