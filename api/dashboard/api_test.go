package dashboard

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/lubo-edge/lubo/media"
	"github.com/lubo-edge/lubo/relay/sources"
	"github.com/lubo-edge/lubo/storage"
	"github.com/lubo-edge/lubo/testdata/testmedia"
)

type timetableAnswer struct {
	Courses []courseJSON `json:"courses"`
	Unused  []courseJSON `json:"unused"`
	Next    []occurrenceJSON
}

func (e *env) timetable() timetableAnswer {
	e.t.Helper()
	var tt timetableAnswer
	if code, body := e.do("GET", "/api/dash/timetable", nil, &tt); code != http.StatusOK {
		e.t.Fatalf("timetable: %d %s", code, body)
	}
	return tt
}

func (tt timetableAnswer) course(id string) *courseJSON {
	for i := range tt.Courses {
		if tt.Courses[i].ID == id {
			return &tt.Courses[i]
		}
	}
	return nil
}

// Channels: what the config file's checks refuse is refused with the
// field named; a taken id is a 409; a channel of the file is read-only.
func TestChannelValidation(t *testing.T) {
	e := newEnv(t)
	cases := []struct {
		name   string
		body   any
		status int
		field  string
		msg    string
	}{
		{"bad scheme", map[string]any{"id": "cam1", "source": "ftp://10.0.0.9/x"}, 422, "source", "unsupported scheme"},
		{"not a URL", map[string]any{"id": "cam1", "source": "just words"}, 422, "source", ""},
		{"bad id", map[string]any{"id": "Cam 1", "source": "rtsp://10.0.0.9/x"}, 422, "id", "outside [a-z0-9_-]"},
		{"no id", map[string]any{"source": "rtsp://10.0.0.9/x"}, 422, "id", "required"},
		{"neither source nor device", map[string]any{"id": "cam1"}, 422, "", "set source or device"},
		{"device without host", map[string]any{"id": "cam1", "device": map[string]any{"vendor": "hikvision"}}, 422, "device.host", "required"},
		{"device of an unknown vendor", map[string]any{"id": "cam1", "device": map[string]any{"vendor": "acme", "host": "10.0.0.9"}}, 422, "device.vendor", ""},
		{"id of the file", map[string]any{"id": "c101", "source": "rtsp://10.0.0.9/x"}, 409, "id", "already a channel (from config)"},
		{"unknown field", `{"id":"cam1","source":"rtsp://10.0.0.9/x","evil":1}`, 400, "", "unknown field"},
		{"two objects", `{"id":"cam1","source":"rtsp://10.0.0.9/x"} {}`, 400, "", "after its JSON object"},
		{"not JSON", `id=cam1`, 400, "", "not the expected JSON"},
		{"huge body", `{"id":"` + strings.Repeat("a", maxBody) + `"}`, 400, "", ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var ans errorBody
			code, raw := e.do("POST", "/api/dash/channels", c.body, &ans)
			if code != c.status {
				t.Fatalf("status %d, want %d: %s", code, c.status, raw)
			}
			if c.field != "" && !hasProblem(ans.Problems, c.field, c.msg) {
				t.Errorf("no problem on %q saying %q: %s", c.field, c.msg, raw)
			}
			if c.field == "" && !strings.Contains(raw, c.msg) {
				t.Errorf("answer does not say %q: %s", c.msg, raw)
			}
		})
	}
	// Nothing refused was stored.
	if chans, err := e.db.DashChannels(); err != nil || len(chans) != 0 {
		t.Fatalf("stored after refusals: %v %v", chans, err)
	}
	// A good one, then the same id again.
	good := map[string]any{"id": "cam1", "name": "二年级", "source": "rtsp://admin:cam-pass@10.0.0.9/x"}
	if code, raw := e.do("POST", "/api/dash/channels", good, nil); code != http.StatusCreated {
		t.Fatalf("add: %d %s", code, raw)
	}
	if code, raw := e.do("POST", "/api/dash/channels", good, nil); code != http.StatusConflict || !strings.Contains(raw, "duplicate id") {
		t.Fatalf("second add: %d %s", code, raw)
	}
	// The file's channels are not the dashboard's to change.
	for _, m := range []string{"PUT", "DELETE"} {
		code, raw := e.do(m, "/api/dash/channels/c101", map[string]any{"id": "c101", "source": "rtsp://10.0.0.1/x"}, nil)
		if code != http.StatusConflict || !strings.Contains(raw, "comes from config") {
			t.Errorf("%s of the file's channel: %d %s", m, code, raw)
		}
	}
	if code, _ := e.do("DELETE", "/api/dash/channels/nope", nil, nil); code != http.StatusNotFound {
		t.Errorf("delete of an unknown channel: %d", code)
	}
}

