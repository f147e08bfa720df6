package yunlubotest

import (
	"fmt"
	"net/url"
	"strconv"
	"strings"

	"github.com/lubo-edge/lubo/cloud/yunlubo"
)

// handler answers a request whose token and parameters passed the checks;
// it runs under s.mu and returns an answer or a non-zero err_code.
type handler func(s *Server, p url.Values, host string) (any, int)

var handlers map[string]handler

func init() {
	handlers = map[string]handler{
		yunlubo.EndpointVersion:         (*Server).version,
		yunlubo.EndpointAccessToken:     (*Server).accessToken,
		yunlubo.EndpointListSchool:      (*Server).listSchool,
		yunlubo.EndpointAddSchool:       (*Server).addSchool,
		yunlubo.EndpointModSchool:       (*Server).modSchool,
		yunlubo.EndpointDelSchool:       delRows(func(t *tables) deleter { return t.schools }, "school_id"),
		yunlubo.EndpointListSubject:     (*Server).listSubject,
		yunlubo.EndpointAddSubject:      (*Server).addSubject,
		yunlubo.EndpointModSubject:      (*Server).modSubject,
		yunlubo.EndpointDelSubject:      delRows(func(t *tables) deleter { return t.subjects }, "subject_id"),
		yunlubo.EndpointListGrade:       (*Server).listGrade,
		yunlubo.EndpointListTeacher:     (*Server).listTeacher,
		yunlubo.EndpointAddTeacher:      (*Server).addTeacher,
		yunlubo.EndpointModTeacher:      (*Server).modTeacher,
		yunlubo.EndpointDelTeacher:      delRows(func(t *tables) deleter { return t.teachers }, "teacher_id"),
		yunlubo.EndpointListGather:      (*Server).listGather,
		yunlubo.EndpointModGather:       (*Server).modGather,
		yunlubo.EndpointListCamera:      (*Server).listCamera,
		yunlubo.EndpointAddCamera:       (*Server).addCamera,
		yunlubo.EndpointModCamera:       (*Server).modCamera,
		yunlubo.EndpointDelCamera:       (*Server).delCamera,
		yunlubo.EndpointGetCameraStatus: (*Server).cameraStatus,
		yunlubo.EndpointStartCamera:     cameraSwitch(1),
		yunlubo.EndpointStopCamera:      cameraSwitch(0),
		yunlubo.EndpointListRecord:      (*Server).listRecord,
		yunlubo.EndpointDelRecord:       delRows(func(t *tables) deleter { return t.records }, "record_id"),
		yunlubo.EndpointListCourse:      (*Server).listCourse,
		yunlubo.EndpointAddCourse:       saveCourse(false),
		yunlubo.EndpointModCourse:       saveCourse(true),
		yunlubo.EndpointDelCourse:       (*Server).delCourse,
		yunlubo.EndpointPlayCamera:      (*Server).playCamera,
		yunlubo.EndpointPlayRecord:      (*Server).playRecord,
	}
}

// transmitOK stands for the relay server's answer, whose format the
// document does not give.
var transmitOK = object{"err_code": 0, "err_msg": "OK"}

func (s *Server) version(url.Values, string) (any, int) {
	return object{"API": "v1", "Name": "云录播", "Version": "1.1.0", "Server": "Linux 2.6 x86_64"}, 0
}

// accessToken: a malformed unionid is 1001, an unknown one 1002, an account
// without API access 1003 (1004 only through FailCode).
func (s *Server) accessToken(p url.Values, _ string) (any, int) {
	uid := p.Get("unionid")
	if !unionidPattern.MatchString(uid) {
		return nil, yunlubo.CodeInvalidUnionID
	}
	access, known := s.accounts[uid]
	switch {
	case !known:
		return nil, yunlubo.CodeAccountNotFound
	case !access:
		return nil, yunlubo.CodeNoAPIAccess
	}
	tok := newToken()
	s.tokens[tok] = s.now.Add(TokenLifetime)
	s.issued++
	return okAnswer(object{"token": tok, "expires": int(TokenLifetime.Seconds())}), 0
}

func id(p url.Values, k string) yunlubo.Int {
	v, _ := yunlubo.ParseID(p.Get(k))
	return yunlubo.Int(v)
}

