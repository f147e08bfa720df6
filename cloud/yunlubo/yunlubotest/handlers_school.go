package yunlubotest

import (
	"net/url"

	"github.com/lubo-edge/lubo/cloud/yunlubo"
)

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
