package dashboard

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/lubo-edge/lubo/media"
)

// fuzzPost sends body to path on e's handler in process and checks the
// answer: no panic, a known status, JSON.
func fuzzPost(t *testing.T, e *env, method, path, body string, ok ...int) {
	req := httptest.NewRequest(method, path, strings.NewReader(body))
	rec := httptest.NewRecorder()
	e.h.ServeHTTP(rec, req)
	allowed := append([]int{http.StatusBadRequest, http.StatusUnprocessableEntity, http.StatusConflict, http.StatusNotFound}, ok...)
	found := false
	for _, s := range allowed {
		found = found || rec.Code == s
	}
	if !found {
		t.Fatalf("%s %s %q: status %d: %s", method, path, body, rec.Code, rec.Body)
	}
	if !json.Valid(rec.Body.Bytes()) {
		t.Fatalf("%s %s %q: answer is not JSON: %q", method, path, body, rec.Body)
	}
}

// FuzzChannelForm: the channel editor's bodies (add, edit, test) never
// panic or fail the server, and whatever is stored is a valid channel.
func FuzzChannelForm(f *testing.F) {
	for _, s := range []string{
		`{"id":"cam1","source":"rtsp://admin:pw@10.0.0.9/x"}`,
		`{"id":"cam1","source":"ftp://10.0.0.9/x"}`,
		`{"id":"cam2","device":{"vendor":"hikvision","host":"10.0.0.8","user":"admin","password":"******","channel":2,"stream":"both"}}`,
		`{"id":"cam3","source":"ezviz://D12345678/1","on_demand":false}`,
		`{"id":"c101","source":"rtsp://x/y"}`,
		`{"id":"Bad Id","source":"rtsp://admin:******@10.0.0.9/x"}`,
		`{"id":"cam1"} {}`, `null`, `[]`, `{"id":1}`, `{"device":{"port":-1}}`,
	} {
		f.Add(s)
	}
	e := newEnv(f)
	e.h.opts.Probe = func(context.Context, string) (*media.Tracks, error) {
		return nil, errors.New("no camera in the fuzzer")
	}
	f.Fuzz(func(t *testing.T, body string) {
		fuzzPost(t, e, "POST", "/api/dash/channels", body, http.StatusCreated)
		fuzzPost(t, e, "PUT", "/api/dash/channels/cam1", body, http.StatusOK)
		fuzzPost(t, e, "POST", "/api/dash/probe", `{"channel":`+body+`}`, http.StatusOK)
		chans, err := e.db.DashChannels()
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range chans {
			if ps := checkChannel(c); len(ps) > 0 {
				t.Fatalf("stored an invalid channel %v: %v", c, ps)
			}
		}
	})
}

// FuzzCourseForm: course bodies never panic or fail the server, and the
// timetable the store holds stays one `lubo check` accepts.
func FuzzCourseForm(f *testing.F) {
	for _, s := range []string{
		`{"channel":"c101","weekday":1,"start":"08:45","duration":"45m"}`,
		`{"channel":"c101","weekday":1,"start":"08:30:00","duration":"45m"}`,
		`{"channel":"c101","weekday":2,"start":"23:30","duration":"45m"}`,
		`{"channel":"c101","weekday":9,"start":"99:99","duration":"-1h"}`,
		`{"channel":"c102","weekday":0,"start":"00:00:00","duration":"24h"}`,
		`{"channel":"c101","weekday":-1,"start":"","duration":""}`,
		`{"channel":"c101","weekday":1e99}`, `{}`,
	} {
		f.Add(s)
	}
	e := newEnv(f)
	f.Fuzz(func(t *testing.T, body string) {
		fuzzPost(t, e, "POST", "/api/dash/courses", body, http.StatusCreated)
		courses, err := e.db.DashCourses()
		if err != nil {
			t.Fatal(err)
		}
		if len(courses) > 0 {
			fuzzPost(t, e, "PUT", "/api/dash/courses/"+courses[0].ID, body, http.StatusOK)
		}
		_, kept := judged(e.config())
		for _, c := range e.config().Schedule {
			if c.Origin != Origin {
				continue
			}
			found := false
			for _, k := range kept {
				found = found || k.ID == c.ExternalID
			}
			if !found {
				t.Fatalf("stored course %s is one the recorder would refuse", c.ExternalID)
			}
		}
		if len(courses) > 20 { // keep the timetable small so the fuzzer keeps finding room
			for _, c := range courses {
				if err := e.db.DeleteDashCourse(c.ID); err != nil {
					t.Fatal(err)
				}
			}
			e.recompose()
		}
	})
}

// FuzzRecordsQuery: any query string is either refused with 400 or
// read into a valid store query.
func FuzzRecordsQuery(f *testing.F) {
	for _, s := range []string{"channel=c101&date=2026-11-23&page=2&per_page=50", "date=2026-13-01", "state=failed&subject=语文&teacher=张",
		"page=0", "per_page=101", "page=99999999999999999999", "channel=%00", "date=2026-11-23T00:00:00Z"} {
		f.Add(s)
	}
	loc := time.FixedZone("CST", 8*3600)
	f.Fuzz(func(t *testing.T, raw string) {
		v, err := url.ParseQuery(raw)
		if err != nil {
			return
		}
		rq, ps := parseRecordsQuery(v, loc)
		if len(ps) > 0 {
			return
		}
		if err := rq.q.Validate(); err != nil {
			t.Fatalf("%q accepted as an invalid query: %v", raw, err)
		}
		if rq.page < 1 || rq.perPage < 1 || rq.perPage > maxPerPage {
			t.Fatalf("%q: page %d per_page %d", raw, rq.page, rq.perPage)
		}
	})
}
