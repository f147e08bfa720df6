package yunlubo_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/lubo-edge/lubo/cloud/yunlubo"
)

func wantCode(t *testing.T, err error, code int) {
	t.Helper()
	var e *yunlubo.Error
	if !errors.As(err, &e) {
		t.Fatalf("want err_code %d, got %v", code, err)
	}
	if e.Code != code {
		t.Fatalf("want err_code %d, got %d (%v)", code, e.Code, err)
	}
}

func TestVersionAndToken(t *testing.T) {
	f := newFixture(t, nil)
	ctx := context.Background()
	v, err := f.client.Version(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if v.API != "v1" || v.Version != "1.1.0" || v.Name != "云录播" {
		t.Fatalf("version: %+v", v)
	}
	if f.srv.TokensIssued() != 0 {
		t.Fatal("version must not need a token")
	}
	if err := f.client.RenewToken(ctx); err != nil {
		t.Fatal(err)
	}
	tok, _ := f.tokens.LoadToken(ctx)
	if tok.Value == "" || !tok.Expires.Equal(f.srv.Now().Add(7200*time.Second)) {
		t.Fatalf("stored token: %+v", tok)
	}
}

func TestUnionIDRefusals(t *testing.T) {
	cases := []struct {
		name    string
		unionid string
		access  bool
		code    int
	}{
		{"malformed", "bad unionid!", false, yunlubo.CodeInvalidUnionID},
		{"unknown", "nobody", false, yunlubo.CodeAccountNotFound},
		{"no api access", "teacher1", false, yunlubo.CodeNoAPIAccess},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			f := newFixture(t, func(o *yunlubo.Options) { o.UnionID = yunlubo.Secret(tc.unionid) })
			if tc.code == yunlubo.CodeNoAPIAccess {
				f.srv.AddAccount(tc.unionid, false)
			}
			_, err := f.client.AllSchools(context.Background())
			wantCode(t, err, tc.code)
			if f.srv.Requests("list_school") != 0 {
				t.Fatal("list_school was called without a token")
			}
		})
	}
}

func TestTokenGenerationError(t *testing.T) {
	f := newFixture(t, nil)
	f.srv.FailCode("access_token", 1, yunlubo.CodeNoToken)
	_, err := f.client.AllSchools(context.Background())
	wantCode(t, err, yunlubo.CodeNoToken)
	var e *yunlubo.Error
	errors.As(err, &e)
	if e.Meaning() != "生成 token 过程中发生错误" {
		t.Fatalf("1004 on access_token means %q", e.Meaning())
	}
	if got := yunlubo.Meaning("list_school", 1004); got != "没有凭证, 请确认参数" {
		t.Fatalf("1004 elsewhere means %q", got)
	}
	// The next call gets a token.
	if _, err := f.client.AllSchools(context.Background()); err != nil {
		t.Fatal(err)
	}
}

func TestTokenReusedAndRenewedBeforeExpiry(t *testing.T) {
	f := newFixture(t, nil)
	ctx := context.Background()
	for range 3 {
		if _, err := f.client.AllSubjects(ctx); err != nil {
			t.Fatal(err)
		}
	}
	if n := f.srv.TokensIssued(); n != 1 {
		t.Fatalf("3 calls took %d tokens, want 1", n)
	}
	f.srv.Advance(7200*time.Second - 4*time.Minute) // inside the 5 min margin
	if _, err := f.client.AllSubjects(ctx); err != nil {
		t.Fatal(err)
	}
	if n := f.srv.TokensIssued(); n != 2 {
		t.Fatalf("token not renewed before expiry: %d issued", n)
	}
	if n := f.srv.Requests("list_subject"); n != 4 {
		t.Fatalf("list_subject called %d times, want 4 (no refused call)", n)
	}
}

