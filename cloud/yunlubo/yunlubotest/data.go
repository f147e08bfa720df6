package yunlubotest

import (
	"maps"
	"slices"
	"time"

	"github.com/lubo-edge/lubo/cloud/yunlubo"
)

// table is rows by id with the next id to give.
type table[T any] struct {
	rows map[yunlubo.Int]T
	next yunlubo.Int
}

func newTable[T any]() *table[T] { return &table[T]{rows: map[yunlubo.Int]T{}, next: 1} }

// add stores v under id, or under the next free id when id is 0.
func (t *table[T]) add(id yunlubo.Int, v T) yunlubo.Int {
	if id <= 0 {
		id = t.next
	}
	if id >= t.next {
		t.next = id + 1
	}
	t.rows[id] = v
	return id
}

// sorted lists the rows in id order.
func (t *table[T]) sorted() []T {
	ids := slices.Sorted(maps.Keys(t.rows))
	out := make([]T, len(ids))
	for i, id := range ids {
		out[i] = t.rows[id]
	}
	return out
}

type tables struct {
	schools  *table[yunlubo.School]
	subjects *table[yunlubo.Subject]
	grades   *table[yunlubo.Grade]
	teachers *table[yunlubo.Teacher]
	gathers  *table[yunlubo.Gather]
	cameras  *table[yunlubo.Camera]
	courses  *table[yunlubo.Course]
	records  *table[yunlubo.Record]
}

func newTables() tables {
	return tables{
		schools:  newTable[yunlubo.School](),
		subjects: newTable[yunlubo.Subject](),
		grades:   newTable[yunlubo.Grade](),
		teachers: newTable[yunlubo.Teacher](),
		gathers:  newTable[yunlubo.Gather](),
		cameras:  newTable[yunlubo.Camera](),
		courses:  newTable[yunlubo.Course](),
		records:  newTable[yunlubo.Record](),
	}
}

// The seed helpers store a row as given (its id, or the next one when the
// id is 0, and created/updated from the clock when empty) and return its id.
// They do not check references or overlaps: tests may seed what a server
// would refuse.

// AddSchool seeds a school.
func (s *Server) AddSchool(v yunlubo.School) yunlubo.Int {
	s.mu.Lock()
	defer s.mu.Unlock()
	v.Created, v.Updated = s.stamps(v.Created, v.Updated)
	v.SchoolID = s.data.schools.add(v.SchoolID, v)
	s.data.schools.rows[v.SchoolID] = v
	return v.SchoolID
}

// AddSubject seeds a subject.
func (s *Server) AddSubject(v yunlubo.Subject) yunlubo.Int {
	s.mu.Lock()
	defer s.mu.Unlock()
	v.Created, v.Updated = s.stamps(v.Created, v.Updated)
	v.SubjectID = s.data.subjects.add(v.SubjectID, v)
	s.data.subjects.rows[v.SubjectID] = v
	return v.SubjectID
}

// AddGrade seeds a grade (the API has no add_grade).
func (s *Server) AddGrade(v yunlubo.Grade) yunlubo.Int {
	s.mu.Lock()
	defer s.mu.Unlock()
	v.Created, v.Updated = s.stamps(v.Created, v.Updated)
	v.GradeID = s.data.grades.add(v.GradeID, v)
	s.data.grades.rows[v.GradeID] = v
	return v.GradeID
}

// AddTeacher seeds a teacher.
func (s *Server) AddTeacher(v yunlubo.Teacher) yunlubo.Int {
	s.mu.Lock()
	defer s.mu.Unlock()
	v.Created, v.Updated = s.stamps(v.Created, v.Updated)
	v.TeacherID = s.data.teachers.add(v.TeacherID, v)
	s.data.teachers.rows[v.TeacherID] = v
	return v.TeacherID
}

