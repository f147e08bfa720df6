package dashboard

import (
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/lubo-edge/lubo/api"
	"github.com/lubo-edge/lubo/recorder"
	"github.com/lubo-edge/lubo/relay"
	"github.com/lubo-edge/lubo/storage"
)

// recorderBox is a running box whose recorder is real (over the env's
// store) but not started: it lists records, and refuses to record.
type recorderBox struct {
	fakeBox
	rec *recorder.Recorder
}

func (b recorderBox) Recorder() *recorder.Recorder { return b.rec }

// withRecorder serves a Handler on e's store whose box has a real
// recorder, and the API server on the same box.
func withRecorder(t *testing.T, e *env) (dash, apiSrv *httptest.Server) {
	t.Helper()
	rec, err := recorder.New(recorder.Options{Config: e.config(), DB: e.db, Logger: slog.New(slog.DiscardHandler),
		Streams: func(ch string) (*relay.Stream, bool) { return nil, e.config().ChannelByID(ch) != nil }})
	if err != nil {
		t.Fatal(err)
	}
	box := recorderBox{rec: rec}
	h, err := New(Options{Box: func() api.Box { return box }, Config: e.config, DB: e.db, Logger: e.logs.Logger(), Version: "test"})
	if err != nil {
		t.Fatal(err)
	}
	dash, apiSrv = httptest.NewServer(h), httptest.NewServer(api.NewServer(box, slog.New(slog.DiscardHandler)))
	t.Cleanup(dash.Close)
	t.Cleanup(apiSrv.Close)
	return dash, apiSrv
}

func getJSON(t *testing.T, url string, out any) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("GET %s: %s", url, resp.Status)
	}
	if err := json.NewDecoder(resp.Body).Decode(out); err != nil {
		t.Fatalf("GET %s: %v", url, err)
	}
}

// The dashboard lists recordings with the API's rows: the same URLs, for a
// failed slice that kept a file too, and the filters and paging its own.
func TestRecordsListedAsTheAPIDoes(t *testing.T) {
	e := newEnv(t)
	start := time.Date(2026, 11, 23, 8, 0, 0, 0, time.UTC)
	for i, r := range []storage.Record{
		{Subject: "语文", Teacher: "张老师", State: storage.StateComplete, Size: 100, Cover: "c101/2026-11-23/080000_1.jpg"},
		{Subject: "数学", Teacher: "李老师", State: storage.StateFailed, Size: 50, Reason: "disk full: kept what was written"},
		{Subject: "数学", Teacher: "李老师", State: storage.StateFailed, Reason: "unreadable after a crash"},
		{Subject: "英语", State: storage.StateRecording},
	} {
		at := start.Add(time.Duration(i) * time.Hour)
		r.ID, r.Channel, r.Start, r.Slice, r.Trigger = storage.NewRecordID("c101", at, 1), "c101", at, 1, "schedule"
		r.Path = "c101/2026-11-23/" + at.Format("150405") + "_1.mp4"
		if err := e.db.PutRecord(&r); err != nil {
			t.Fatal(err)
		}
	}
	dash, apiSrv := withRecorder(t, e)
	type row struct {
		ID       string `json:"id"`
		Subject  string `json:"subject"`
		URL      string `json:"url"`
		CoverURL string `json:"cover_url"`
	}
	var fromAPI, fromDash struct {
		Total   int   `json:"total"`
		Records []row `json:"records"`
	}
	getJSON(t, apiSrv.URL+"/api/records?channel=c101", &fromAPI)
	getJSON(t, dash.URL+"/api/dash/records?channel=c101&date=2026-11-23", &fromDash)
	if fromAPI.Total != 4 || len(fromAPI.Records) != 4 {
		t.Fatalf("API lists %+v", fromAPI)
	}
	if got, want := len(fromDash.Records), len(fromAPI.Records); got != want || fromDash.Total != fromAPI.Total {
		t.Fatalf("dashboard lists %d of %d, API %d of %d", got, fromDash.Total, want, fromAPI.Total)
	}
	for i := range fromAPI.Records {
		if fromDash.Records[i] != fromAPI.Records[i] {
			t.Errorf("row %d: dashboard %+v, API %+v", i, fromDash.Records[i], fromAPI.Records[i])
		}
	}
	// Newest first: recording, failed empty, failed with a file, complete.
	want := []row{
		{Subject: "英语"},
		{Subject: "数学"},
		{Subject: "数学", URL: "/records/c101/2026-11-23/090000_1.mp4"},
		{Subject: "语文", URL: "/records/c101/2026-11-23/080000_1.mp4", CoverURL: "/records/c101/2026-11-23/080000_1.jpg"},
	}
	for i, w := range want {
		got := fromDash.Records[i]
		got.ID = ""
		if got != w {
			t.Errorf("row %d: %+v, want %+v", i, got, w)
		}
	}
	var filtered struct {
		Total   int   `json:"total"`
		Records []row `json:"records"`
	}
	getJSON(t, dash.URL+"/api/dash/records?teacher=李&per_page=1&page=2", &filtered)
	if filtered.Total != 2 || len(filtered.Records) != 1 || filtered.Records[0].URL == "" {
		t.Errorf("teacher filter, page 2 of 1: %+v", filtered)
	}
}

// A manual recording's duration is read by the API's parser: the same
// rule (from 1s, which the recorder accepts) and the same words.
func TestRecordStartDurationAsTheAPI(t *testing.T) {
	e := newEnv(t)
	dash, apiSrv := withRecorder(t, e)
	post := func(to, body string) (int, string) {
		t.Helper()
		resp, err := http.Post(to, "application/json", strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var b struct {
			Error    string    `json:"error"`
			Problems []Problem `json:"problems"`
		}
		raw, err := io.ReadAll(resp.Body)
		if err != nil {
			t.Fatal(err)
		}
		if err := json.Unmarshal(raw, &b); err != nil {
			t.Fatalf("POST %s %s: %d %q: %v", to, body, resp.StatusCode, raw, err)
		}
		if len(b.Problems) == 1 && b.Problems[0].Field == "duration" {
			return resp.StatusCode, b.Problems[0].Msg
		}
		return resp.StatusCode, b.Error
	}
	for _, d := range []string{"500ms", "25h", "two hours", "-1m", "45"} {
		_, want := api.ParseManualDuration(d)
		if want == nil {
			t.Fatalf("%q is accepted by the API", d)
		}
		code, msg := post(dash.URL+"/api/dash/record/start", `{"channel":"c101","duration":"`+d+`"}`)
		if code != http.StatusBadRequest || msg != want.Error() {
			t.Errorf("dashboard, duration %q: %d %q, want 400 %q", d, code, msg, want)
		}
		code, msg = post(apiSrv.URL+"/api/record/start?channel=c101&duration="+url.QueryEscape(d), "")
		if code != http.StatusBadRequest || msg != want.Error() {
			t.Errorf("API, duration %q: %d %q, want 400 %q", d, code, msg, want)
		}
	}
	// Good durations pass the parser and reach the recorder, which is not
	// running here.
	for _, d := range []string{"1s", "59s", "", "24h"} {
		code, msg := post(dash.URL+"/api/dash/record/start", `{"channel":"c101","duration":"`+d+`"}`)
		if code != http.StatusServiceUnavailable || !strings.Contains(msg, recorder.ErrNotRunning.Error()) {
			t.Errorf("dashboard, duration %q: %d %q, want the recorder's 503", d, code, msg)
		}
	}
}