func TestStoredTokenUsedAfterRestart(t *testing.T) {
	f := newFixture(t, nil)
	ctx := context.Background()
	if err := f.client.RenewToken(ctx); err != nil {
		t.Fatal(err)
	}
	// A second client over the same store (a restart) uses the stored token.
	c2, err := yunlubo.New(yunlubo.Options{BaseURL: f.srv.URL, UnionID: testUnionID, Tokens: f.tokens, Now: f.srv.Now})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c2.AllGrades(ctx); err != nil {
		t.Fatal(err)
	}
	if n := f.srv.TokensIssued(); n != 1 {
		t.Fatalf("restart took a new token: %d issued", n)
	}
	// A client of another account does not use it.
	f.srv.AddAccount("other", true)
	c3, err := yunlubo.New(yunlubo.Options{BaseURL: f.srv.URL, UnionID: "other", Tokens: f.tokens, Now: f.srv.Now})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c3.AllGrades(ctx); err != nil {
		t.Fatal(err)
	}
	if n := f.srv.TokensIssued(); n != 2 {
		t.Fatalf("another account's token was reused: %d issued", n)
	}
}

func TestSchools(t *testing.T) {
	f := newFixture(t, nil)
	ctx := context.Background()
	id, err := f.client.AddSchool(ctx, yunlubo.SchoolInput{Name: "南湖小学", Addr: "南湖路 1 号", Phone: "010-1"})
	if err != nil {
		t.Fatal(err)
	}
	_, err = f.client.AddSchool(ctx, yunlubo.SchoolInput{Addr: "x"})
	wantCode(t, err, yunlubo.CodeNoName)
	_, err = f.client.AddSchool(ctx, yunlubo.SchoolInput{Name: "x"})
	wantCode(t, err, yunlubo.CodeNoAddr)
	if err := f.client.ModSchool(ctx, id, yunlubo.SchoolInput{Name: "南湖二小", Addr: "南湖路 2 号"}); err != nil {
		t.Fatal(err)
	}
	wantCode(t, f.client.ModSchool(ctx, 999, yunlubo.SchoolInput{Name: "a", Addr: "b"}), yunlubo.CodeNoID)
	wantCode(t, f.client.ModSchool(ctx, id, yunlubo.SchoolInput{Addr: "b"}), yunlubo.CodeNoName)
	p, err := f.client.ListSchools(ctx, 1, 10)
	if err != nil {
		t.Fatal(err)
	}
	if p.TotalNum != 1 || p.MaxPage != 1 || p.CurPage != 1 || p.PerPage != 10 || len(p.Data) != 1 {
		t.Fatalf("page: %+v", p)
	}
	if s := p.Data[0]; s.SchoolID != id || s.Name != "南湖二小" || s.Addr != "南湖路 2 号" || s.Phone != "010-1" {
		t.Fatalf("school: %+v", s)
	}
	if err := f.client.DelSchools(ctx, id, 77); err != nil {
		t.Fatal(err)
	}
	all, err := f.client.AllSchools(ctx)
	if err != nil || len(all) != 0 {
		t.Fatalf("after delete: %v %v", all, err)
	}
	if err := f.client.DelSchools(ctx); err == nil {
		t.Fatal("DelSchools without ids must fail")
	}
}

func TestSubjectsAndGrades(t *testing.T) {
	f := newFixture(t, nil)
	ctx := context.Background()
	f.srv.AddGrade(yunlubo.Grade{GradeType: "小学", GradeName: "一年级"})
	id, err := f.client.AddSubject(ctx, "数学")
	if err != nil {
		t.Fatal(err)
	}
	_, err = f.client.AddSubject(ctx, "")
	wantCode(t, err, yunlubo.CodeNoName)
	if err := f.client.ModSubject(ctx, id, "语文"); err != nil {
		t.Fatal(err)
	}
	wantCode(t, f.client.ModSubject(ctx, id, ""), yunlubo.CodeNoName)
	wantCode(t, f.client.ModSubject(ctx, 0, "x"), yunlubo.CodeNoID)
	subs, err := f.client.AllSubjects(ctx)
	if err != nil || len(subs) != 1 || subs[0].SubjectName != "语文" || subs[0].SubjectID != id {
		t.Fatalf("subjects: %+v %v", subs, err)
	}
	grades, err := f.client.AllGrades(ctx)
	if err != nil || len(grades) != 1 || grades[0].GradeName != "一年级" {
		t.Fatalf("grades: %+v %v", grades, err)
	}
	gp, err := f.client.ListGrades(ctx, 0, 0)
	if err != nil || gp.PerPage != 10 || gp.CurPage != 1 {
		t.Fatalf("grade page defaults: %+v %v", gp, err)
	}
	if err := f.client.DelSubjects(ctx, id); err != nil {
		t.Fatal(err)
	}
	if _, ok := f.srv.Subject(id); ok {
		t.Fatal("subject not deleted")
	}
}

