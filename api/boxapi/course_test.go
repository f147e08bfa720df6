package boxapi

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/lubo-edge/lubo/cloud/yunlubo"
)

func TestCourses(t *testing.T) {
	e := newEnv(t)
	tok := e.token()
	e.wantCode("/api/v1/list_camera?token="+tok, 0) // c101 is 10001, y12 is 12
	list := func(camera string) []map[string]any {
		t.Helper()
		m := e.wantCode("/api/v1/list_course?token="+tok+"&camera_id="+camera, 0)
		var rows []map[string]any
		for _, r := range m["data"].([]any) {
			rows = append(rows, r.(map[string]any))
		}
		return rows
	}
	// The config course of c101 and the server's course 77 of y12.
	if rows := list("10001"); len(rows) != 1 || rows[0]["week_id"] != json.Number("3") || rows[0]["elapse_sec"] != json.Number("2700") ||
		!strings.HasSuffix(rows[0]["start_time"].(string), " 10:30:00") || !strings.HasSuffix(rows[0]["end_time"].(string), " 11:15:00") ||
		rows[0]["subject_id"] != json.Number("10001") || rows[0]["repeat_id"] != json.Number("2") {
		t.Fatalf("c101 courses: %v", rows)
	}
	if rows := list("12"); len(rows) != 1 || rows[0]["course_id"] != json.Number("77") || rows[0]["subject_id"] != json.Number("6") || rows[0]["teacher_id"] != json.Number("7") {
		t.Fatalf("y12 courses: %v", rows)
	}
	e.wantCode("/api/v1/list_course?token="+tok, yunlubo.CodeNoID)
	e.wantCode("/api/v1/list_course?token="+tok+"&camera_id=abc", yunlubo.CodeNoID)
	e.wantCode("/api/v1/list_course?token="+tok+"&camera_id=404", yunlubo.CodeNoID)

	add := "/api/v1/add_course?token=" + tok + "&subject_id=6&teacher_id=7&"
	for _, c := range []struct {
		query string
		code  int
	}{
		{"week_id=3&elapse_sec=3600&start_time=10:30:30", yunlubo.CodeNoID},                            // no camera_id
		{"camera_id=404&week_id=3&elapse_sec=3600&start_time=10:30:30", yunlubo.CodeNoID},              // unknown camera
		{"camera_id=10001&week_id=7&elapse_sec=3600&start_time=10:30:30", yunlubo.CodeBadTime},         // weekday
		{"camera_id=10001&week_id=x&elapse_sec=3600&start_time=10:30:30", yunlubo.CodeBadTime},         // non-numeric
		{"camera_id=10001&week_id=3&elapse_sec=0&start_time=10:30:30", yunlubo.CodeBadTime},            // no duration
		{"camera_id=10001&week_id=3&elapse_sec=3600&start_time=25:00:00", yunlubo.CodeBadTime},         // not a time
		{"camera_id=10001&week_id=3&elapse_sec=3600&start_time=10:30", yunlubo.CodeBadTime},            // HH:MM:SS only
		{"camera_id=10001&week_id=3&elapse_sec=3600&start_time=23:30:00", yunlubo.CodeCrossDay},        // past 23:59:59
		{"camera_id=10001&week_id=3&elapse_sec=3600&start_time=10:00:00", yunlubo.CodeTimeOverlap},     // the config course
		{"camera_id=12&week_id=1&elapse_sec=60&start_time=20:00:00", yunlubo.CodeNoAPIAccess},          // the server's channel
		{"camera_id=10001&week_id=3&elapse_sec=60&start_time=20:00:00&subject_id=999", yunlubo.CodeOK}, // first subject_id wins
	} {
		e.wantCode(add+c.query, c.code)
	}
	e.wantCode("/api/v1/add_course?token="+tok+"&camera_id=10001&subject_id=999&teacher_id=7&week_id=3&elapse_sec=60&start_time=07:00:00", yunlubo.CodeNoID)
	e.wantCode("/api/v1/add_course?token="+tok+"&camera_id=10001&subject_id=6&teacher_id=999&week_id=3&elapse_sec=60&start_time=07:00:00", yunlubo.CodeNoID)
	// Touching ends do not overlap (11:15:00 is when the config course ends).
	m := e.wantCode(add+"camera_id=10001&week_id=3&elapse_sec=2700&start_time=11:15:00", 0)
	course := string(m["course_id"].(json.Number))
	if m["camera_id"] != json.Number("10001") {
		t.Fatalf("add_course: %v", m)
	}
	// Ending at 23:59:59 is the last allowed end (§3.28 备注 2).
	e.wantCode(add+"camera_id=10001&week_id=0&elapse_sec=59&start_time=23:59:00", 0)
	e.wantCode(add+"camera_id=10001&week_id=0&elapse_sec=60&start_time=23:59:00", yunlubo.CodeCrossDay)
	m = e.wantCode(add+"camera_id=10001&week_id=3&elapse_sec=600&start_time=11:20:00", yunlubo.CodeTimeOverlap)
	if msg := m["err_msg"].(string); !strings.Contains(msg, "course_id "+course) {
		t.Fatalf("the overlap does not name the other course: %q", msg)
	}
	if rows := list("10001"); len(rows) != 4 {
		t.Fatalf("c101 has %d courses, want 4", len(rows))
	}

	// mod_course: a course may move over its own old time, not onto another.
	mod := "/api/v1/mod_course?token=" + tok + "&subject_id=6&teacher_id=7&camera_id=10001&"
	e.wantCode(mod+"course_id="+course+"&week_id=3&elapse_sec=3000&start_time=11:20:00", 0)
	e.wantCode(mod+"course_id="+course+"&week_id=3&elapse_sec=600&start_time=10:40:00", yunlubo.CodeTimeOverlap)
	e.wantCode(mod+"course_id=424242&week_id=3&elapse_sec=600&start_time=06:00:00", yunlubo.CodeNoID)
	e.wantCode(mod+"week_id=3&elapse_sec=600&start_time=06:00:00", yunlubo.CodeNoID)
	e.wantCode(mod+"course_id=77&week_id=3&elapse_sec=600&start_time=06:00:00", yunlubo.CodeNoAPIAccess)
	e.wantCode(mod+"course_id=10001&week_id=3&elapse_sec=600&start_time=06:00:00", yunlubo.CodeNoAPIAccess) // the config course
	cs, err := e.db.BoxCourses()
	if err != nil || len(cs) != 3 || cs[1].ElapseSec != 3000 || cs[1].Subject != "数学" || cs[1].Teacher != "李老师" || cs[1].Channel != "c101" {
		t.Fatalf("stored courses: %+v, %v", cs, err)
	}

	changes := e.changeCount()
	e.wantCode("/api/v1/del_course?token="+tok+"&course_id="+course+",77", yunlubo.CodeNoAPIAccess)
	e.wantCode("/api/v1/del_course?token="+tok+"&course_id="+course+",424242", yunlubo.CodeNoID)
	e.wantCode("/api/v1/del_course?token="+tok+"&course_id=a", yunlubo.CodeNoID)
	e.wantCode("/api/v1/del_course?token="+tok, yunlubo.CodeNoID)
	if e.changeCount() != changes {
		t.Fatal("a refused del_course changed something")
	}
	e.wantCode("/api/v1/del_course/token/"+tok+"/course_id/"+course, 0)
	if cs, _ := e.db.BoxCourses(); len(cs) != 2 || e.changeCount() != changes+1 {
		t.Fatalf("after del_course: %+v", cs)
	}
}

// TestCoursesWithoutAServer: a box without a server may add courses to any
// channel; the server's lists are then just what the box has.
func TestCoursesWithoutAServer(t *testing.T) {
	e := newEnv(t)
	e.box.mu.Lock()
	e.box.server = false
	e.box.mu.Unlock()
	tok := e.token()
	e.wantCode("/api/v1/list_camera?token="+tok, 0)
	e.wantCode("/api/v1/add_course?token="+tok+"&camera_id=12&subject_id=6&teacher_id=7&week_id=2&elapse_sec=60&start_time=08:00:00", 0)
	// Still not over the course it already has on Monday 08:00-08:40.
	e.wantCode("/api/v1/add_course?token="+tok+"&camera_id=12&subject_id=6&teacher_id=7&week_id=1&elapse_sec=60&start_time=08:39:59", yunlubo.CodeTimeOverlap)
}
