package yunlubo

import (
	"errors"
	"net/http/httptest"
	"net/url"
	"reflect"
	"testing"
)

// requestCases feed TestParseRequest and the seeds of FuzzParseURL.
var requestCases = []struct {
	target   string
	endpoint string
	params   url.Values
	err      error
}{
	{"/api/v1/version", "version", url.Values{}, nil},
	{"/api/v1/access_token?unionid=xxxxxxx", "access_token", url.Values{"unionid": {"xxxxxxx"}}, nil},
	{"/api/v1/access_token/unionid/xxxxxxx", "access_token", url.Values{"unionid": {"xxxxxxx"}}, nil},
	{"/api/v1/list_course?token=T&camera_id=1&cur=1&per=10", "list_course",
		url.Values{"token": {"T"}, "camera_id": {"1"}, "cur": {"1"}, "per": {"10"}}, nil},
	{"/api/v1/list_course/token/T/camera_id/1/cur/1/per/10", "list_course",
		url.Values{"token": {"T"}, "camera_id": {"1"}, "cur": {"1"}, "per": {"10"}}, nil},
	{"/api/v1/list_course/token/T/?camera_id=1", "list_course", url.Values{"token": {"T"}, "camera_id": {"1"}}, nil},
	{"/api/v1/del_camera/token/T/camera_id/1%2C2%2C3", "del_camera", url.Values{"token": {"T"}, "camera_id": {"1,2,3"}}, nil},
	{"/api/v1/add_school/token/T/name/%E4%B8%9C%E5%8D%87/addr/x", "add_school",
		url.Values{"token": {"T"}, "name": {"东升"}, "addr": {"x"}}, nil},
	{"/api/v1/list_course/token", "", nil, ErrBadPath},
	{"/api/v1/list_course/token/T/camera_id", "", nil, ErrBadPath},
	{"/api/v1/list_course//T", "", nil, ErrBadPath},
	{"/api/v1/list_course?token=%zz", "", nil, ErrBadPath},
	{"/api/v1/List_Course?token=T", "", nil, ErrUnknownEndpoint},
	{"/API/V1/list_course?token=T", "", nil, ErrUnknownEndpoint},
	{"/api/v2/version", "", nil, ErrUnknownEndpoint},
	{"/api/v1/", "", nil, ErrUnknownEndpoint},
	{"/api/v1/nope", "", nil, ErrUnknownEndpoint},
	{"/", "", nil, ErrUnknownEndpoint},
}

func TestParseRequest(t *testing.T) {
	for _, tc := range requestCases {
		r := httptest.NewRequest("GET", tc.target, nil)
		ep, params, err := ParseRequest(r)
		if !errors.Is(err, tc.err) || (tc.err == nil && err != nil) {
			t.Errorf("%s: err %v, want %v", tc.target, err, tc.err)
			continue
		}
		if ep != tc.endpoint || (tc.err == nil && !reflect.DeepEqual(params, tc.params)) {
			t.Errorf("%s: got %q %v, want %q %v", tc.target, ep, params, tc.endpoint, tc.params)
		}
	}
	for _, m := range []string{"POST", "PUT", "DELETE", "HEAD"} {
		if _, _, err := ParseRequest(httptest.NewRequest(m, "/api/v1/version", nil)); !errors.Is(err, ErrNotGET) {
			t.Errorf("%s accepted: %v", m, err)
		}
	}
}

func TestEveryEndpointParses(t *testing.T) {
	if len(Endpoints) != 32 {
		t.Fatalf("%d endpoints, the document has 32 (3.1-3.32)", len(Endpoints))
	}
	for _, ep := range Endpoints {
		for _, target := range []string{"/api/v1/" + ep + "?a=1", "/api/v1/" + ep + "/a/1"} {
			got, p, err := ParseRequest(httptest.NewRequest("GET", target, nil))
			if err != nil || got != ep || p.Get("a") != "1" {
				t.Errorf("%s: %q %v %v", target, got, p, err)
			}
		}
	}
}