func TestTeachers(t *testing.T) {
	f := newFixture(t, nil)
	ctx := context.Background()
	id, err := f.client.AddTeacher(ctx, yunlubo.TeacherInput{TeacherName: "李老师", SexName: "男", TitleName: "正高级教师", TitleID: 0, DetailInfo: "x"})
	if err != nil {
		t.Fatal(err)
	}
	_, err = f.client.AddTeacher(ctx, yunlubo.TeacherInput{SexName: "男", TitleName: "t"})
	wantCode(t, err, yunlubo.CodeNoName)
	if err := f.client.ModTeacher(ctx, id, yunlubo.TeacherChange{TitleID: yunlubo.Ptr(2), TitleName: yunlubo.Ptr("一级教师")}); err != nil {
		t.Fatal(err)
	}
	wantCode(t, f.client.ModTeacher(ctx, id, yunlubo.TeacherChange{TeacherName: yunlubo.Ptr("")}), yunlubo.CodeNoName)
	wantCode(t, f.client.ModTeacher(ctx, 404, yunlubo.TeacherChange{}), yunlubo.CodeNoID)
	all, err := f.client.AllTeachers(ctx)
	if err != nil || len(all) != 1 {
		t.Fatalf("%v %v", all, err)
	}
	if tt := all[0]; tt.TeacherID != id || tt.TeacherName != "李老师" || tt.TitleID != 2 || tt.TitleName != "一级教师" || tt.DetailInfo != "x" {
		t.Fatalf("teacher: %+v", tt)
	}
	if err := f.client.DelTeachers(ctx, id); err != nil {
		t.Fatal(err)
	}
	if _, ok := f.srv.Teacher(id); ok {
		t.Fatal("teacher not deleted")
	}
}

func TestGathers(t *testing.T) {
	f := newFixture(t, nil)
	ctx := context.Background()
	d := seedSchool(f.srv)
	gs, err := f.client.AllGathers(ctx)
	if err != nil || len(gs) != 1 {
		t.Fatalf("%v %v", gs, err)
	}
	g := gs[0]
	if g.GatherID != d.gather || g.SchoolID != d.school || g.MainRate != 1024 || g.SliceVal != 30 || g.InterVal != 1 || g.SnapVal != 2 {
		t.Fatalf("gather: %+v", g)
	}
	ch := yunlubo.GatherChange{NameSet: yunlubo.Ptr("三楼"), SliceVal: yunlubo.Ptr(0), InterVal: yunlubo.Ptr(3), SnapVal: yunlubo.Ptr(5)}
	if err := f.client.ModGather(ctx, d.gather, ch); err != nil {
		t.Fatal(err)
	}
	got, _ := f.srv.Gather(d.gather)
	if got.NameSet != "三楼" || got.SliceVal != 0 || got.InterVal != 3 || got.SnapVal != 5 || got.MainRate != 1024 {
		t.Fatalf("after mod_gather: %+v", got)
	}
	wantCode(t, f.client.ModGather(ctx, 99, yunlubo.GatherChange{}), yunlubo.CodeNoID)
	wantCode(t, f.client.ModGather(ctx, d.gather, yunlubo.GatherChange{SchoolID: yunlubo.Ptr[yunlubo.Int](99)}), yunlubo.CodeNoID)
	calls := f.srv.Requests("mod_gather")
	if err := f.client.ModGather(ctx, d.gather, yunlubo.GatherChange{SliceVal: yunlubo.Ptr(31)}); err == nil {
		t.Fatal("slice_val 31 accepted")
	}
	if err := f.client.ModGather(ctx, d.gather, yunlubo.GatherChange{InterVal: yunlubo.Ptr(4)}); err == nil {
		t.Fatal("inter_val 4 accepted")
	}
	if f.srv.Requests("mod_gather") != calls {
		t.Fatal("out-of-range values were sent")
	}
}

