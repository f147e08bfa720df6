package yunlubotest

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/lubo-edge/lubo/cloud/yunlubo"
)

// get sends a GET (or method) to the server in process and decodes the answer.
func call(t *testing.T, s *Server, method, target string) (int, map[string]any) {
	t.Helper()
	u, err := url.ParseRequestURI(target)
	if err != nil {
		t.Fatal(err)
	}
	r := &http.Request{Method: method, URL: u, Header: http.Header{}, Host: "emu"}
	w := httptest.NewRecorder()
	s.ServeHTTP(w, r)
	var ans map[string]any
	if w.Code == http.StatusOK {
		if err := json.Unmarshal(w.Body.Bytes(), &ans); err != nil {
			t.Fatalf("%s: %v: %s", target, err, w.Body)
		}
	}
	return w.Code, ans
}

func code(ans map[string]any) int {
	n, _ := ans["err_code"].(float64)
	return int(n)
}

func token(t *testing.T, s *Server) string {
	t.Helper()
	s.AddAccount("uid", true)
	_, ans := call(t, s, "GET", "/api/v1/access_token?unionid=uid")
	tok, _ := ans["token"].(string)
	if tok == "" || ans["expires"] != float64(7200) {
		t.Fatalf("access_token: %v", ans)
	}
	return tok
}

func TestBothURLForms(t *testing.T) {
	s := New()
	tok := token(t, s)
	cam := s.AddCamera(yunlubo.Camera{CameraName: "c"})
	s.AddCourse(yunlubo.Course{CameraID: cam, WeekID: 1, StartTime: "08:00:00", ElapseSec: 60})
	for _, target := range []string{
		"/api/v1/list_course?token=" + tok + "&camera_id=1&cur=1&per=10",
		"/api/v1/list_course/token/" + tok + "/camera_id/1/cur/1/per/10",
	} {
		st, ans := call(t, s, "GET", target)
		if st != 200 || code(ans) != 0 || ans["total_num"] != float64(1) || ans["cur_page"] != "1" || ans["per_page"] != "10" {
			t.Fatalf("%s: %d %v", target, st, ans)
		}
	}
}

func TestRefusedRequests(t *testing.T) {
	s := New()
	tok := token(t, s)
	for target, status := range map[string]int{
		"/api/v1/List_School?token=" + tok: 404,
		"/API/v1/list_school?token=" + tok: 404,
		"/api/v1/nothing":                  404,
		"/api/v1/list_school/token":        400,
	} {
		if st, _ := call(t, s, "GET", target); st != status {
			t.Errorf("%s: %d, want %d", target, st, status)
		}
	}
	if st, _ := call(t, s, "POST", "/api/v1/list_school?token="+tok); st != 405 {
		t.Errorf("POST answered %d", st)
	}
}

func TestTokenCodes(t *testing.T) {
	s := New()
	tok := token(t, s)
	cases := []struct {
		target string
		code   int
	}{
		{"/api/v1/list_school", yunlubo.CodeNoToken},
		{"/api/v1/list_school?token=", yunlubo.CodeNoToken},
		{"/api/v1/list_school?token=forged", yunlubo.CodeTokenInvalid},
		{"/api/v1/list_school?token=" + tok, 0},
		{"/api/v1/access_token?unionid=", yunlubo.CodeInvalidUnionID},
		{"/api/v1/access_token?unionid=a%20b", yunlubo.CodeInvalidUnionID},
		{"/api/v1/access_token?unionid=nobody", yunlubo.CodeAccountNotFound},
		{"/api/v1/list_course?token=" + tok, yunlubo.CodeNoID},
		{"/api/v1/mod_camera/token/" + tok + "/camera_id/9/grade_id/1", yunlubo.CodeNoID},
		{"/api/v1/del_subject?token=" + tok + "&subject_id=", yunlubo.CodeNoID},
	}
	for _, tc := range cases {
		if _, ans := call(t, s, "GET", tc.target); code(ans) != tc.code {
			t.Errorf("%s: %v, want %d", tc.target, ans, tc.code)
		}
	}
	s.Advance(TokenLifetime - time.Second)
	if _, ans := call(t, s, "GET", "/api/v1/list_school?token="+tok); code(ans) != 0 {
		t.Fatalf("token refused 1 s before expiry: %v", ans)
	}
	s.Advance(time.Second)
	if _, ans := call(t, s, "GET", "/api/v1/list_school?token="+tok); code(ans) != yunlubo.CodeTokenExpired {
		t.Fatalf("token accepted at 7200 s: %v", ans)
	}
	if _, ans := call(t, s, "GET", "/api/v1/version"); ans["API"] != "v1" {
		t.Fatalf("version needs no token: %v", ans)
	}
}

func TestPagingAsDocumented(t *testing.T) {
	s := New()
	tok := token(t, s)
	for range 23 {
		s.AddSubject(yunlubo.Subject{SubjectName: "s"})
	}
	cases := []struct {
		query          string
		cur, per, rows int
	}{
		{"", 1, 10, 10},
		{"&cur=3", 3, 10, 3},
		{"&cur=4", 4, 10, 0},
		{"&per=5&cur=5", 5, 5, 3},
		{"&per=0&cur=-1", 1, 10, 10},
		{"&cur=99999999999999999999", 1, 10, 10}, // not an int64: the default
		{"&cur=99999999999999999", 99999999999999999, 10, 0},
	}
	for _, tc := range cases {
		_, ans := call(t, s, "GET", "/api/v1/list_subject?token="+tok+tc.query)
		data, _ := ans["data"].([]any)
		if ans["total_num"] != float64(23) || ans["cur_page"] != float64(tc.cur) || ans["per_page"] != float64(tc.per) ||
			len(data) != tc.rows || ans["max_page"] != float64((23+tc.per-1)/tc.per) {
			t.Errorf("%q: %v", tc.query, ans)
		}
	}
	_, ans := call(t, s, "GET", "/api/v1/list_subject?token="+tok)
	first := ans["data"].([]any)[0].(map[string]any)
	if first["subject_id"] != "1" {
		t.Errorf("subject_id written %v, the example writes a string", first["subject_id"])
	}
}

