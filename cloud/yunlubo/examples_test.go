package yunlubo_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/lubo-edge/lubo/cloud/yunlubo"
)

// exampleFile names the document's example answer for each endpoint
// (testdata/examples/README.md lists the repairs made to them).
var exampleFile = map[string]string{
	"version": "version.json", "access_token": "access_token.json",
	"list_school": "list_school.json", "add_school": "add_school.json", "mod_school": "ok.json", "del_school": "ok.json",
	"list_subject": "list_subject.json", "add_subject": "add_subject.json", "mod_subject": "ok.json", "del_subject": "ok.json",
	"list_grade":   "list_grade.json",
	"list_teacher": "list_teacher.json", "add_teacher": "add_teacher.json", "mod_teacher": "ok.json", "del_teacher": "ok.json",
	"list_gather": "list_gather.json", "mod_gather": "ok.json",
	"list_camera": "list_camera.json", "add_camera": "add_camera.json", "mod_camera": "transmit.json", "del_camera": "ok.json",
	"get_camera_status": "get_camera_status.json", "start_camera": "transmit.json", "stop_camera": "transmit.json",
	"list_record": "list_record.json", "del_record": "ok.json",
	"list_course": "list_course.json", "add_course": "add_course.json", "mod_course": "add_course.json", "del_course": "transmit.json",
	"play_camera": "play.json", "play_record": "play.json",
}