func TestCameras(t *testing.T) {
	f := newFixture(t, nil)
	ctx := context.Background()
	d := seedSchool(f.srv)
	cams, storage, err := f.client.AllCameras(ctx)
	if err != nil || len(cams) != 2 {
		t.Fatalf("%v %v", cams, err)
	}
	if storage != "http://192.168.1.70:80" {
		t.Fatalf("storage_addr %q", storage)
	}
	c1 := cams[0]
	if c1.CameraID != d.cam1 || c1.NameSet != "采集端" || c1.SchoolName != "东升一中" || c1.GradeName != "一年级" ||
		c1.DeviceCmdPort != 8000 || c1.DeviceOSD != 1 {
		t.Fatalf("camera: %#v", c1)
	}
	if cams[1].StreamURL != "rtsp://u:streampw@192.168.1.65/live" {
		t.Fatalf("stream_url %q", cams[1].StreamURL)
	}
	pw, err := c1.Password()
	if err != nil || pw.Reveal() != "pa55:word" {
		t.Fatalf("password: %v", err)
	}
	if got := c1.SnapshotURL(storage); got != "http://192.168.1.70:80/snap/1.jpg" {
		t.Fatalf("snapshot url %q", got)
	}

	added, err := f.client.AddCamera(ctx, yunlubo.CameraInput{CameraName: "三班", GatherID: d.gather, GradeID: d.grade,
		StreamProp: yunlubo.StreamForward, StreamURL: "rtmp://10.0.0.1/live/3"})
	if err != nil {
		t.Fatal(err)
	}
	if added.CameraID == 0 || len(added.Transmit) == 0 {
		t.Fatalf("add_camera: %+v", added)
	}
	_, err = f.client.AddCamera(ctx, yunlubo.CameraInput{CameraName: "x", GatherID: d.gather, GradeID: d.grade, StreamProp: yunlubo.StreamCamera})
	wantCode(t, err, yunlubo.CodeNoID)
	_, err = f.client.AddCamera(ctx, yunlubo.CameraInput{GatherID: d.gather, GradeID: d.grade, StreamProp: 1, StreamMP4: "/a.mp4"})
	wantCode(t, err, yunlubo.CodeNoName)
	_, err = f.client.AddCamera(ctx, yunlubo.CameraInput{CameraName: "x", GatherID: 99, GradeID: d.grade, StreamProp: 1, StreamMP4: "/a.mp4"})
	wantCode(t, err, yunlubo.CodeNoID)

	pass := yunlubo.Secret("n3w-pass")
	tr, err := f.client.ModCamera(ctx, d.cam1, yunlubo.CameraChange{DevicePass: &pass, DeviceTwice: yunlubo.Ptr(1), DeviceIP: yunlubo.Ptr("192.168.1.99")})
	if err != nil || len(tr) == 0 {
		t.Fatalf("mod_camera: %s %v", tr, err)
	}
	stored, _ := f.srv.Camera(d.cam1)
	if stored.DevicePass.Reveal() != yunlubo.EncodePassword("n3w-pass") || stored.DeviceTwice != 1 || stored.DeviceIP != "192.168.1.99" {
		t.Fatalf("after mod_camera: %#v (pass sent base64? %v)", stored, stored.DevicePass.Reveal() == yunlubo.EncodePassword("n3w-pass"))
	}
	_, err = f.client.ModCamera(ctx, 999, yunlubo.CameraChange{})
	wantCode(t, err, yunlubo.CodeNoID)

	st, err := f.client.CameraStatus(ctx, d.cam1)
	if err != nil || st != 0 {
		t.Fatalf("status %d %v", st, err)
	}
	if _, err := f.client.StartCamera(ctx, d.cam1); err != nil {
		t.Fatal(err)
	}
	if st, _ := f.client.CameraStatus(ctx, d.cam1); st != 1 {
		t.Fatalf("after start: status %d", st)
	}
	if _, err := f.client.StopCamera(ctx, d.cam1); err != nil {
		t.Fatal(err)
	}
	if st, _ := f.client.CameraStatus(ctx, d.cam1); st != 0 {
		t.Fatalf("after stop: status %d", st)
	}
	_, err = f.client.StartCamera(ctx, 999)
	wantCode(t, err, yunlubo.CodeNoID)
	_, err = f.client.CameraStatus(ctx, 999)
	wantCode(t, err, yunlubo.CodeNoID)

	play, err := f.client.PlayCamera(ctx, d.cam1, 640, 0)
	if err != nil || !strings.Contains(play, "width=640&height=550") {
		t.Fatalf("play_camera %q %v", play, err)
	}

	// Deleting a camera deletes its courses and records.
	if err := f.client.DelCameras(ctx, d.cam1); err != nil {
		t.Fatal(err)
	}
	if _, ok := f.srv.Course(d.course); ok {
		t.Fatal("course of a deleted camera kept")
	}
	if _, ok := f.srv.Record(d.record); ok {
		t.Fatal("record of a deleted camera kept")
	}
}