// optInt reads an optional integer; a missing or malformed one leaves *dst
// unchanged (the document gives no code for it).
func optInt(p url.Values, k string, dst *yunlubo.Int) {
	if v, err := strconv.ParseInt(strings.TrimSpace(p.Get(k)), 10, 64); err == nil && p.Has(k) {
		*dst = yunlubo.Int(v)
	}
}

func optString(p url.Values, k string, dst *string) {
	if p.Has(k) {
		*dst = p.Get(k)
	}
}

func (s *Server) touch() string { return s.now.Format(stampLayout) }

// --- schools ---

func (s *Server) listSchool(p url.Values, _ string) (any, int) {
	render := func(v yunlubo.School) object { return asStrings(toObject(v), "school_id") }
	return page(s.data.schools.sorted(), render, p, false, nil), 0
}

func (s *Server) addSchool(p url.Values, _ string) (any, int) {
	now := s.touch()
	v := yunlubo.School{Name: p.Get("name"), Addr: p.Get("addr"), Phone: p.Get("phone"), Created: now, Updated: now}
	v.SchoolID = s.data.schools.add(0, v)
	s.data.schools.rows[v.SchoolID] = v
	return okAnswer(object{"school_id": v.SchoolID}), 0
}

func (s *Server) modSchool(p url.Values, _ string) (any, int) {
	v, ok := s.data.schools.rows[id(p, "school_id")]
	if !ok {
		return nil, yunlubo.CodeNoID
	}
	v.Name, v.Addr, v.Updated = p.Get("name"), p.Get("addr"), s.touch()
	optString(p, "phone", &v.Phone)
	s.data.schools.rows[v.SchoolID] = v
	return okAnswer(nil), 0
}

// deleter is a table as del_* sees it.
type deleter interface{ remove(yunlubo.Int) }

func (t *table[T]) remove(id yunlubo.Int) { delete(t.rows, id) }

// delRows deletes the listed ids; ids that do not exist are ignored.
func delRows(tbl func(*tables) deleter, key string) handler {
	return func(s *Server, p url.Values, _ string) (any, int) {
		ids, _ := yunlubo.ParseIDList(p.Get(key))
		for _, i := range ids {
			tbl(&s.data).remove(yunlubo.Int(i))
		}
		return okAnswer(nil), 0
	}
}

// --- subjects, grades, teachers ---

func (s *Server) listSubject(p url.Values, _ string) (any, int) {
	render := func(v yunlubo.Subject) object { return asStrings(toObject(v), "subject_id") }
	return page(s.data.subjects.sorted(), render, p, false, nil), 0
}

func (s *Server) addSubject(p url.Values, _ string) (any, int) {
	now := s.touch()
	v := yunlubo.Subject{SubjectName: p.Get("subject_name"), Created: now, Updated: now}
	v.SubjectID = s.data.subjects.add(0, v)
	s.data.subjects.rows[v.SubjectID] = v
	return okAnswer(object{"subject_id": v.SubjectID}), 0
}

func (s *Server) modSubject(p url.Values, _ string) (any, int) {
	v, ok := s.data.subjects.rows[id(p, "subject_id")]
	if !ok {
		return nil, yunlubo.CodeNoID
	}
	v.SubjectName, v.Updated = p.Get("subject_name"), s.touch()
	s.data.subjects.rows[v.SubjectID] = v
	return okAnswer(nil), 0
}

func (s *Server) listGrade(p url.Values, _ string) (any, int) {
	render := func(v yunlubo.Grade) object { return asStrings(toObject(v), "grade_id") }
	return page(s.data.grades.sorted(), render, p, false, nil), 0
}

func (s *Server) listTeacher(p url.Values, _ string) (any, int) {
	render := func(v yunlubo.Teacher) object { return asStrings(toObject(v), "teacher_id") }
	return page(s.data.teachers.sorted(), render, p, true, nil), 0
}

func (s *Server) addTeacher(p url.Values, _ string) (any, int) {
	now := s.touch()
	v := yunlubo.Teacher{TeacherName: p.Get("teacher_name"), SexName: p.Get("sex_name"),
		TitleName: p.Get("title_name"), DetailInfo: p.Get("detail_info"), Created: now, Updated: now}
	optInt(p, "title_id", &v.TitleID)
	v.TeacherID = s.data.teachers.add(0, v)
	s.data.teachers.rows[v.TeacherID] = v
	return okAnswer(object{"teacher_id": v.TeacherID}), 0
}

