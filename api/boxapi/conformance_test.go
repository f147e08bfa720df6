package boxapi

import (
	"encoding/json"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/lubo-edge/lubo/cloud/yunlubo"
)

// exampleFile is the document's example answer of each endpoint the box
// serves (cloud/yunlubo/testdata/examples, with the repairs its README lists).
var exampleFile = map[string]string{
	"version": "version.json", "access_token": "access_token.json",
	"list_school": "list_school.json", "list_subject": "list_subject.json", "list_grade": "list_grade.json",
	"list_teacher": "list_teacher.json", "list_gather": "list_gather.json",
	"list_camera": "list_camera.json", "add_camera": "add_camera.json", "mod_camera": "transmit.json", "del_camera": "ok.json",
	"get_camera_status": "get_camera_status.json", "start_camera": "transmit.json", "stop_camera": "transmit.json",
	"list_record": "list_record.json", "del_record": "ok.json",
	"list_course": "list_course.json", "add_course": "add_course.json", "mod_course": "add_course.json", "del_course": "transmit.json",
	"play_camera": "play.json", "play_record": "play.json",
}

func loadExample(t *testing.T, endpoint string) map[string]any {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "..", "cloud", "yunlubo", "testdata", "examples", exampleFile[endpoint]))
	if err != nil {
		t.Fatalf("example of %s: %v", endpoint, err)
	}
	return decodeObject(t, string(b))
}

// kind is a JSON value's kind; the example spellings image_fds and
// device_cmd_prot are read as the field list's names (seeds README).
func kind(v any) string {
	switch v.(type) {
	case json.Number:
		return "number"
	case string:
		return "string"
	case map[string]any:
		return "object"
	case []any:
		return "array"
	case bool:
		return "bool"
	}
	return "null"
}

var fieldListName = map[string]string{"image_fds": "image_fdfs", "device_cmd_prot": "device_cmd_port"}

func shape(m map[string]any) map[string]string {
	out := map[string]string{}
	for k, v := range m {
		if n, ok := fieldListName[k]; ok {
			k = n
		}
		out[k] = kind(v)
	}
	return out
}

// sameShape compares the names and value kinds of an answer with the
// example's, rows of data included. transmit's value is a placeholder in
// the document ("xxx"); only its presence is compared.
func sameShape(t *testing.T, endpoint string, got map[string]any) {
	t.Helper()
	want := loadExample(t, endpoint)
	compare := func(where string, w, g map[string]any) {
		ws, gs := shape(w), shape(g)
		var problems []string
		for k, wk := range ws {
			gk, ok := gs[k]
			switch {
			case !ok:
				problems = append(problems, "missing "+k)
			case k != "transmit" && k != "data" && gk != wk:
				problems = append(problems, fmt.Sprintf("%s is a %s, the example has a %s", k, gk, wk))
			}
		}
		for k := range gs {
			if _, ok := ws[k]; !ok {
				problems = append(problems, "extra "+k)
			}
		}
		sort.Strings(problems)
		if len(problems) > 0 {
			t.Errorf("%s %s: %s", endpoint, where, strings.Join(problems, "; "))
		}
	}
	compare("answer", want, got)
	wd, _ := want["data"].([]any)
	gd, _ := got["data"].([]any)
	if len(wd) > 0 {
		if len(gd) == 0 {
			t.Fatalf("%s: no data rows to compare with the example's", endpoint)
		}
		compare("row", wd[0].(map[string]any), gd[0].(map[string]any))
	}
}