// exampleServer answers every endpoint with the document's example.
func exampleServer(t *testing.T) *yunlubo.Client {
	t.Helper()
	for _, ep := range yunlubo.Endpoints {
		if exampleFile[ep] == "" {
			t.Fatalf("no example for %s", ep)
		}
	}
	hs := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ep, _, err := yunlubo.ParseRequest(r)
		if err != nil {
			http.Error(w, err.Error(), http.StatusNotFound)
			return
		}
		if r.URL.Path != "/api/v1/"+ep { // the client must use the ?a=1&b=2 form
			http.Error(w, "path form used", http.StatusBadRequest)
			return
		}
		b, err := os.ReadFile(filepath.Join("testdata", "examples", exampleFile[ep]))
		if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		_, _ = w.Write(b)
	}))
	t.Cleanup(hs.Close)
	c, err := yunlubo.New(yunlubo.Options{BaseURL: hs.URL, UnionID: "xxxxxxx"})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestDocumentExamples(t *testing.T) {
	c := exampleServer(t)
	ctx := context.Background()
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	v, err := c.Version(ctx)
	must(err)
	if *v != (yunlubo.Version{API: "v1", Name: "云录播", Version: "1.1.0", Server: "Linux 2.6 x86_64"}) {
		t.Errorf("version: %+v", v)
	}

	schools, err := c.ListSchools(ctx, 1, 10)
	must(err)
	if schools.TotalNum != 1 || schools.MaxPage != 1 || schools.CurPage != 1 || schools.PerPage != 10 {
		t.Errorf("list_school counters: %+v", schools)
	}
	if s := schools.Data[0]; s.SchoolID != 1 || s.Name != "东升一中" || s.Addr != "东升镇" || s.Phone != "010-6267772" ||
		s.Created != "2017-07-01 14:39:30" || s.Updated != "2017-08-23 15:39:01" {
		t.Errorf("school: %+v", s)
	}
	id, err := c.AddSchool(ctx, yunlubo.SchoolInput{Name: "x", Addr: "y"})
	must(err)
	if id != 3 {
		t.Errorf("add_school: %d", id)
	}
	must(c.ModSchool(ctx, 2, yunlubo.SchoolInput{Name: "x", Addr: "y"}))
	must(c.DelSchools(ctx, 1, 2, 3))

	subjects, err := c.ListSubjects(ctx, 1, 10)
	must(err)
	if subjects.TotalNum != 11 || subjects.MaxPage != 2 || subjects.Data[0].SubjectID != 1 || subjects.Data[0].SubjectName != "东升一中" {
		t.Errorf("list_subject: %+v", subjects)
	}
	sid, err := c.AddSubject(ctx, "x")
	must(err)
	if sid != 3 {
		t.Errorf("add_subject: %d", sid)
	}
	must(c.ModSubject(ctx, 2, "x"))
	must(c.DelSubjects(ctx, 1, 2, 3))

	grades, err := c.ListGrades(ctx, 1, 10)
	must(err)
	if g := grades.Data[0]; g.GradeID != 1 || g.GradeType != "东升一中" || g.GradeName != "东升一中" {
		t.Errorf("grade: %+v", g)
	}

	teachers, err := c.ListTeachers(ctx, 1, 10)
	must(err)
	if teachers.CurPage != 1 || teachers.PerPage != 10 {
		t.Errorf("list_teacher string counters: %+v", teachers)
	}
	if tt := teachers.Data[0]; tt.TeacherID != 1 || tt.TitleName != "一级教师" || tt.TitleID != 2 || tt.DetailInfo != "描述信息" {
		t.Errorf("teacher: %+v", tt)
	}
	tid, err := c.AddTeacher(ctx, yunlubo.TeacherInput{TeacherName: "x", SexName: "男", TitleName: "一级教师", TitleID: 2})
	must(err)
	if tid != 3 {
		t.Errorf("add_teacher: %d", tid)
	}
	must(c.ModTeacher(ctx, 3, yunlubo.TeacherChange{}))
	must(c.DelTeachers(ctx, 1, 2, 3))

	gathers, err := c.ListGathers(ctx, 1, 10)
	must(err)
	want := yunlubo.Gather{GatherID: 1, SchoolID: 1, MacAddr: "xxxx", IPAddr: "xxxxx", NamePC: "xxxx", NameSet: "xxxx",
		OSName: "Windows7", MainRate: 1024, SubRate: 512, AutoDVR: 0, AutoFDS: 1, SliceVal: 0, InterVal: 0, SnapVal: 2,
		Status: 0, Created: "2017-07-01 14:39:30", Updated: "2017-08-23 15:39:01"}
	if gathers.Data[0] != want {
		t.Errorf("gather: %+v", gathers.Data[0])
	}
	must(c.ModGather(ctx, 3, yunlubo.GatherChange{SliceVal: yunlubo.Ptr(0)}))

	cams, err := c.ListCameras(ctx, 1, 10)
	must(err)
	if cams.StorageAddr != "http://192.168.1.70:80" || cams.CurPage != 1 || cams.PerPage != 10 {
		t.Errorf("list_camera page: %+v", cams)
	}
	cam := cams.Data[0]
	if cam.CameraID != 1 || cam.CameraName != "一班" || cam.ImageID != 1 || cam.ImageFDFS != "xxxx" || cam.GatherID != 1 ||
		cam.NameSet != "采集端" || cam.SchoolName != "南湖小学" || cam.GradeID != 2 || cam.GradeType != "小学" ||
		cam.GradeName != "一年级" || cam.StreamProp != yunlubo.StreamMP4File || cam.StreamURL != "rtsp://xxx" ||
		cam.StreamMP4 != `F:\MP4` || cam.DeviceIP != "192.168.1.65" || cam.DeviceUser != "admin" ||
		cam.DevicePass.Reveal() != "xxx" || cam.DeviceCmdPort != 8000 || cam.DeviceOSD != 1 || cam.DeviceShow != 1 ||
		cam.Clicks != 22 || cam.Updated != "2017-08-23 15:39:01" {
		t.Errorf("camera: %+v", cam)
	}
	if cam.SnapshotURL(cams.StorageAddr) != "http://192.168.1.70:80/xxxx" {
		t.Errorf("snapshot url %q", cam.SnapshotURL(cams.StorageAddr))
	}
	added, err := c.AddCamera(ctx, yunlubo.CameraInput{CameraName: "x", GatherID: 1, GradeID: 1, StreamProp: 2, StreamURL: "rtsp://x"})
	must(err)
	if added.CameraID != 3 || string(added.Transmit) != `"xxx"` {
		t.Errorf("add_camera: %+v", added)
	}
	tr, err := c.ModCamera(ctx, 3, yunlubo.CameraChange{GradeID: yunlubo.Ptr[yunlubo.Int](1)})
	must(err)
	if string(tr) != `"xxx"` {
		t.Errorf("mod_camera transmit %s", tr)
	}
	must(c.DelCameras(ctx, 1, 2, 3))
	st, err := c.CameraStatus(ctx, 1)
	must(err)
	if st != 0 {
		t.Errorf("status %d", st)
	}
	_, err = c.StartCamera(ctx, 1)
	must(err)
	_, err = c.StopCamera(ctx, 1)
	must(err)

	recs, err := c.ListRecords(ctx, 1, 10)
	must(err)
	r := recs.Data[0]
	if r.RecordID != 1 || r.SubjectName != "语文" || r.FileFDFS != "xxx.mp4" || r.ImageFDFS != "xxx.jpg" ||
		r.FileSize != 6598647 || r.Duration != 60 || r.Disptime != "01:00" || r.Clicks != 22 {
		t.Errorf("record: %+v", r)
	}
	if r.FileURL(recs.StorageAddr) != "http://192.168.1.70:80/xxx.mp4" {
		t.Errorf("file url %q", r.FileURL(recs.StorageAddr))
	}
	must(c.DelRecords(ctx, 1, 2, 3))

	courses, err := c.ListCourses(ctx, 186, 1, 10)
	must(err)
	co := courses.Data[0]
	start, ok := co.StartOfDay()
	if co.CourseID != 1 || co.CameraID != 186 || co.SubjectID != 6 || co.TeacherID != 7 || co.RepeatID != 2 ||
		co.WeekID != 3 || co.ElapseSec != 3596 || !ok || start != 15*time.Hour+10*time.Minute+53*time.Second ||
		co.EndTime != "2017-11-15 16:10:49" {
		t.Errorf("course: %+v", co)
	}
	saved, err := c.AddCourse(ctx, yunlubo.CourseInput{CameraID: 1, SubjectID: 1, TeacherID: 1, WeekID: 3,
		Start: 10*time.Hour + 30*time.Minute + 30*time.Second, Elapse: time.Hour})
	must(err)
	if saved.CourseID != 1 || saved.CameraID != 1 || string(saved.Transmit) != `"xxx"` {
		t.Errorf("add_course: %+v", saved)
	}
	_, err = c.ModCourse(ctx, 1, yunlubo.CourseInput{CameraID: 1, SubjectID: 1, TeacherID: 1, WeekID: 3, Start: time.Hour, Elapse: time.Hour})
	must(err)
	_, err = c.DelCourses(ctx, 1, 2, 3)
	must(err)

	for _, play := range []func() (string, error){
		func() (string, error) { return c.PlayCamera(ctx, 1, 850, 550) },
		func() (string, error) { return c.PlayRecord(ctx, 1, 850, 550) },
	} {
		u, err := play()
		must(err)
		if u != "xxxx" {
			t.Errorf("play_url %q", u)
		}
	}
}