func (s *Server) modTeacher(p url.Values, _ string) (any, int) {
	v, ok := s.data.teachers.rows[id(p, "teacher_id")]
	if !ok {
		return nil, yunlubo.CodeNoID
	}
	optString(p, "teacher_name", &v.TeacherName)
	optString(p, "sex_name", &v.SexName)
	optString(p, "title_name", &v.TitleName)
	optString(p, "detail_info", &v.DetailInfo)
	optInt(p, "title_id", &v.TitleID)
	v.Updated = s.touch()
	s.data.teachers.rows[v.TeacherID] = v
	return okAnswer(nil), 0
}

// --- gathers ---

func (s *Server) listGather(p url.Values, _ string) (any, int) {
	render := func(v yunlubo.Gather) object { return toObject(v) }
	return page(s.data.gathers.sorted(), render, p, true, nil), 0
}

func (s *Server) modGather(p url.Values, _ string) (any, int) {
	v, ok := s.data.gathers.rows[id(p, "gather_id")]
	if !ok {
		return nil, yunlubo.CodeNoID
	}
	if p.Has("school_id") {
		if _, ok := s.data.schools.rows[id(p, "school_id")]; !ok {
			return nil, yunlubo.CodeNoID
		}
		v.SchoolID = id(p, "school_id")
	}
	optString(p, "name_set", &v.NameSet)
	optInt(p, "main_rate", &v.MainRate)
	optInt(p, "sub_rate", &v.SubRate)
	optInt(p, "auto_dvr", &v.AutoDVR)
	optInt(p, "auto_fds", &v.AutoFDS)
	optInt(p, "slice_val", &v.SliceVal)
	optInt(p, "inter_val", &v.InterVal)
	optInt(p, "snap_val", &v.SnapVal)
	v.Updated = s.touch()
	s.data.gathers.rows[v.GatherID] = v
	return okAnswer(nil), 0
}

// --- cameras ---

// cameraObject joins the gather, school and grade names in, as list_camera does.
func (s *Server) cameraObject(v yunlubo.Camera) object {
	if g, ok := s.data.gathers.rows[v.GatherID]; ok {
		v.NameSet, v.SchoolID = g.NameSet, g.SchoolID
	}
	if sc, ok := s.data.schools.rows[v.SchoolID]; ok {
		v.SchoolName = sc.Name
	}
	if gr, ok := s.data.grades.rows[v.GradeID]; ok {
		v.GradeType, v.GradeName = gr.GradeType, gr.GradeName
	}
	o := toObject(v)
	o["device_pass"] = v.DevicePass.Reveal() // the Camera's JSON hides both
	o["stream_url"] = v.StreamURL
	if s.exampleNames {
		o["image_fds"], o["device_cmd_prot"] = o["image_fdfs"], o["device_cmd_port"]
		delete(o, "image_fdfs")
		delete(o, "device_cmd_port")
	}
	return o
}

func (s *Server) listCamera(p url.Values, _ string) (any, int) {
	return page(s.data.cameras.sorted(), s.cameraObject, p, true, object{"storage_addr": s.storage}), 0
}

func (s *Server) addCamera(p url.Values, _ string) (any, int) {
	gather, grade := id(p, "gather_id"), id(p, "grade_id")
	if _, ok := s.data.gathers.rows[gather]; !ok {
		return nil, yunlubo.CodeNoID
	}
	if _, ok := s.data.grades.rows[grade]; !ok {
		return nil, yunlubo.CodeNoID
	}
	now := s.touch()
	v := yunlubo.Camera{CameraName: p.Get("camera_name"), GatherID: gather, GradeID: grade,
		DeviceOSD: 1, DeviceShow: 1, Created: now, Updated: now}
	optInt(p, "stream_prop", &v.StreamProp)
	if v.StreamProp == yunlubo.StreamForward {
		v.StreamURL = p.Get("stream_url")
	} else {
		v.StreamMP4 = p.Get("stream_mp4")
	}
	v.CameraID = s.data.cameras.add(0, v)
	s.data.cameras.rows[v.CameraID] = v
	return okAnswer(object{"camera_id": v.CameraID, "transmit": transmitOK}), 0
}