func hasProblem(ps []Problem, field, msg string) bool {
	for _, p := range ps {
		if p.Field == field && strings.Contains(p.Msg, msg) {
			return true
		}
	}
	return false
}

// Courses are judged as `lubo check` judges the timetable, with its codes.
func TestCourseValidationCodes(t *testing.T) {
	e := newEnv(t)
	cases := []struct {
		name  string
		body  courseForm
		code  int
		field string
	}{
		{"overlaps the file's course", courseForm{Channel: "c101", Weekday: 1, Start: "08:30", Duration: "45m"}, 1012, "start"},
		{"crosses midnight", courseForm{Channel: "c101", Weekday: 2, Start: "23:30:00", Duration: "45m"}, 1013, "duration"},
		{"not a time", courseForm{Channel: "c101", Weekday: 2, Start: "24:00:00", Duration: "45m"}, 1011, "start"},
		{"weekday 7", courseForm{Channel: "c101", Weekday: 7, Start: "08:00:00", Duration: "45m"}, 1011, "weekday"},
		{"zero duration", courseForm{Channel: "c101", Weekday: 2, Start: "08:00:00", Duration: "0s"}, 1011, "duration"},
		{"fraction of a second", courseForm{Channel: "c101", Weekday: 2, Start: "08:00:00", Duration: "1.5s"}, 1011, "duration"},
		{"not a duration", courseForm{Channel: "c101", Weekday: 2, Start: "08:00:00", Duration: "45 分钟"}, 1011, "duration"},
		{"no such channel", courseForm{Channel: "c999", Weekday: 2, Start: "08:00:00", Duration: "45m"}, 1010, "channel"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var ans errorBody
			status, raw := e.do("POST", "/api/dash/courses", c.body, &ans)
			if status != http.StatusUnprocessableEntity || ans.Code != c.code {
				t.Fatalf("status %d code %d, want 422 and %d: %s", status, ans.Code, c.code, raw)
			}
			found := false
			for _, p := range ans.Problems {
				found = found || (p.Code == c.code && p.Field == c.field)
			}
			if !found {
				t.Errorf("no problem %d on %s: %s", c.code, c.field, raw)
			}
		})
	}
	// Touching ends do not overlap; then a course overlapping the new one.
	var added storage.DashCourse
	if code, raw := e.do("POST", "/api/dash/courses", courseForm{Channel: "c101", Weekday: 1, Start: "08:45", Duration: "45m", Subject: "数学"}, &added); code != http.StatusCreated {
		t.Fatalf("add: %d %s", code, raw)
	}
	if added.Start != "08:45:00" || added.Duration != 45*time.Minute || added.ID == "" {
		t.Errorf("stored %+v", added)
	}
	var ans errorBody
	if code, raw := e.do("POST", "/api/dash/courses", courseForm{Channel: "c101", Weekday: 1, Start: "09:00", Duration: "10m"}, &ans); code != 422 || ans.Code != 1012 ||
		!strings.Contains(raw, added.ID) {
		t.Fatalf("overlap with the dashboard course: %d %s", code, raw)
	}
	// Moving a course does not clash with itself; moving it onto another does.
	if code, raw := e.do("PUT", "/api/dash/courses/"+added.ID, courseForm{Channel: "c101", Weekday: 1, Start: "09:00", Duration: "45m"}, nil); code != http.StatusOK {
		t.Fatalf("move: %d %s", code, raw)
	}
	if code, raw := e.do("PUT", "/api/dash/courses/"+added.ID, courseForm{Channel: "c101", Weekday: 1, Start: "08:15", Duration: "45m"}, &ans); code != 422 || ans.Code != 1012 {
		t.Fatalf("move onto the file's course: %d %s", code, raw)
	}
	tt := e.timetable()
	if c := tt.course(added.ID); c == nil || c.Start != "09:00:00" || !c.Editable || c.Origin != Origin {
		t.Fatalf("timetable has %+v", tt.Courses)
	}
	fileID := "c101-1-080000"
	if c := tt.course(fileID); c == nil || c.Editable || c.Origin != "config" {
		t.Fatalf("the file's course: %+v", tt.Courses)
	}
	// The file's course cannot be moved or deleted here.
	if code, raw := e.do("DELETE", "/api/dash/courses/"+fileID, nil, nil); code != http.StatusConflict {
		t.Errorf("delete of the file's course: %d %s", code, raw)
	}
	// A channel with dashboard courses is not removed from under them.
	if code, raw := e.do("POST", "/api/dash/channels", map[string]any{"id": "cam1", "source": "rtsp://10.0.0.9/x"}, nil); code != http.StatusCreated {
		t.Fatalf("%d %s", code, raw)
	}
	var onCam storage.DashCourse
	if code, raw := e.do("POST", "/api/dash/courses", courseForm{Channel: "cam1", Weekday: 3, Start: "10:00", Duration: "40m"}, &onCam); code != http.StatusCreated {
		t.Fatalf("course on a dashboard channel: %d %s", code, raw)
	}
	if code, raw := e.do("DELETE", "/api/dash/channels/cam1", nil, nil); code != http.StatusConflict || !strings.Contains(raw, onCam.ID) {
		t.Errorf("removing a channel with courses: %d %s", code, raw)
	}
	if code, _ := e.do("DELETE", "/api/dash/courses/"+onCam.ID, nil, nil); code != http.StatusOK {
		t.Fatal("delete course")
	}
	if code, raw := e.do("DELETE", "/api/dash/channels/cam1", nil, nil); code != http.StatusOK {
		t.Errorf("remove: %d %s", code, raw)
	}
}