// TestConformanceWithExamples calls every endpoint the box serves with the
// document's example parameters, in both URL forms, and compares the
// answer's names and value kinds with the document's example answer.
func TestConformanceWithExamples(t *testing.T) {
	e := newEnv(t)
	tok := e.token()
	rec := e.putRecord("c101", time.Date(2026, 11, 25, 10, 30, 0, 0, cst), "")
	mp4 := filepath.Join(t.TempDir(), "lesson.mp4")
	if err := os.WriteFile(mp4, []byte("mp4"), 0o644); err != nil {
		t.Fatal(err)
	}
	q := func(kv ...string) string {
		v := url.Values{"token": {tok}}
		for i := 0; i < len(kv); i += 2 {
			v.Set(kv[i], kv[i+1])
		}
		return v.Encode()
	}
	// both calls the example form and the path form; each must agree.
	both := func(endpoint, query string, check func(m map[string]any)) {
		t.Helper()
		m := e.get("/api/v1/" + endpoint + "?" + query)
		check(m)
		vals, _ := url.ParseQuery(query)
		keys := make([]string, 0, len(vals))
		for k := range vals {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		path := "/api/v1/" + endpoint
		for _, k := range keys {
			path += "/" + url.PathEscape(k) + "/" + url.PathEscape(vals.Get(k))
		}
		if path == "/api/v1/"+endpoint {
			return
		}
		check(e.get(path))
	}
	okShape := func(endpoint string) func(map[string]any) {
		return func(m map[string]any) {
			t.Helper()
			if code(t, m) != 0 {
				t.Fatalf("%s: %v", endpoint, m)
			}
			sameShape(t, endpoint, m)
		}
	}

	sameShape(t, "version", e.get("/api/v1/version"))
	both("access_token", "unionid="+testUnionID, okShape("access_token"))
	for _, ep := range []string{"list_school", "list_subject", "list_grade", "list_teacher", "list_gather", "list_camera", "list_record"} {
		both(ep, q("cur", "1", "per", "10"), okShape(ep))
	}
	both("list_course", q("camera_id", "10001", "cur", "1", "per", "10"), okShape("list_course"))
	both("get_camera_status", q("camera_id", "10001"), okShape("get_camera_status"))

	// add_camera in the query form, then the path form: two channels.
	m := e.get("/api/v1/add_camera?" + q("camera_name", "三班", "gather_id", "3", "grade_id", "1", "stream_prop", "1", "stream_mp4", mp4))
	okShape("add_camera")(m)
	m = e.get("/api/v1/add_camera/token/" + tok + "/camera_name/" + url.PathEscape("四班") + "/gather_id/3/grade_id/2/stream_prop/2/stream_url/" +
		url.PathEscape("rtsp://10.0.0.9/live"))
	okShape("add_camera")(m)
	cam := string(m["camera_id"].(json.Number))
	both("mod_camera", q("camera_id", cam, "grade_id", "1"), okShape("mod_camera"))
	both("start_camera", q("camera_id", "10001"), okShape("start_camera"))
	both("stop_camera", q("camera_id", "10001"), okShape("stop_camera"))
	both("play_camera", q("camera_id", "10001", "width", "850", "height", "550"), okShape("play_camera"))
	both("play_record", q("record_id", fmt.Sprint(rec.Seq), "width", "850", "height", "550"), okShape("play_record"))

	m = e.get("/api/v1/add_course?" + q("camera_id", cam, "subject_id", "6", "teacher_id", "7", "week_id", "3", "elapse_sec", "3600", "start_time", "10:30:30"))
	okShape("add_course")(m)
	course := string(m["course_id"].(json.Number))
	both("mod_course", q("course_id", course, "camera_id", cam, "subject_id", "6", "teacher_id", "7", "week_id", "3", "elapse_sec", "3600", "start_time", "10:30:30"), okShape("mod_course"))
	both("list_course", q("camera_id", cam), okShape("list_course"))
	m = e.get("/api/v1/del_course?" + q("course_id", course))
	okShape("del_course")(m)
	m = e.get("/api/v1/del_record?" + q("record_id", fmt.Sprint(rec.Seq)))
	okShape("del_record")(m)
	m = e.get("/api/v1/del_camera?" + q("camera_id", cam))
	okShape("del_camera")(m)
}

// TestEveryEndpointChecksTheToken: 1004 without a token, 1006 for one the
// box did not issue, 1007 after 7200 s, in both URL forms.
func TestEveryEndpointChecksTheToken(t *testing.T) {
	e := newEnv(t)
	tok := e.token()
	for _, ep := range yunlubo.Endpoints {
		if !yunlubo.NeedsToken(ep) {
			continue
		}
		e.wantCode("/api/v1/"+ep, yunlubo.CodeNoToken)
		e.wantCode("/api/v1/"+ep+"?token=", yunlubo.CodeNoToken)
		e.wantCode("/api/v1/"+ep+"?token=forged0123", yunlubo.CodeTokenInvalid)
		e.wantCode("/api/v1/"+ep+"/token/forged0123", yunlubo.CodeTokenInvalid)
		e.wantCode("/api/v1/"+ep+"?token="+strings.Repeat("x", 5000), yunlubo.CodeTokenInvalid)
	}
	e.wantCode("/api/v1/list_camera?token="+tok, 0)
	e.clock.Advance(TokenLifetime - time.Second)
	e.wantCode("/api/v1/list_camera/token/"+tok, 0)
	e.clock.Advance(time.Second)
	for _, ep := range yunlubo.Endpoints {
		if yunlubo.NeedsToken(ep) {
			e.wantCode("/api/v1/"+ep+"?token="+tok, yunlubo.CodeTokenExpired)
			e.wantCode("/api/v1/"+ep+"/token/"+tok, yunlubo.CodeTokenExpired)
		}
	}
	// A new token works; the version needs none.
	e.wantCode("/api/v1/list_camera?token="+e.token(), 0)
	if m := e.get("/api/v1/version"); m["API"] != "v1" || m["Name"] != "云录播" {
		t.Fatalf("version: %v", m)
	}
}

func TestAccessToken(t *testing.T) {
	e := newEnv(t)
	m := e.wantCode("/api/v1/access_token?unionid="+testUnionID, 0)
	if m["expires"] != json.Number("7200") || m["err_msg"] != "OK" {
		t.Fatalf("answer %v", m)
	}
	e.wantCode("/api/v1/access_token", yunlubo.CodeInvalidUnionID)
	e.wantCode("/api/v1/access_token?unionid=", yunlubo.CodeInvalidUnionID)
	e.wantCode("/api/v1/access_token?unionid=%3Cscript%3E", yunlubo.CodeInvalidUnionID)
	e.wantCode("/api/v1/access_token?unionid="+strings.Repeat("a", 300), yunlubo.CodeInvalidUnionID)
	m = e.wantCode("/api/v1/access_token?unionid=someone-else", yunlubo.CodeAccountNotFound)
	if m["err_msg"] != "没有找到 unionid 指定的帐号" {
		t.Fatalf("err_msg %v", m["err_msg"])
	}
	e.wantCode("/api/v1/access_token/unionid/"+testUnionID, 0)
	e.wantCode("/api/v1/access_token/unionid/"+testUnionID[:len(testUnionID)-1], yunlubo.CodeAccountNotFound)
	// Two tokens are different and both work.
	a, b := e.token(), e.token()
	if a == b {
		t.Fatal("the same token twice")
	}
	e.wantCode("/api/v1/list_gather?token="+a, 0)
	e.wantCode("/api/v1/list_gather?token="+b, 0)
}

// TestRequestsOutsideTheAPI: methods, unknown endpoints, upper case and
// malformed paths are HTTP errors with a sentence, never a 500.
func TestRequestsOutsideTheAPI(t *testing.T) {
	e := newEnv(t)
	for path, want := range map[string]int{
		"/api/v1/nothing":           404,
		"/api/v1/List_Camera":       404,
		"/api/v1/":                  404,
		"/api/v1/list_camera/token": 400,
		"/api/v1/list_camera?a=%zz": 400,
		"/api/v1/version?x=" + strings.Repeat("y", 9000): 400,
	} {
		status, body := e.raw(path)
		if status != want || strings.TrimSpace(body) == "" {
			t.Errorf("GET %.60s: HTTP %d %q, want %d with a message", path, status, body, want)
		}
	}
	resp, err := e.srv.Client().Post(e.srv.URL+"/api/v1/version", "text/plain", nil)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 405 {
		t.Fatalf("POST: HTTP %d", resp.StatusCode)
	}
}

// TestEndpointsABoxDoesNotServe: documented endpoints for the server's own
// tables check the token and parameters, then answer 1003 with a reason.
func TestEndpointsABoxDoesNotServe(t *testing.T) {
	e := newEnv(t)
	tok := e.token()
	e.wantCode("/api/v1/add_school?token="+tok, yunlubo.CodeNoName)
	e.wantCode("/api/v1/del_subject?token="+tok+"&subject_id=x", yunlubo.CodeNoID)
	for _, p := range []string{"add_school?name=a&addr=b", "mod_school?school_id=1&name=a&addr=b", "del_school?school_id=1",
		"add_subject?subject_name=a", "mod_subject?subject_id=1&subject_name=a", "del_subject?subject_id=1",
		"add_teacher?teacher_name=a&sex_name=b&title_name=c&title_id=1", "mod_teacher?teacher_id=1", "del_teacher?teacher_id=1",
		"mod_gather?gather_id=3"} {
		m := e.wantCode("/api/v1/"+p+"&token="+tok, yunlubo.CodeNoAPIAccess)
		if msg, _ := m["err_msg"].(string); !strings.Contains(msg, "云录播") {
			t.Errorf("%s: err_msg %q gives no reason", p, msg)
		}
	}
}

func TestListsAndPaging(t *testing.T) {
	e := newEnv(t)
	tok := e.token()
	m := e.wantCode("/api/v1/list_camera?token="+tok, 0)
	if m["storage_addr"] != e.srv.URL || m["total_num"] != json.Number("2") || m["cur_page"] != "1" || m["per_page"] != "10" {
		t.Fatalf("list_camera: %v", m)
	}
	rows := m["data"].([]any)
	c101, y12 := rows[0].(map[string]any), rows[1].(map[string]any)
	if c101["camera_id"] != json.Number("10001") || c101["status"] != json.Number("1") || c101["image_fdfs"] != "/snapshots/c101.jpg" ||
		c101["grade_name"] != "一年级" || c101["school_name"] != "东升一中" || c101["gather_id"] != json.Number("3") {
		t.Errorf("c101 row: %v", c101)
	}
	if y12["camera_id"] != json.Number("12") || y12["status"] != json.Number("0") || y12["image_fdfs"] != "" || y12["device_pass"] != "" {
		t.Errorf("y12 row: %v", y12)
	}
	m = e.wantCode("/api/v1/list_camera?token="+tok+"&cur=2&per=1", 0)
	if rows := m["data"].([]any); len(rows) != 1 || rows[0].(map[string]any)["camera_id"] != json.Number("12") || m["max_page"] != json.Number("2") {
		t.Errorf("page 2 of 1: %v", m)
	}
	m = e.wantCode("/api/v1/list_camera?token="+tok+"&cur=9", 0)
	if rows := m["data"].([]any); len(rows) != 0 {
		t.Errorf("page 9: %v", m)
	}
	// Non-numeric paging takes the defaults (the document gives no code).
	m = e.wantCode("/api/v1/list_camera?token="+tok+"&cur=abc&per=-3", 0)
	if m["cur_page"] != "1" || m["per_page"] != "10" {
		t.Errorf("bad paging: %v", m)
	}

	m = e.wantCode("/api/v1/list_subject?token="+tok, 0)
	var subjects []string
	for _, r := range m["data"].([]any) {
		row := r.(map[string]any)
		subjects = append(subjects, fmt.Sprint(row["subject_id"], "=", row["subject_name"]))
	}
	if !slices.Equal(subjects, []string{"6=数学", "10001=语文"}) {
		t.Errorf("subjects: %v", subjects)
	}
	m = e.wantCode("/api/v1/list_teacher?token="+tok, 0)
	if rows := m["data"].([]any); len(rows) != 2 || rows[0].(map[string]any)["title_name"] != "一级教师" {
		t.Errorf("teachers: %v", m)
	}
	m = e.wantCode("/api/v1/list_gather?token="+tok, 0)
	if g := m["data"].([]any)[0].(map[string]any); g["gather_id"] != json.Number("3") || g["slice_val"] != json.Number("30") || g["mac_addr"] != "aa:bb:cc:dd:ee:ff" {
		t.Errorf("gather: %v", g)
	}
	m = e.wantCode("/api/v1/list_grade?token="+tok+"&per=1&cur=2", 0)
	if m["total_num"] != json.Number("2") || m["data"].([]any)[0].(map[string]any)["grade_name"] != "一年级" {
		t.Errorf("grades: %v", m)
	}
	e.wantCode("/api/v1/list_school?token="+tok, 0)
}