func (s *Server) modCamera(p url.Values, _ string) (any, int) {
	v, ok := s.data.cameras.rows[id(p, "camera_id")]
	if !ok {
		return nil, yunlubo.CodeNoID
	}
	if p.Has("grade_id") {
		if _, ok := s.data.grades.rows[id(p, "grade_id")]; !ok {
			return nil, yunlubo.CodeNoID
		}
		v.GradeID = id(p, "grade_id")
	}
	optString(p, "camera_name", &v.CameraName)
	optInt(p, "stream_prop", &v.StreamProp)
	optString(p, "stream_url", &v.StreamURL)
	optString(p, "stream_mp4", &v.StreamMP4)
	optString(p, "device_ip", &v.DeviceIP)
	optString(p, "device_user", &v.DeviceUser)
	if p.Has("device_pass") {
		v.DevicePass = yunlubo.Secret(p.Get("device_pass"))
	}
	optInt(p, "device_cmd_port", &v.DeviceCmdPort)
	optInt(p, "device_mirror", &v.DeviceMirror)
	optInt(p, "device_osd", &v.DeviceOSD)
	optInt(p, "device_twice", &v.DeviceTwice)
	optInt(p, "device_show", &v.DeviceShow)
	v.Updated = s.touch()
	s.data.cameras.rows[v.CameraID] = v
	return okAnswer(object{"transmit": transmitOK}), 0
}

// delCamera deletes the cameras with their courses and records (§3.21).
func (s *Server) delCamera(p url.Values, _ string) (any, int) {
	ids, _ := yunlubo.ParseIDList(p.Get("camera_id"))
	for _, i := range ids {
		cam := yunlubo.Int(i)
		delete(s.data.cameras.rows, cam)
		for k, c := range s.data.courses.rows {
			if c.CameraID == cam {
				delete(s.data.courses.rows, k)
			}
		}
		for k, r := range s.data.records.rows {
			if r.CameraID == cam {
				delete(s.data.records.rows, k)
			}
		}
	}
	return okAnswer(nil), 0
}

func (s *Server) cameraStatus(p url.Values, _ string) (any, int) {
	v, ok := s.data.cameras.rows[id(p, "camera_id")]
	if !ok {
		return nil, yunlubo.CodeNoID
	}
	return okAnswer(object{"camera_id": v.CameraID, "status": v.Status}), 0
}

func cameraSwitch(status yunlubo.Int) handler {
	return func(s *Server, p url.Values, _ string) (any, int) {
		v, ok := s.data.cameras.rows[id(p, "camera_id")]
		if !ok {
			return nil, yunlubo.CodeNoID
		}
		v.Status = status
		s.data.cameras.rows[v.CameraID] = v
		return okAnswer(object{"transmit": transmitOK}), 0
	}
}

func (s *Server) playCamera(p url.Values, host string) (any, int) {
	v, ok := s.data.cameras.rows[id(p, "camera_id")]
	if !ok {
		return nil, yunlubo.CodeNoID
	}
	return okAnswer(object{"play_url": playURL(host, "camera", v.CameraID, p)}), 0
}

func playURL(host, kind string, id yunlubo.Int, p url.Values) string {
	w, h := 850, 550
	if v, err := strconv.Atoi(p.Get("width")); err == nil && v > 0 {
		w = v
	}
	if v, err := strconv.Atoi(p.Get("height")); err == nil && v > 0 {
		h = v
	}
	return fmt.Sprintf("http://%s/play/%s/%d?width=%d&height=%d", host, kind, id, w, h)
}

// --- records ---

func (s *Server) listRecord(p url.Values, _ string) (any, int) {
	render := func(v yunlubo.Record) object { return asStrings(toObject(v), "file_size", "duration") }
	return page(s.data.records.sorted(), render, p, true, object{"storage_addr": s.storage}), 0
}

func (s *Server) playRecord(p url.Values, host string) (any, int) {
	v, ok := s.data.records.rows[id(p, "record_id")]
	if !ok {
		return nil, yunlubo.CodeNoID
	}
	return okAnswer(object{"play_url": playURL(host, "record", v.RecordID, p)}), 0
}

// --- courses ---

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
