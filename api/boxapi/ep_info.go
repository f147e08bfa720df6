package boxapi

import (
	"runtime"
	"strconv"

	"github.com/lubo-edge/lubo/cloud/yunlubo"
	"github.com/lubo-edge/lubo/storage"
)

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

// version is §3.1 (no err_code, as documented).
func (h *Handler) version(*call) (any, *refusal) {
	return struct {
		API     string `json:"API"`
		Name    string `json:"Name"`
		Version string `json:"Version"`
		Server  string `json:"Server"`
	}{"v1", "云录播", h.opts.Version, serverOS()}, nil
}

// serverOS is written like the example's "Linux 2.6 x86_64".
func serverOS() string {
	osName := map[string]string{"linux": "Linux", "darwin": "Darwin", "windows": "Windows"}[runtime.GOOS]
	if osName == "" {
		osName = runtime.GOOS
	}
	arch := map[string]string{"amd64": "x86_64", "arm64": "aarch64", "386": "i686", "arm": "armv7l"}[runtime.GOARCH]
	if arch == "" {
		arch = runtime.GOARCH
	}
	return osName + " " + arch
}

// accessToken is §3.2.
func (h *Handler) accessToken(c *call) (any, *refusal) {
	tok, code := h.tokens.issue(c.p.Get("unionid"))
	if code != 0 {
		return nil, refuse(code)
	}
	return struct {
		ErrCode int    `json:"err_code"`
		ErrMsg  string `json:"err_msg"`
		Token   string `json:"token"`
		Expires int    `json:"expires"`
	}{0, "OK", tok, int(TokenLifetime.Seconds())}, nil
}

type schoolRow struct {
	SchoolID string `json:"school_id"`
	Name     string `json:"name"`
	Addr     string `json:"addr"`
	Phone    string `json:"phone"`
	Created  string `json:"created"`
	Updated  string `json:"updated"`
}

// listSchool is §3.3: the schools the box knows (from its server).
func (h *Handler) listSchool(c *call) (any, *refusal) {
	var rows []schoolRow
	for _, s := range h.opts.Box.Directory().Schools {
		rows = append(rows, schoolRow{itoa(int64(s.SchoolID)), s.Name, s.Addr, s.Phone, s.Created, s.Updated})
	}
	return paginate(c.p, rows, false), nil
}

type gradeRow struct {
	GradeID   string `json:"grade_id"`
	GradeType string `json:"grade_type"`
	GradeName string `json:"grade_name"`
	Created   string `json:"created"`
	Updated   string `json:"updated"`
}

// listGrade is §3.11.
func (h *Handler) listGrade(c *call) (any, *refusal) {
	var rows []gradeRow
	for _, g := range h.opts.Box.Directory().Grades {
		rows = append(rows, gradeRow{itoa(int64(g.GradeID)), g.GradeType, g.GradeName, g.Created, g.Updated})
	}
	return paginate(c.p, rows, false), nil
}

type subjectRow struct {
	SubjectID   string `json:"subject_id"`
	SubjectName string `json:"subject_name"`
	Created     string `json:"created"`
	Updated     string `json:"updated"`
}

// listSubject is §3.7.
func (h *Handler) listSubject(c *call) (any, *refusal) {
	subjects, _, err := h.names()
	if err != nil {
		return nil, h.storeFailed(c, err)
	}
	var rows []subjectRow
	for _, s := range subjects {
		rows = append(rows, subjectRow{itoa(s.id), s.name, s.created, s.updated})
	}
	return paginate(c.p, rows, false), nil
}

type teacherRow struct {
	TeacherID   string `json:"teacher_id"`
	TeacherName string `json:"teacher_name"`
	SexName     string `json:"sex_name"`
	TitleName   string `json:"title_name"`
	TitleID     int64  `json:"title_id"`
	DetailInfo  string `json:"detail_info"`
	Created     string `json:"created"`
	Updated     string `json:"updated"`
}

// listTeacher is §3.12.
func (h *Handler) listTeacher(c *call) (any, *refusal) {
	_, teachers, err := h.names()
	if err != nil {
		return nil, h.storeFailed(c, err)
	}
	dir := map[int64]yunlubo.Teacher{}
	for _, t := range h.opts.Box.Directory().Teachers {
		dir[int64(t.TeacherID)] = t
	}
	var rows []teacherRow
	for _, t := range teachers {
		d := dir[t.id]
		rows = append(rows, teacherRow{itoa(t.id), t.name, d.SexName, d.TitleName, int64(d.TitleID), d.DetailInfo, t.created, t.updated})
	}
	return paginate(c.p, rows, true), nil
}

