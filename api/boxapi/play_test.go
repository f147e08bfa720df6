package boxapi

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/lubo-edge/lubo/cloud/yunlubo"
	"github.com/lubo-edge/lubo/storage"
	"github.com/lubo-edge/lubo/testdata"
)

func TestRecords(t *testing.T) {
	e := newEnv(t)
	tok := e.token()
	day := time.Date(2026, 11, 25, 0, 0, 0, 0, cst)
	old := e.putRecord("c101", day.Add(9*time.Hour), "")
	recent := e.putRecord("c101", day.Add(10*time.Hour), "")
	gone := e.putRecord("y99", day.Add(11*time.Hour), "") // a channel that no longer exists
	writing := &storage.Record{ID: storage.NewRecordID("c101", day.Add(12*time.Hour), 1), Channel: "c101", Start: day.Add(12 * time.Hour),
		Path: "c101/2026-11-25/120000_1.mp4", State: storage.StateRecording}
	if err := e.db.PutRecord(writing); err != nil {
		t.Fatal(err)
	}
	m := e.wantCode("/api/v1/list_record?token="+tok+"&per=2", 0)
	if m["total_num"] != json.Number("3") || m["max_page"] != json.Number("2") || m["storage_addr"] != e.srv.URL || m["per_page"] != "2" {
		t.Fatalf("list_record: %v", m)
	}
	rows := m["data"].([]any)
	first := rows[0].(map[string]any)
	if first["record_id"] != json.Number(fmt.Sprint(gone.Seq)) || first["camera_name"] != "y99" || first["camera_id"] != json.Number("0") {
		t.Errorf("newest first, an unknown channel by its id: %v", first)
	}
	second := rows[1].(map[string]any)
	if second["record_id"] != json.Number(fmt.Sprint(recent.Seq)) || second["camera_id"] != json.Number("10001") || second["camera_name"] != "一年级一班" ||
		second["file_fdfs"] != "/records/"+recent.Path || second["image_fdfs"] != "/records/"+recent.Cover ||
		second["file_size"] != fmt.Sprint(recent.Size) || second["duration"] != "61" || second["disptime"] != "00:01:01" ||
		second["subject_name"] != "语文" || second["subject_id"] != json.Number("10001") || second["grade_name"] != "一年级" {
		t.Errorf("row: %v", second)
	}
	m = e.wantCode("/api/v1/list_record?token="+tok+"&per=2&cur=2", 0)
	if rows := m["data"].([]any); len(rows) != 1 || rows[0].(map[string]any)["record_id"] != json.Number(fmt.Sprint(old.Seq)) {
		t.Errorf("page 2: %v", m)
	}
	m = e.wantCode("/api/v1/list_record?token="+tok+"&per=1000&cur=9223372036854775807", 0)
	if rows := m["data"].([]any); len(rows) != 0 {
		t.Errorf("a page far away: %v", m)
	}

	e.wantCode("/api/v1/del_record?token="+tok, yunlubo.CodeNoID)
	e.wantCode("/api/v1/del_record?token="+tok+"&record_id=x", yunlubo.CodeNoID)
	e.wantCode(fmt.Sprintf("/api/v1/del_record?token=%s&record_id=%d,%d", tok, old.Seq, 999), yunlubo.CodeNoID)
	e.wantCode(fmt.Sprintf("/api/v1/del_record?token=%s&record_id=%d", tok, writing.Seq), yunlubo.CodeNoID) // still recording
	if _, err := os.Stat(filepath.Join(e.root, old.Path)); err != nil {
		t.Fatal("a refused del_record deleted a file")
	}
	e.wantCode(fmt.Sprintf("/api/v1/del_record/token/%s/record_id/%d,%d", tok, old.Seq, recent.Seq), 0)
	for _, r := range []*storage.Record{old, recent} {
		if _, err := os.Stat(filepath.Join(e.root, r.Path)); !os.IsNotExist(err) {
			t.Errorf("%s: %v", r.Path, err)
		}
		if _, err := os.Stat(filepath.Join(e.root, r.Cover)); !os.IsNotExist(err) {
			t.Errorf("%s: %v", r.Cover, err)
		}
	}
	if m := e.wantCode("/api/v1/list_record?token="+tok, 0); m["total_num"] != json.Number("1") {
		t.Fatalf("after del_record: %v", m)
	}
	e.wantCode(fmt.Sprintf("/api/v1/play_record?token=%s&record_id=%d", tok, old.Seq), yunlubo.CodeNoID)
}