// validateCases feed TestValidateParams: each documented refusal, and a
// valid request per endpoint.
var validateCases = []struct {
	endpoint string
	query    string
	code     int
}{
	{"access_token", "", CodeInvalidUnionID},
	{"access_token", "unionid=x", 0},
	{"list_school", "", 0},
	{"add_school", "addr=a", CodeNoName},
	{"add_school", "name=n", CodeNoAddr},
	{"add_school", "name=n&addr=a", 0},
	{"mod_school", "name=n&addr=a", CodeNoID},
	{"mod_school", "school_id=x&name=n&addr=a", CodeNoID},
	{"mod_school", "school_id=2&addr=a", CodeNoName},
	{"mod_school", "school_id=2&name=n", CodeNoAddr},
	{"mod_school", "school_id=2&name=n&addr=a", 0},
	{"del_school", "", CodeNoID},
	{"del_school", "school_id=1,x", CodeNoID},
	{"del_school", "school_id=1,2,3", 0},
	{"add_subject", "", CodeNoName},
	{"add_subject", "subject_name=s", 0},
	{"mod_subject", "subject_name=s", CodeNoID},
	{"mod_subject", "subject_id=1", CodeNoName},
	{"mod_subject", "subject_id=1&subject_name=s", 0},
	{"del_subject", "", CodeNoID},
	{"add_teacher", "sex_name=男&title_name=t&title_id=2", CodeNoName},
	{"add_teacher", "teacher_name=n&sex_name=男&title_name=t&title_id=2", 0},
	{"mod_teacher", "teacher_name=n", CodeNoID},
	{"mod_teacher", "teacher_id=3&teacher_name=", CodeNoName},
	{"mod_teacher", "teacher_id=3", 0},
	{"del_teacher", "", CodeNoID},
	{"mod_gather", "", CodeNoID},
	{"mod_gather", "gather_id=3&school_id=0", CodeNoID},
	{"mod_gather", "gather_id=3&slice_val=0", 0},
	{"add_camera", "gather_id=1&grade_id=1&stream_prop=1&stream_mp4=/a.mp4", CodeNoName},
	{"add_camera", "camera_name=c&grade_id=1&stream_prop=1&stream_mp4=/a.mp4", CodeNoID},
	{"add_camera", "camera_name=c&gather_id=1&stream_prop=1&stream_mp4=/a.mp4", CodeNoID},
	{"add_camera", "camera_name=c&gather_id=1&grade_id=1&stream_prop=0", CodeNoID},
	{"add_camera", "camera_name=c&gather_id=1&grade_id=1&stream_prop=1", CodeNoName},
	{"add_camera", "camera_name=c&gather_id=1&grade_id=1&stream_prop=2&stream_url=http://x", CodeNoName},
	{"add_camera", "camera_name=c&gather_id=1&grade_id=1&stream_prop=2&stream_url=rtmp://x/y", 0},
	{"add_camera", "camera_name=c&gather_id=1&grade_id=1&stream_prop=1&stream_mp4=F:\\MP4", 0},
	{"mod_camera", "grade_id=1", CodeNoID},
	{"mod_camera", "camera_id=3&grade_id=1", 0}, // the document's example, without camera_name
	{"mod_camera", "camera_id=3&stream_prop=5", CodeNoID},
	{"del_camera", "", CodeNoID},
	{"get_camera_status", "", CodeNoID},
	{"start_camera", "", CodeNoID},
	{"stop_camera", "camera_id=1", 0},
	{"del_record", "", CodeNoID},
	{"list_course", "", CodeNoID},
	{"list_course", "camera_id=1", 0},
	{"add_course", "subject_id=1&teacher_id=1&week_id=3&elapse_sec=3600&start_time=10:30:30", CodeNoID},
	{"add_course", "camera_id=1&teacher_id=1&week_id=3&elapse_sec=3600&start_time=10:30:30", CodeNoID},
	{"add_course", "camera_id=1&subject_id=1&week_id=3&elapse_sec=3600&start_time=10:30:30", CodeNoID},
	{"add_course", "camera_id=1&subject_id=1&teacher_id=1&week_id=7&elapse_sec=3600&start_time=10:30:30", CodeBadTime},
	{"add_course", "camera_id=1&subject_id=1&teacher_id=1&week_id=3&elapse_sec=0&start_time=10:30:30", CodeBadTime},
	{"add_course", "camera_id=1&subject_id=1&teacher_id=1&week_id=3&elapse_sec=3600&start_time=10:30", CodeBadTime},
	{"add_course", "camera_id=1&subject_id=1&teacher_id=1&week_id=3&elapse_sec=3600&start_time=24:00:00", CodeBadTime},
	{"add_course", "camera_id=1&subject_id=1&teacher_id=1&week_id=3&elapse_sec=3600&start_time=23:00:00", CodeCrossDay},
	{"add_course", "camera_id=1&subject_id=1&teacher_id=1&week_id=3&elapse_sec=3599&start_time=23:00:00", 0},
	{"add_course", "camera_id=1&subject_id=1&teacher_id=1&week_id=3&elapse_sec=3600&start_time=10:30:30", 0},
	{"mod_course", "camera_id=1&subject_id=1&teacher_id=1&week_id=3&elapse_sec=3600&start_time=10:30:30", CodeNoID},
	{"mod_course", "course_id=1&camera_id=1&subject_id=1&teacher_id=1&week_id=3&elapse_sec=3600&start_time=10:30:30", 0},
	{"del_course", "", CodeNoID},
	{"play_camera", "", CodeNoID},
	{"play_camera", "camera_id=1&width=850&height=550", 0},
	{"play_record", "", CodeNoID},
	{"play_record", "record_id=1", 0},
}

func TestValidateParams(t *testing.T) {
	for _, tc := range validateCases {
		q, err := url.ParseQuery(tc.query)
		if err != nil {
			t.Fatal(err)
		}
		err = ValidateParams(tc.endpoint, q)
		var e *Error
		switch {
		case tc.code == 0 && err != nil:
			t.Errorf("%s?%s: %v", tc.endpoint, tc.query, err)
		case tc.code != 0 && (!errors.As(err, &e) || e.Code != tc.code || e.Op != tc.endpoint):
			t.Errorf("%s?%s: got %v, want %d", tc.endpoint, tc.query, err, tc.code)
		}
	}
}

func TestPageParams(t *testing.T) {
	for q, want := range map[string][2]int{
		"": {1, 10}, "cur=3&per=5": {3, 5}, "cur=0&per=-1": {1, 10}, "cur=x&per=y": {1, 10}, "per=100000": {1, MaxPerPage},
	} {
		v, _ := url.ParseQuery(q)
		if cur, per := PageParams(v); cur != want[0] || per != want[1] {
			t.Errorf("%q: %d %d", q, cur, per)
		}
	}
}

func TestParseClock(t *testing.T) {
	for in, want := range map[string]int{"00:00:00": 0, "23:59:59": LastSecondOfDay, "10:30:30": 37830,
		"24:00:00": -1, "10:60:00": -1, "1:00:00": -1, "10:30": -1, "": -1, "aa:bb:cc": -1} {
		got, ok := ParseClock(in)
		if (want < 0) == ok || (ok && got != want) {
			t.Errorf("%q: %d %v", in, got, ok)
		}
	}
	if FormatClock(37830) != "10:30:30" {
		t.Error("FormatClock")
	}
}
