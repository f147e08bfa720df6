package boxapi

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"
)

// apiSeeds are requests of the tests above, the fuzzers' starting points.
var apiSeeds = []string{
	"/api/v1/version",
	"/api/v1/access_token?unionid=" + testUnionID,
	"/api/v1/access_token/unionid/x",
	"/api/v1/list_camera?token=TOKEN&cur=1&per=10",
	"/api/v1/list_camera/token/TOKEN/cur/2/per/1",
	"/api/v1/list_course?token=TOKEN&camera_id=10001",
	"/api/v1/add_camera?token=TOKEN&camera_name=a&gather_id=3&grade_id=1&stream_prop=2&stream_url=rtsp://h/x",
	"/api/v1/mod_camera?token=TOKEN&camera_id=10002&camera_name=b&stream_prop=1&stream_mp4=/x.mp4",
	"/api/v1/del_camera?token=TOKEN&camera_id=10002,10003",
	"/api/v1/add_course?token=TOKEN&camera_id=10001&subject_id=6&teacher_id=7&week_id=3&elapse_sec=3600&start_time=10:30:30",
	"/api/v1/mod_course/token/TOKEN/course_id/10002/camera_id/10001/subject_id/6/teacher_id/7/week_id/0/elapse_sec/1/start_time/23:59:58",
	"/api/v1/del_course?token=TOKEN&course_id=10002",
	"/api/v1/list_record?token=TOKEN&cur=99999999999999999999&per=-1",
	"/api/v1/del_record?token=TOKEN&record_id=1,2,3",
	"/api/v1/play_camera?token=TOKEN&camera_id=12&width=850&height=550",
	"/api/v1/play_record?token=TOKEN&record_id=1&width=x",
	"/api/v1/start_camera?token=TOKEN&camera_id=10001",
	"/api/v1/stop_camera?token=TOKEN&camera_id=10001",
	"/api/v1/get_camera_status?token=TOKEN&camera_id=%00",
	"/api/v1/add_school?token=TOKEN&name=a&addr=b",
	"/play/live/x.y/",
	"/play/record/x.y/video.mp4",
	"/play/assets/mpegts.js",
}

// FuzzAPI: whatever the path and query, the box answers JSON with an
// err_code (or the version), or an HTTP 4xx with a sentence; never a 5xx,
// never a panic, never a Go error string.
func FuzzAPI(f *testing.F) {
	for _, s := range apiSeeds {
		f.Add(s)
	}
	e := newEnv(f)
	tok := ""
	{
		rec := httptest.NewRecorder()
		e.h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/api/v1/access_token?unionid="+testUnionID, nil))
		var m struct{ Token string }
		if err := json.Unmarshal(rec.Body.Bytes(), &m); err != nil || m.Token == "" {
			f.Fatalf("no token: %s", rec.Body)
		}
		tok = m.Token
	}
	f.Fuzz(func(t *testing.T, target string) {
		target = strings.ReplaceAll(target, "TOKEN", tok)
		u, err := url.ParseRequestURI(target)
		if err != nil || !strings.HasPrefix(u.Path, "/") {
			return // net/http refuses these before a handler sees them
		}
		req := httptest.NewRequest(http.MethodGet, "/", nil)
		req.URL = u
		req.RequestURI = target
		rec := httptest.NewRecorder()
		e.h.ServeHTTP(rec, req)
		body := rec.Body.String()
		if rec.Code >= 500 {
			t.Fatalf("%q: HTTP %d %s", target, rec.Code, body)
		}
		for _, leak := range []string{"yunlubo: ", "bbolt", "runtime error", "goroutine ", ".go:", "no such file"} {
			if !strings.HasPrefix(u.Path, "/play/assets/") && strings.Contains(body, leak) {
				t.Fatalf("%q: the answer shows an internal error: %s", target, body)
			}
		}
		if rec.Code == 200 && strings.HasPrefix(u.Path, "/api/v1/") {
			var m map[string]any
			if err := json.Unmarshal(rec.Body.Bytes(), &m); err != nil {
				t.Fatalf("%q: not JSON: %v: %s", target, err, body)
			}
			if _, ok := m["err_code"]; !ok && m["API"] != "v1" {
				t.Fatalf("%q: no err_code: %s", target, body)
			}
		}
	})
}

// FuzzTicket: any text either fails to parse or is a ticket this box
// signed; parse never panics.
func FuzzTicket(f *testing.F) {
	s, err := newTicketSigner()
	if err != nil {
		f.Fatal(err)
	}
	good := s.sign(ticket{kind: kindLive, target: "c101", expires: time.Unix(1767225600, 0)})
	for _, seed := range []string{good, "", ".", "a.b", good + "x", strings.Replace(good, ".", "..", 1), "bGl2ZXxjMTAxfDE.AAAA"} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, text string) {
		tk, err := s.parse(text)
		if err != nil {
			return
		}
		if again := s.sign(tk); again != text {
			t.Fatalf("%q parsed as %+v, which signs as %q", text, tk, again)
		}
	})
}