// A timetable the file got wrong shows each course's code beside it.
func TestTimetableShowsProblemsOfOtherOrigins(t *testing.T) {
	e := newEnv(t)
	// Stored directly (as an older box might have): overlaps the file's course.
	c := storage.DashCourse{Channel: "c101", Weekday: 1, Start: "08:30:00", Duration: 45 * time.Minute}
	if err := e.db.AddDashCourse(&c); err != nil {
		t.Fatal(err)
	}
	e.recompose()
	tt := e.timetable()
	got := tt.course(c.ID)
	if got == nil || len(got.Problems) != 1 || got.Problems[0].Code != 1012 {
		t.Fatalf("course %s: %+v", c.ID, got)
	}
	if f := tt.course("c101-1-080000"); f == nil || len(f.Problems) != 0 {
		t.Errorf("the earlier course is kept without problems: %+v", f)
	}
	// A stored course whose channel is gone is listed as unused.
	gone := storage.DashCourse{Channel: "old", Weekday: 2, Start: "08:00:00", Duration: time.Hour}
	if err := e.db.AddDashCourse(&gone); err != nil {
		t.Fatal(err)
	}
	e.recompose()
	tt = e.timetable()
	if len(tt.Unused) != 1 || tt.Unused[0].ID != gone.ID || tt.Unused[0].Problems[0].Code != 1010 {
		t.Errorf("unused: %+v", tt.Unused)
	}
}

// Channels and courses survive a restart: the store is closed and opened
// again and the running config has them back.
func TestDashboardDataSurvivesReopen(t *testing.T) {
	e := newEnv(t)
	body := map[string]any{"id": "cam1", "name": "三班", "device": map[string]any{"vendor": "dahua", "host": "10.0.0.7", "user": "admin", "password": "dev-pass", "channel": 2}}
	if code, raw := e.do("POST", "/api/dash/channels", body, nil); code != http.StatusCreated {
		t.Fatalf("%d %s", code, raw)
	}
	var c storage.DashCourse
	if code, raw := e.do("POST", "/api/dash/courses", courseForm{Channel: "cam1", Weekday: 5, Start: "14:00", Duration: "1h", Subject: "美术", Teacher: "王老师"}, &c); code != http.StatusCreated {
		t.Fatalf("%d %s", code, raw)
	}
	path := e.path
	e.close()

	e2 := openEnv(t, path)
	cfg := e2.config()
	ch := cfg.ChannelByID("cam1")
	if ch == nil || ch.Origin != Origin || ch.Device == nil || ch.Device.Host != "10.0.0.7" || string(ch.Device.Password) != "dev-pass" || ch.Device.Channel != 2 {
		t.Fatalf("channel after reopen: %+v", ch)
	}
	if !strings.Contains(ch.MainURL(), "channel=2") {
		t.Errorf("device URL %s", ch.Device.URL(false))
	}
	tt := e2.timetable()
	got := tt.course(c.ID)
	if got == nil || got.Start != "14:00:00" || got.DurationS != 3600 || got.Teacher != "王老师" || got.Origin != Origin {
		t.Fatalf("course after reopen: %+v", tt.Courses)
	}
}