// AddGather seeds a gather (the API has no add_gather: gathers register
// themselves).
func (s *Server) AddGather(v yunlubo.Gather) yunlubo.Int {
	s.mu.Lock()
	defer s.mu.Unlock()
	v.Created, v.Updated = s.stamps(v.Created, v.Updated)
	v.GatherID = s.data.gathers.add(v.GatherID, v)
	s.data.gathers.rows[v.GatherID] = v
	return v.GatherID
}

// AddCamera seeds a camera of any stream_prop (add_camera only takes 1 and
// 2). DevicePass is stored as given (the document's form is base64).
// name_set, school and grade names are filled from their tables on output.
func (s *Server) AddCamera(v yunlubo.Camera) yunlubo.Int {
	s.mu.Lock()
	defer s.mu.Unlock()
	v.Created, v.Updated = s.stamps(v.Created, v.Updated)
	v.CameraID = s.data.cameras.add(v.CameraID, v)
	s.data.cameras.rows[v.CameraID] = v
	return v.CameraID
}

// AddCourse seeds a course; StartTime may be "HH:MM:SS" or the server's
// "YYYY-MM-DD HH:MM:SS"; EndTime is computed.
func (s *Server) AddCourse(v yunlubo.Course) yunlubo.Int {
	s.mu.Lock()
	defer s.mu.Unlock()
	v.Created, v.Updated = s.stamps(v.Created, v.Updated)
	if v.RepeatID == 0 {
		v.RepeatID = 2
	}
	start, _ := v.StartOfDay()
	v.StartTime, v.EndTime = s.courseTimes(int(start.Seconds()), int(v.ElapseSec))
	v.CourseID = s.data.courses.add(v.CourseID, v)
	s.data.courses.rows[v.CourseID] = v
	return v.CourseID
}

// AddRecord seeds a recording.
func (s *Server) AddRecord(v yunlubo.Record) yunlubo.Int {
	s.mu.Lock()
	defer s.mu.Unlock()
	v.Created, v.Updated = s.stamps(v.Created, v.Updated)
	v.RecordID = s.data.records.add(v.RecordID, v)
	s.data.records.rows[v.RecordID] = v
	return v.RecordID
}

// School returns a stored school.
func (s *Server) School(id yunlubo.Int) (yunlubo.School, bool) { return get(s, s.data.schools, id) }

// Subject returns a stored subject.
func (s *Server) Subject(id yunlubo.Int) (yunlubo.Subject, bool) { return get(s, s.data.subjects, id) }

// Teacher returns a stored teacher.
func (s *Server) Teacher(id yunlubo.Int) (yunlubo.Teacher, bool) { return get(s, s.data.teachers, id) }

// Gather returns a stored gather.
func (s *Server) Gather(id yunlubo.Int) (yunlubo.Gather, bool) { return get(s, s.data.gathers, id) }

// Camera returns a stored camera (as stored: names of joined tables empty).
func (s *Server) Camera(id yunlubo.Int) (yunlubo.Camera, bool) { return get(s, s.data.cameras, id) }

// Course returns a stored course.
func (s *Server) Course(id yunlubo.Int) (yunlubo.Course, bool) { return get(s, s.data.courses, id) }

// Record returns a stored recording.
func (s *Server) Record(id yunlubo.Int) (yunlubo.Record, bool) { return get(s, s.data.records, id) }

func get[T any](s *Server, t *table[T], id yunlubo.Int) (T, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	v, ok := t.rows[id]
	return v, ok
}

const stampLayout = "2006-01-02 15:04:05"

func (s *Server) stamps(created, updated string) (string, string) {
	now := s.now.Format(stampLayout)
	if created == "" {
		created = now
	}
	if updated == "" {
		updated = now
	}
	return created, updated
}

// courseTimes writes start_time and end_time as the server does: today's
// date (meaningless, §3.27) and the time of day.
func (s *Server) courseTimes(start, elapse int) (string, string) {
	day := time.Date(s.now.Year(), s.now.Month(), s.now.Day(), 0, 0, 0, 0, s.now.Location())
	st := day.Add(time.Duration(start) * time.Second)
	return st.Format(stampLayout), st.Add(time.Duration(elapse) * time.Second).Format(stampLayout)
}