func TestExampleFieldNamesRead(t *testing.T) {
	f := newFixture(t, nil)
	seedSchool(f.srv)
	f.srv.UseExampleFieldNames(true)
	cams, _, err := f.client.AllCameras(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if cams[0].ImageFDFS != "/snap/1.jpg" || cams[0].DeviceCmdPort != 8000 {
		t.Fatalf("image_fds/device_cmd_prot not read: %#v", cams[0])
	}
}

func TestRecords(t *testing.T) {
	f := newFixture(t, nil)
	ctx := context.Background()
	d := seedSchool(f.srv)
	recs, storage, err := f.client.AllRecords(ctx)
	if err != nil || len(recs) != 1 {
		t.Fatalf("%v %v", recs, err)
	}
	r := recs[0]
	if r.RecordID != d.record || r.FileSize != 6598647 || r.Duration != 60 || r.FileURL(storage) != "http://192.168.1.70:80/rec/1.mp4" ||
		r.ImageURL(storage) != "http://192.168.1.70:80/rec/1.jpg" {
		t.Fatalf("record: %+v", r)
	}
	play, err := f.client.PlayRecord(ctx, d.record, 0, 0)
	if err != nil || !strings.Contains(play, "/record/") || !strings.Contains(play, "width=850&height=550") {
		t.Fatalf("play_record %q %v", play, err)
	}
	_, err = f.client.PlayRecord(ctx, 999, 0, 0)
	wantCode(t, err, yunlubo.CodeNoID)
	if err := f.client.DelRecords(ctx, d.record); err != nil {
		t.Fatal(err)
	}
	if _, ok := f.srv.Record(d.record); ok {
		t.Fatal("record not deleted")
	}
}

func TestCourses(t *testing.T) {
	f := newFixture(t, nil)
	ctx := context.Background()
	d := seedSchool(f.srv)
	courses, err := f.client.AllCourses(ctx, d.cam1)
	if err != nil || len(courses) != 1 {
		t.Fatalf("%v %v", courses, err)
	}
	c := courses[0]
	start, ok := c.StartOfDay()
	if wd, _ := c.Weekday(); !ok || start != 10*time.Hour+30*time.Minute || wd != time.Wednesday || c.Length() != 45*time.Minute {
		t.Fatalf("course: %+v", c)
	}
	if !strings.HasSuffix(c.EndTime, "11:15:00") {
		t.Fatalf("end_time %q", c.EndTime)
	}

	in := yunlubo.CourseInput{CameraID: d.cam1, SubjectID: d.subject, TeacherID: d.teacher, WeekID: time.Wednesday,
		Start: 11*time.Hour + 15*time.Minute, Elapse: 45 * time.Minute}
	saved, err := f.client.AddCourse(ctx, in) // touches the first course's end: no overlap
	if err != nil {
		t.Fatal(err)
	}
	if saved.CourseID == 0 || saved.CameraID != d.cam1 {
		t.Fatalf("add_course: %+v", saved)
	}
	overlap := in
	overlap.Start = 11 * time.Hour
	_, err = f.client.AddCourse(ctx, overlap)
	wantCode(t, err, yunlubo.CodeTimeOverlap)
	other := overlap
	other.WeekID = time.Thursday
	if _, err := f.client.AddCourse(ctx, other); err != nil {
		t.Fatalf("another weekday must not overlap: %v", err)
	}
	late := in
	late.Start, late.Elapse = 23*time.Hour, time.Hour
	_, err = f.client.AddCourse(ctx, late)
	wantCode(t, err, yunlubo.CodeCrossDay)
	late.Elapse = time.Hour - time.Second // ends 23:59:59 exactly
	if _, err := f.client.AddCourse(ctx, late); err != nil {
		t.Fatalf("a course ending at 23:59:59 is not cross-day: %v", err)
	}
	bad := in
	bad.Start = 24 * time.Hour
	_, err = f.client.AddCourse(ctx, bad)
	wantCode(t, err, yunlubo.CodeBadTime)
	bad = in
	bad.WeekID = 7
	_, err = f.client.AddCourse(ctx, bad)
	wantCode(t, err, yunlubo.CodeBadTime)
	bad = in
	bad.SubjectID = 999
	_, err = f.client.AddCourse(ctx, bad)
	wantCode(t, err, yunlubo.CodeNoID)

	// mod_course may keep its own slot; moving onto another course overlaps.
	moved := in
	moved.Elapse = 30 * time.Minute
	if _, err := f.client.ModCourse(ctx, saved.CourseID, moved); err != nil {
		t.Fatal(err)
	}
	if got, _ := f.srv.Course(saved.CourseID); got.ElapseSec != 1800 {
		t.Fatalf("after mod_course: %+v", got)
	}
	moved.Start = 10*time.Hour + 15*time.Minute
	_, err = f.client.ModCourse(ctx, saved.CourseID, moved)
	wantCode(t, err, yunlubo.CodeTimeOverlap)
	_, err = f.client.ModCourse(ctx, 999, in)
	wantCode(t, err, yunlubo.CodeNoID)

	if _, err := f.client.DelCourses(ctx, saved.CourseID); err != nil {
		t.Fatal(err)
	}
	if _, ok := f.srv.Course(saved.CourseID); ok {
		t.Fatal("course not deleted")
	}
}

func TestFetchAll(t *testing.T) {
	f := newFixture(t, nil)
	d := seedSchool(f.srv)
	st, err := f.client.FetchAll(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if len(st.Gathers) != 1 || len(st.Cameras) != 2 || len(st.Subjects) != 1 || len(st.Teachers) != 1 {
		t.Fatalf("state: %+v", st)
	}
	if len(st.Courses[d.cam1]) != 1 || len(st.Courses[d.cam2]) != 0 {
		t.Fatalf("courses: %+v", st.Courses)
	}
	if _, ok := st.Courses[d.cam2]; !ok {
		t.Fatal("a camera without courses must still have an (empty) entry")
	}
	g, ok := st.GatherByMAC("aabb.cc00.1122")
	if !ok || g.GatherID != d.gather {
		t.Fatal("gather not found by MAC")
	}
	if len(st.CamerasOf(d.gather)) != 2 || len(st.CamerasOf(99)) != 0 {
		t.Fatal("CamerasOf")
	}
	if f.srv.Requests("list_course") != 2 {
		t.Fatalf("list_course called %d times, want once per camera", f.srv.Requests("list_course"))
	}
}

func TestFetchAllFailsWhole(t *testing.T) {
	f := newFixture(t, nil)
	seedSchool(f.srv)
	f.srv.FailCode("list_course", 1, yunlubo.CodeNoID)
	st, err := f.client.FetchAll(context.Background())
	if st != nil {
		t.Fatal("a partial state was returned")
	}
	wantCode(t, err, yunlubo.CodeNoID)
	if !strings.Contains(err.Error(), "courses of camera") {
		t.Fatalf("error does not say what failed: %v", err)
	}
}