// named is a subject or a teacher with its number.
type named struct {
	id               int64
	name             string
	created, updated string
}

// names lists the subjects and teachers the box knows: its directory's,
// then those only named by a course of the timetable, numbered by the store.
func (h *Handler) names() (subjects, teachers []named, err error) {
	dir := h.opts.Box.Directory()
	seenS, seenT := map[string]bool{}, map[string]bool{}
	for _, s := range dir.Subjects {
		subjects = append(subjects, named{int64(s.SubjectID), s.SubjectName, s.Created, s.Updated})
		seenS[s.SubjectName] = true
	}
	for _, t := range dir.Teachers {
		teachers = append(teachers, named{int64(t.TeacherID), t.TeacherName, t.Created, t.Updated})
		seenT[t.TeacherName] = true
	}
	courses, err := h.timetable()
	if err != nil {
		return nil, nil, err
	}
	add := func(list *[]named, seen map[string]bool, kind, name string) error {
		if name == "" || seen[name] {
			return nil
		}
		seen[name] = true
		n, err := h.opts.DB.BoxNumber(kind, name, 0)
		if err != nil {
			return err
		}
		*list = append(*list, named{id: int64(n), name: name})
		return nil
	}
	for _, co := range courses {
		if err := add(&subjects, seenS, storage.BoxKindSubject, co.subject); err != nil {
			return nil, nil, err
		}
		if err := add(&teachers, seenT, storage.BoxKindTeacher, co.teacher); err != nil {
			return nil, nil, err
		}
	}
	return subjects, teachers, nil
}

func findName(list []named, id int64) (string, bool) {
	for _, n := range list {
		if n.id == id {
			return n.name, true
		}
	}
	return "", false
}

func findID(list []named, name string) int64 {
	for _, n := range list {
		if n.name == name && name != "" {
			return n.id
		}
	}
	return 0
}

type gatherRow struct {
	GatherID int64  `json:"gather_id"`
	SchoolID int64  `json:"school_id"`
	MacAddr  string `json:"mac_addr"`
	IPAddr   string `json:"ip_addr"`
	NamePC   string `json:"name_pc"`
	NameSet  string `json:"name_set"`
	OSName   string `json:"os_name"`
	MainRate int64  `json:"main_rate"`
	SubRate  int64  `json:"sub_rate"`
	AutoDVR  int64  `json:"auto_dvr"`
	AutoFDS  int64  `json:"auto_fds"`
	SliceVal int64  `json:"slice_val"`
	InterVal int64  `json:"inter_val"`
	SnapVal  int64  `json:"snap_val"`
	Status   int64  `json:"status"`
	Created  string `json:"created"`
	Updated  string `json:"updated"`
}

// gatherID is this box's gather_id (1 when the daemon leaves it 0).
func (h *Handler) gather() yunlubo.Gather {
	g := h.opts.Box.Gather()
	if g.GatherID <= 0 {
		g.GatherID = 1
	}
	return g
}

// listGather is §3.16: one row, this box.
func (h *Handler) listGather(c *call) (any, *refusal) {
	g := h.gather()
	row := gatherRow{int64(g.GatherID), int64(g.SchoolID), g.MacAddr, g.IPAddr, g.NamePC, g.NameSet, g.OSName,
		int64(g.MainRate), int64(g.SubRate), int64(g.AutoDVR), int64(g.AutoFDS), int64(g.SliceVal), int64(g.InterVal),
		int64(g.SnapVal), int64(g.Status), g.Created, g.Updated}
	return paginate(c.p, []gatherRow{row}, true), nil
}

// storeFailed logs a store error and answers without quoting it. The
// document has no code for a server fault; 1004 on access_token means "生成
// token 过程中发生错误", elsewhere the nearest is to refuse with 1010 and say
// what happened.
func (h *Handler) storeFailed(c *call, err error) *refusal {
	h.log.Error("boxapi: store", "endpoint", c.endpoint, "err", err)
	return refuseWhy(yunlubo.CodeNoID, "采集端存储错误, 请稍后再试 (the box's store failed; try again later)")
}