// Passwords never go back to the page; a masked one sent back keeps the
// stored one only where it would go to the same place.
func TestPasswordsStayOnTheBox(t *testing.T) {
	e := newEnv(t)
	add := map[string]any{"id": "cam1", "source": "rtsp://admin:url-pass@10.0.0.9/x"}
	if code, raw := e.do("POST", "/api/dash/channels", add, nil); code != http.StatusCreated || strings.Contains(raw, "url-pass") {
		t.Fatalf("%d %s", code, raw)
	}
	dev := map[string]any{"id": "cam2", "device": map[string]any{"vendor": "hikvision", "host": "10.0.0.8", "user": "admin", "password": "dev-pass"}}
	if code, raw := e.do("POST", "/api/dash/channels", dev, nil); code != http.StatusCreated || strings.Contains(raw, "dev-pass") {
		t.Fatalf("%d %s", code, raw)
	}
	var form channelForm
	if code, raw := e.do("GET", "/api/dash/admin/channels/cam1", nil, &form); code != 200 || strings.Contains(raw, "url-pass") || !strings.Contains(form.Source, "******") {
		t.Fatalf("editor: %d %s", code, raw)
	}
	// Renamed, URL left as shown: the password is kept.
	form.Name = "新名字"
	if code, raw := e.do("PUT", "/api/dash/channels/cam1", form, nil); code != 200 {
		t.Fatalf("%d %s", code, raw)
	}
	if sc, _ := e.db.DashChannel("cam1"); sc.Source != "rtsp://admin:url-pass@10.0.0.9/x" || sc.Name != "新名字" {
		t.Fatalf("stored %s", sc.Source)
	}
	// The host changed but the mask stayed: refused, the password is not
	// carried to another host.
	form.Source = strings.Replace(form.Source, "10.0.0.9", "203.0.113.5", 1)
	var ans errorBody
	if code, raw := e.do("PUT", "/api/dash/channels/cam1", form, &ans); code != 422 || !hasProblem(ans.Problems, "source", "password again") {
		t.Fatalf("%d %s", code, raw)
	}
	var dform channelForm
	e.do("GET", "/api/dash/admin/channels/cam2", nil, &dform)
	if dform.Device == nil || dform.Device.Password != "******" {
		t.Fatalf("device form %+v", dform.Device)
	}
	dform.Device.Channel = 3
	if code, raw := e.do("PUT", "/api/dash/channels/cam2", dform, nil); code != 200 {
		t.Fatalf("%d %s", code, raw)
	}
	if sc, _ := e.db.DashChannel("cam2"); sc.Device.Password.Reveal() != "dev-pass" || sc.Device.Channel != 3 {
		t.Fatalf("device password not kept: %+v", sc)
	}
	dform.Device.Host = "203.0.113.5"
	if code, raw := e.do("PUT", "/api/dash/channels/cam2", dform, &ans); code != 422 || !hasProblem(ans.Problems, "device.password", "again") {
		t.Fatalf("%d %s", code, raw)
	}
	// The file's channel: its password is masked too.
	if code, raw := e.do("GET", "/api/dash/admin/channels/c101", nil, nil); code != 200 || strings.Contains(raw, "file-pass") {
		t.Fatalf("%d %s", code, raw)
	}
	// Nothing of it in the logs, in the store's %v, or in the timetable.
	_, tt := e.do("GET", "/api/dash/timetable", nil, nil)
	sc, _ := e.db.DashChannel("cam2")
	all := e.logs.String() + tt + fmt.Sprintf("%v %+v %#v", sc, sc, sc)
	for _, secret := range []string{"url-pass", "dev-pass", "file-pass"} {
		if strings.Contains(all, secret) {
			t.Errorf("%q shown: %s", secret, all)
		}
	}
}