// The failure examples decode to typed errors with the document's meanings.
func TestDocumentFailureExamples(t *testing.T) {
	for _, tc := range []struct {
		file, op string
		code     int
		meaning  string
	}{
		{"access_token_fail.json", "access_token", 1001, "无效的 unionid"},
		{"no_token_fail.json", "list_camera", 1004, "没有凭证, 请确认参数"},
	} {
		b, err := os.ReadFile(filepath.Join("testdata", "examples", tc.file))
		if err != nil {
			t.Fatal(err)
		}
		hs := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if ep, _, _ := yunlubo.ParseRequest(r); ep == "access_token" && tc.op != ep {
				_, _ = w.Write([]byte(`{"err_code":0,"err_msg":"OK","token":"t","expires":7200}`))
				return
			}
			_, _ = w.Write(b)
		}))
		c, err := yunlubo.New(yunlubo.Options{BaseURL: hs.URL, UnionID: "u"})
		if err != nil {
			t.Fatal(err)
		}
		_, _, err = c.AllCameras(context.Background())
		hs.Close()
		wantCode(t, err, tc.code)
		var e *yunlubo.Error
		if errors.As(err, &e); e.Op != tc.op || e.Meaning() != tc.meaning {
			t.Errorf("%s: op %q meaning %q", tc.file, e.Op, e.Meaning())
		}
		if !strings.Contains(err.Error(), tc.meaning) {
			t.Errorf("%s: %v lacks %q", tc.file, err, tc.meaning)
		}
	}
}