func TestControls(t *testing.T) {
	s := Start(t)
	s.AddAccount("uid", true)
	target := s.URL + "/api/v1/access_token?unionid=uid"
	fetch := func() (int, string, error) {
		resp, err := http.Get(target)
		if err != nil {
			return 0, "", err
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b), nil
	}
	s.FailHTTP(1, 500)
	if st, _, _ := fetch(); st != 500 {
		t.Fatalf("FailHTTP: %d", st)
	}
	s.Garbage(1)
	if _, body, _ := fetch(); json.Valid([]byte(body)) {
		t.Fatalf("Garbage answered valid JSON: %s", body)
	}
	s.FailCode("access_token", 1, yunlubo.CodeNoToken)
	if _, body, _ := fetch(); !strings.Contains(body, "1004") || !strings.Contains(body, "生成 token 过程中发生错误") {
		t.Fatalf("FailCode: %s", body)
	}
	s.SetDown(true)
	if _, _, err := fetch(); err == nil {
		t.Fatal("a down server answered")
	}
	s.SetDown(false)
	if st, body, err := fetch(); err != nil || st != 200 || !strings.Contains(body, `"token"`) {
		t.Fatalf("after coming back: %d %s %v", st, body, err)
	}
	// net/http may resend the dropped GET once: 5 or 6 requests.
	if n := s.Requests("access_token"); n < 5 || n > 6 || s.TokensIssued() != 1 {
		t.Fatalf("requests %d, tokens %d", s.Requests("access_token"), s.TokensIssued())
	}
}

func FuzzServeHTTP(f *testing.F) {
	seeds := []string{
		"/api/v1/version",
		"/api/v1/access_token?unionid=uid",
		"/api/v1/list_camera?token=TOKEN&cur=2&per=1",
		"/api/v1/list_course/token/TOKEN/camera_id/1",
		"/api/v1/add_course?token=TOKEN&camera_id=1&subject_id=1&teacher_id=1&week_id=3&elapse_sec=3600&start_time=10:30:30",
		"/api/v1/mod_course?token=TOKEN&course_id=1&camera_id=1&subject_id=1&teacher_id=1&week_id=3&elapse_sec=60&start_time=23:59:00",
		"/api/v1/add_camera?token=TOKEN&camera_name=x&gather_id=1&grade_id=1&stream_prop=2&stream_url=rtsp://a",
		"/api/v1/mod_camera?token=TOKEN&camera_id=1&device_pass=eHh4&grade_id=1",
		"/api/v1/mod_gather?token=TOKEN&gather_id=1&slice_val=30&school_id=1",
		"/api/v1/del_camera?token=TOKEN&camera_id=1,2,3",
		"/api/v1/mod_teacher/token/TOKEN/teacher_id/1/title_id/x",
		"/api/v1/play_record?token=TOKEN&record_id=1&width=-1",
		"/api/v1/list_school?token=TOKEN&cur=9223372036854775807&per=1000",
	}
	for _, s := range seeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, target string) {
		s := New()
		s.AddAccount("uid", true)
		sc := s.AddSchool(yunlubo.School{Name: "s"})
		gr := s.AddGrade(yunlubo.Grade{GradeName: "g"})
		g := s.AddGather(yunlubo.Gather{SchoolID: sc})
		cam := s.AddCamera(yunlubo.Camera{GatherID: g, GradeID: gr})
		sub := s.AddSubject(yunlubo.Subject{SubjectName: "s"})
		tea := s.AddTeacher(yunlubo.Teacher{TeacherName: "t"})
		s.AddCourse(yunlubo.Course{CameraID: cam, SubjectID: sub, TeacherID: tea, WeekID: 3, StartTime: "08:00:00", ElapseSec: 60})
		s.AddRecord(yunlubo.Record{CameraID: cam})
		w := httptest.NewRecorder()
		s.ServeHTTP(w, &http.Request{Method: "GET", URL: &url.URL{Path: "/api/v1/access_token", RawQuery: "unionid=uid"}, Header: http.Header{}})
		var tok struct{ Token string }
		_ = json.Unmarshal(w.Body.Bytes(), &tok)
		u, err := url.ParseRequestURI(strings.ReplaceAll(target, "TOKEN", tok.Token))
		if err != nil {
			return
		}
		w = httptest.NewRecorder()
		s.ServeHTTP(w, &http.Request{Method: "GET", URL: u, Header: http.Header{}, Host: "emu"})
		switch w.Code {
		case 400, 404:
			return
		case 200:
		default:
			t.Fatalf("%s: status %d", target, w.Code)
		}
		var ans map[string]any
		if err := json.Unmarshal(w.Body.Bytes(), &ans); err != nil {
			t.Fatalf("%s: invalid JSON %v", target, err)
		}
		if _, ok := ans["err_code"]; !ok && ans["API"] == nil {
			t.Fatalf("%s: no err_code: %s", target, w.Body)
		}
	})
}