// The test button: a masked password is filled in from the store, the
// error is the source's own, and credentials are not in it.
func TestProbe(t *testing.T) {
	e := newEnv(t)
	var asked []string
	e.h.opts.Probe = func(_ context.Context, url string) (*media.Tracks, error) {
		asked = append(asked, url)
		if strings.Contains(url, "10.0.0.9") {
			return nil, fmt.Errorf("rtsp %s: describe: 401 unauthorized", url)
		}
		return &media.Tracks{Video: &media.VideoTrack{Codec: media.H265, Width: 1920, Height: 1080}}, nil
	}
	if code, raw := e.do("POST", "/api/dash/channels", map[string]any{"id": "cam1", "source": "rtsp://admin:url-pass@10.0.0.9/x"}, nil); code != 201 {
		t.Fatalf("%d %s", code, raw)
	}
	var form channelForm
	e.do("GET", "/api/dash/admin/channels/cam1", nil, &form)
	var res probeJSON
	code, raw := e.do("POST", "/api/dash/probe", probeReq{Channel: &form}, &res)
	if code != 200 || res.OK || !strings.Contains(res.Error, "401 unauthorized") || strings.Contains(raw, "url-pass") {
		t.Fatalf("probe of the edited channel: %d %s", code, raw)
	}
	if len(asked) != 1 || asked[0] != "rtsp://admin:url-pass@10.0.0.9/x" {
		t.Fatalf("probed %q", asked)
	}
	code, raw = e.do("POST", "/api/dash/probe", probeReq{ID: "c102"}, &res)
	if code != 200 || !res.OK || res.Video == nil || res.Video.Codec != "H265" || res.Tracks != "H265 1920x1080" ||
		!strings.Contains(raw, `"video":{"codec":"H265","width":1920,"height":1080}`) {
		t.Fatalf("probe of the file's channel: %d %s", code, raw)
	}
	if code, raw := e.do("POST", "/api/dash/probe", probeReq{Channel: &channelForm{ID: "x", Source: "ftp://h/x"}}, nil); code != 422 {
		t.Errorf("probe of a bad source: %d %s", code, raw)
	}
	if code, _ := e.do("POST", "/api/dash/probe", probeReq{ID: "nope"}, nil); code != 422 {
		t.Errorf("probe of an unknown channel: %d", code)
	}
	if len(asked) != 2 {
		t.Errorf("refused probes reached the source: %q", asked)
	}
}

// SourceProbe is the source registry's probe: a real file source answers
// with its tracks, a refused URL with the registry's words.
func TestSourceProbe(t *testing.T) {
	probe := SourceProbe(sources.Builtin(), slog.New(slog.DiscardHandler))
	tr, err := probe(context.Background(), "file://"+testmedia.Require(t, "tiny_h264_aac.mp4"))
	if err != nil || tr == nil || tr.Video == nil || tr.Video.Codec != media.H264 || tr.Audio == nil {
		t.Fatalf("%v, %v", tr, err)
	}
	if tr, err := probe(context.Background(), "htp://admin:pw@x/y"); err == nil || tr != nil || !strings.Contains(err.Error(), "unsupported scheme") {
		t.Errorf("%v, %v", tr, err)
	}
}

// Without a running daemon the endpoints that need it say so; reading
// the records takes a well-formed query.
func TestStartingBoxAndBadQueries(t *testing.T) {
	e := newEnv(t)
	for _, p := range []string{"/api/dash/channels", "/api/dash/records"} {
		if code, raw := e.do("GET", p, nil, nil); code != http.StatusServiceUnavailable || !strings.Contains(raw, "starting") {
			t.Errorf("%s: %d %s", p, code, raw)
		}
	}
	var st statusJSON
	if code, _ := e.do("GET", "/api/dash/status", nil, &st); code != 200 || st.Running || st.Version != "test" || st.Timezone != "Asia/Shanghai" {
		t.Errorf("status %+v", st)
	}
	for _, q := range []string{"date=2026-13-01", "page=0", "per_page=1000", "state=lost", "page=x"} {
		if code, raw := e.do("GET", "/api/dash/records?"+q, nil, nil); code != http.StatusBadRequest {
			t.Errorf("%s: %d %s", q, code, raw)
		}
	}
	for _, b := range []string{`{"channel":"c101","duration":"500ms"}`, `{"channel":"c101","duration":"two hours"}`} {
		if code, raw := e.do("POST", "/api/dash/record/start", b, nil); code != http.StatusBadRequest && code != http.StatusServiceUnavailable {
			t.Errorf("start %s: %d %s", b, code, raw)
		}
	}
	if code, raw := e.do("POST", "/api/dash/record/stop", `{"channel":"c101","reason":"  "}`, nil); code != http.StatusBadRequest || !strings.Contains(raw, "reason") {
		t.Errorf("stop without a reason: %d %s", code, raw)
	}
	if code, _ := e.do("GET", "/api/dash/nothing", nil, nil); code != http.StatusNotFound {
		t.Errorf("unknown endpoint: %d", code)
	}
	code, page := e.do("GET", "/", nil, nil)
	if code != 200 || !strings.Contains(page, "/assets/app.js") {
		t.Errorf("page: %d", code)
	}
	if code, js := e.do("GET", "/assets/i18n.js", nil, nil); code != 200 || !strings.Contains(js, "录像") {
		t.Errorf("assets: %d", code)
	}
}