// playURL asks for a play page and returns its address relative to the box.
func (e *env) playURL(query string) string {
	e.t.Helper()
	m := e.wantCode(query, 0)
	u, err := url.Parse(m["play_url"].(string))
	if err != nil || u.Scheme+"://"+u.Host != e.srv.URL {
		e.t.Fatalf("play_url %v: %v", m["play_url"], err)
	}
	return u.Path
}

func (e *env) post(path string) (int, string) {
	e.t.Helper()
	resp, err := http.Post(e.srv.URL+path, "text/plain", nil)
	if err != nil {
		e.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

func TestPlayCameraTicketAndLease(t *testing.T) {
	e := newEnv(t)
	tok := e.token()
	src := e.sources[0]
	st, _ := e.box.LiveStream("c101")
	e.wantCode("/api/v1/play_camera?token="+tok, yunlubo.CodeNoID)
	e.wantCode("/api/v1/play_camera?token="+tok+"&camera_id=404", yunlubo.CodeNoID)
	e.wantCode("/api/v1/play_camera?token="+tok+"&camera_id=10001&width=wide", yunlubo.CodeNoID)
	e.wantCode("/api/v1/play_camera?token="+tok+"&camera_id=10001&height=0", yunlubo.CodeNoID)
	m := e.wantCode("/api/v1/play_camera?token="+tok+"&camera_id=10001", 0)
	if u := m["play_url"].(string); !strings.HasSuffix(u, "/?width=850&height=550") || strings.Contains(u, tok) {
		t.Fatalf("play_url %q", u)
	}
	page := e.playURL("/api/v1/play_camera/token/" + tok + "/camera_id/10001/width/640/height/360")
	status, body := e.raw(page + "?width=640&height=360")
	if status != 200 || !strings.Contains(body, "width: 640px; height: 360px") || !strings.Contains(body, "mpegts.js") || !strings.Contains(body, "12000") {
		t.Fatalf("page: %d %s", status, body)
	}
	for _, asset := range []string{"mpegts.js", "hls.min.js"} {
		if status, body := e.raw("/play/assets/" + asset); status != 200 || len(body) < 10000 {
			t.Fatalf("%s: HTTP %d, %d bytes (run `make web`)", asset, status, len(body))
		}
	}

	// A heartbeat holds the channel's source; a goodbye lets it go.
	if status, _ := e.post(page + "heartbeat?page=bad"); status != 400 {
		t.Fatalf("a bad page id: %d", status)
	}
	if status, body := e.post(page + "heartbeat?page=pageAAAA1"); status != 200 || !strings.Contains(body, `"ok":true`) {
		t.Fatalf("heartbeat: %d %s", status, body)
	}
	waitFor(t, src.started, "the source starting for a heartbeat")
	if e.h.Leases() != 1 || st.ReaderCount() != 1 {
		t.Fatalf("%d leases, %d readers", e.h.Leases(), st.ReaderCount())
	}
	e.post(page + "heartbeat?page=pageAAAA1") // the same page: the same lease
	if e.h.Leases() != 1 || st.ReaderCount() != 1 {
		t.Fatalf("after a second beat: %d leases, %d readers", e.h.Leases(), st.ReaderCount())
	}
	if status, _ := e.post(page + "bye?page=pageAAAA1"); status != 204 {
		t.Fatalf("bye: %d", status)
	}
	waitFor(t, src.stopped, "the source stopping after the page left")
	if e.h.Leases() != 0 || st.ReaderCount() != 0 {
		t.Fatalf("after bye: %d leases, %d readers", e.h.Leases(), st.ReaderCount())
	}

	// A page that goes quiet: its lease ends LeaseTimeout after the last beat.
	e.post(page + "heartbeat?page=pageBBBB2")
	waitFor(t, src.started, "the source starting again")
	e.clock.Advance(29 * time.Second)
	e.h.Sweep()
	quiet(t, src.stopped, "the source stopping within the lease")
	if e.h.Leases() != 1 {
		t.Fatal("the lease ended early")
	}
	// The ticket's 10 minutes pass, but the lease keeps it valid.
	e.post(page + "heartbeat?page=pageBBBB2")
	e.clock.Advance(20 * time.Second)
	for range 50 { // 10 minutes of heartbeats
		e.clock.Advance(12 * time.Second)
		if status, body := e.post(page + "heartbeat?page=pageBBBB2"); status != 200 {
			t.Fatalf("heartbeat past the ticket's expiry: %d %s", status, body)
		}
		e.h.Sweep()
	}
	if status, _ := e.raw(page); status != 200 {
		t.Fatal("a leased page's ticket was refused")
	}
	e.clock.Advance(30 * time.Second)
	e.h.Sweep()
	waitFor(t, src.stopped, "the source stopping after the heartbeats stopped")
	status, body = e.raw(page)
	if status != http.StatusForbidden || !strings.Contains(body, "expired") {
		t.Fatalf("an expired ticket: %d %s", status, body)
	}
	if status, _ := e.post(page + "heartbeat?page=pageBBBB2"); status != http.StatusForbidden {
		t.Fatalf("a heartbeat on an expired ticket: %d", status)
	}
}

func TestPlayTicketsAreChecked(t *testing.T) {
	e := newEnv(t)
	tok := e.token()
	rec := e.putRecord("c101", time.Date(2026, 11, 25, 10, 30, 0, 0, cst), testdata.Path("tiny_h264_aac.mp4"))
	live := e.playURL("/api/v1/play_camera?token=" + tok + "&camera_id=10001")
	record := e.playURL(fmt.Sprintf("/api/v1/play_record?token=%s&record_id=%d", tok, rec.Seq))
	liveTicket := strings.Split(live, "/")[3]
	recordTicket := strings.Split(record, "/")[3]
	payload, mac, _ := strings.Cut(liveTicket, ".")
	flipped := "B"
	if mac[0] == 'B' {
		flipped = "C"
	}
	forged := []string{
		"/play/live/" + payload + "." + flipped + mac[1:] + "/",    // a wrong signature
		"/play/live/" + payload + "/",                              // none
		"/play/live/" + recordTicket + "/",                         // a record's ticket for live
		"/play/record/" + liveTicket + "/",                         // and the other way round
		"/play/record/" + liveTicket + "/video.mp4",                //
		"/play/live/" + strings.Repeat("A", 400) + "." + mac + "/", // too long
		"/play/live/%E4%B8%AD." + mac + "/stream.flv",              //
		"/play/live/" + tok + "/",                                  // the API token is no ticket
	}
	for _, p := range forged {
		status, body := e.raw(p)
		if status != http.StatusForbidden || !strings.Contains(body, "play link") {
			t.Errorf("GET %.80s: %d %q", p, status, body)
		}
	}
	if status, _ := e.raw("/play/elsewhere"); status != 404 {
		t.Errorf("an unknown play path: %d", status)
	}

	// The record page and its video, with Range for seeking.
	status, body := e.raw(record + "?width=320&height=240")
	if status != 200 || !strings.Contains(body, `video.mp4`) || strings.Contains(body, "mpegts.js") {
		t.Fatalf("record page: %d %s", status, body)
	}
	req, _ := http.NewRequest(http.MethodGet, e.srv.URL+record+"video.mp4", nil)
	req.Header.Set("Range", "bytes=100-199")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	want, _ := os.ReadFile(testdata.Path("tiny_h264_aac.mp4"))
	if resp.StatusCode != http.StatusPartialContent || string(b) != string(want[100:200]) || resp.Header.Get("Content-Type") != "video/mp4" {
		t.Fatalf("range: %d %q, %d bytes", resp.StatusCode, resp.Header.Get("Content-Type"), len(b))
	}
	// A record page's heartbeat keeps its ticket valid too, without a stream.
	if status, _ := e.post(record + "heartbeat?page=recPage01"); status != 200 {
		t.Fatal("record heartbeat refused")
	}
	// Deleted: the page's media is gone, with a sentence.
	e.wantCode(fmt.Sprintf("/api/v1/del_record?token=%s&record_id=%d", tok, rec.Seq), 0)
	if status, body := e.raw(record + "video.mp4"); status != 404 || !strings.Contains(body, "deleted") {
		t.Fatalf("a deleted record: %d %s", status, body)
	}
	// Tickets do not outlive their time without a lease.
	e.clock.Advance(10 * time.Minute)
	if status, _ := e.raw(live); status != http.StatusForbidden {
		t.Fatal("an old ticket was accepted")
	}
	// The channel's HLS is handed to the channel's handler, relative paths.
	live = e.playURL("/api/v1/play_camera?token=" + e.token() + "&camera_id=10001")
	e.box.mu.Lock()
	e.box.hls["c101"] = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { fmt.Fprint(w, "hls:"+r.URL.Path) })
	e.box.mu.Unlock()
	if status, body := e.raw(live + "hls/index.m3u8"); status != 200 || body != "hls:index.m3u8" {
		t.Fatalf("hls: %d %q", status, body)
	}
}
