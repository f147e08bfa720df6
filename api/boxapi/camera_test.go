package boxapi

import (
	"context"
	"encoding/json"
	"log/slog"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/lubo-edge/lubo/cloud/yunlubo"
	"github.com/lubo-edge/lubo/relay"
)

func TestAddModDelCamera(t *testing.T) {
	e := newEnv(t)
	tok := e.token()
	e.wantCode("/api/v1/list_camera?token="+tok, 0) // numbers c101 10001 and y12 12
	mp4 := filepath.Join(t.TempDir(), "lesson.mp4")
	if err := os.WriteFile(mp4, []byte("mp4"), 0o644); err != nil {
		t.Fatal(err)
	}
	add := "/api/v1/add_camera?token=" + tok + "&gather_id=3&grade_id=1&camera_name=" + url.QueryEscape("三班")
	for _, c := range []struct {
		query string
		code  int
	}{
		{"&stream_prop=1", yunlubo.CodeNoName},                               // no stream_mp4
		{"&stream_prop=1&stream_mp4=relative.mp4", yunlubo.CodeNoName},       // not a full path
		{"&stream_prop=1&stream_mp4=/nonexistent/x.mp4", yunlubo.CodeNoName}, // no such file
		{"&stream_prop=1&stream_mp4=" + t.TempDir(), yunlubo.CodeNoName},     // a folder
		{"&stream_prop=2&stream_url=http://x/y.flv", yunlubo.CodeNoName},     // not rtsp/rtmp
		{"&stream_prop=2&stream_url=rtsp://", yunlubo.CodeNoName},            // no host
		{"&stream_prop=0&device_ip=1.2.3.4", yunlubo.CodeNoID},               // cameras cannot be added
		{"&stream_prop=x", yunlubo.CodeNoID},                                 // non-numeric
		{"", yunlubo.CodeNoID},                                               // missing
	} {
		e.wantCode(add+c.query, c.code)
	}
	base := "/api/v1/add_camera?token=" + tok + "&stream_prop=1&stream_mp4=" + url.QueryEscape(mp4)
	e.wantCode(base+"&gather_id=3&grade_id=1", yunlubo.CodeNoName)                            // no camera_name
	e.wantCode(base+"&camera_name=x&grade_id=1", yunlubo.CodeNoID)                            // no gather_id
	e.wantCode(base+"&camera_name=x&gather_id=abc&grade_id=1", yunlubo.CodeNoID)              // non-numeric
	e.wantCode(base+"&camera_name=x&gather_id=4&grade_id=1", yunlubo.CodeNoID)                // another gather
	e.wantCode(base+"&camera_name=x&gather_id=3&grade_id=9", yunlubo.CodeNoID)                // unknown grade
	e.wantCode(base+"&camera_name=x&gather_id=3", yunlubo.CodeNoID)                           // no grade
	e.wantCode(base+"&camera_name="+strings.Repeat("长", 100)+"&gather_id=3&grade_id=1", 1008) // too long

	changes := e.changeCount()
	m := e.wantCode("/api/v1/add_camera?token="+tok+"&camera_name=fwd&gather_id=3&grade_id=2&stream_prop=2&stream_url="+
		url.QueryEscape("rtsp://admin:pa55word@10.0.0.9:554/live"), 0)
	id, _ := m["camera_id"].(json.Number).Int64()
	if e.changeCount() != changes+1 {
		t.Fatal("OnChange was not called")
	}
	chs, err := e.db.BoxChannels()
	if err != nil || len(chs) != 1 || chs[0].StreamURL != "rtsp://admin:pa55word@10.0.0.9:554/live" || int64(chs[0].Number) != id || chs[0].GradeID != 2 {
		t.Fatalf("stored: %v, %v", chs, err)
	}
	// The list shows the new channel (offline: the daemon has not taken it up) without its password.
	_, body := e.raw("/api/v1/list_camera?token=" + tok)
	if strings.Contains(body, "pa55word") || !strings.Contains(body, "10.0.0.9") {
		t.Fatalf("list_camera shows the password or lost the address: %s", body)
	}
	if strings.Contains(e.logs.String(), "pa55word") {
		t.Fatalf("a log line shows the password: %s", e.logs.String())
	}
	status := e.wantCode("/api/v1/get_camera_status?token="+tok+"&camera_id="+itoa(id), 0)
	if status["status"] != json.Number("0") || status["camera_id"] != json.Number(itoa(id)) {
		t.Fatalf("status %v", status)
	}

	// mod_camera: the API's own channels only.
	mod := "/api/v1/mod_camera?token=" + tok + "&camera_id="
	e.wantCode(mod+"10001&camera_name=x", yunlubo.CodeNoAPIAccess) // config
	e.wantCode(mod+"12&camera_name=x", yunlubo.CodeNoAPIAccess)    // server
	e.wantCode(mod+"99999&camera_name=x", yunlubo.CodeNoID)
	e.wantCode(mod+"abc", yunlubo.CodeNoID)
	e.wantCode("/api/v1/mod_camera?token="+tok, yunlubo.CodeNoID)
	e.wantCode(mod+itoa(id)+"&grade_id=9", yunlubo.CodeNoID)
	e.wantCode(mod+itoa(id)+"&stream_prop=0", yunlubo.CodeNoID)
	e.wantCode(mod+itoa(id)+"&stream_prop=7", yunlubo.CodeNoID)
	e.wantCode(mod+itoa(id)+"&stream_prop=1", yunlubo.CodeNoName) // an MP4 channel needs its file
	e.wantCode(mod+itoa(id)+"&camera_name=", yunlubo.CodeNoName)
	e.wantCode(mod+itoa(id)+"&camera_name=renamed&stream_prop=1&stream_mp4="+url.QueryEscape(mp4), 0)
	chs, _ = e.db.BoxChannels()
	if c := chs[0]; c.Name != "renamed" || c.StreamProp != 1 || c.StreamMP4 != mp4 || c.StreamURL != "" {
		t.Fatalf("after mod: %v", c)
	}

	// del_camera: all or nothing; records, files and courses go too.
	rec := e.putRecord(chs[0].ID, time.Date(2026, 11, 25, 10, 30, 0, 0, cst), "")
	e.wantCode("/api/v1/add_course?token="+tok+"&camera_id="+itoa(id)+"&subject_id=6&teacher_id=7&week_id=2&elapse_sec=600&start_time=09:00:00", 0)
	e.wantCode("/api/v1/del_camera?token="+tok+"&camera_id="+itoa(id)+",10001", yunlubo.CodeNoAPIAccess)
	e.wantCode("/api/v1/del_camera?token="+tok+"&camera_id="+itoa(id)+",424242", yunlubo.CodeNoID)
	e.wantCode("/api/v1/del_camera?token="+tok+"&camera_id=1,,2", yunlubo.CodeNoID)
	e.wantCode("/api/v1/del_camera?token="+tok, yunlubo.CodeNoID)
	if chs, _ := e.db.BoxChannels(); len(chs) != 1 {
		t.Fatal("a refused del_camera deleted something")
	}
	e.wantCode("/api/v1/del_camera/token/"+tok+"/camera_id/"+itoa(id), 0)
	if chs, _ := e.db.BoxChannels(); len(chs) != 0 {
		t.Fatalf("channels left: %v", chs)
	}
	if cs, _ := e.db.BoxCourses(); len(cs) != 0 {
		t.Fatalf("courses left: %v", cs)
	}
	if _, err := e.db.GetRecord(rec.ID); err == nil {
		t.Fatal("the record is still indexed")
	}
	for _, p := range []string{rec.Path, rec.Cover} {
		if _, err := os.Stat(filepath.Join(e.root, p)); !os.IsNotExist(err) {
			t.Fatalf("%s still exists: %v", p, err)
		}
	}
	e.wantCode("/api/v1/get_camera_status?token="+tok+"&camera_id="+itoa(id), yunlubo.CodeNoID)
}

// TestStartStopCamera: start_camera keeps an on-demand source running
// without any viewer until stop_camera.
func TestStartStopCamera(t *testing.T) {
	e := newEnv(t)
	tok := e.token()
	src := e.sources[0] // c101, number 10001
	st, _ := e.box.LiveStream("c101")
	e.wantCode("/api/v1/start_camera?token="+tok+"&camera_id=10001", 0)
	waitFor(t, src.started, "the source starting")
	e.wantCode("/api/v1/start_camera?token="+tok+"&camera_id=10001", 0) // twice is once
	if n := st.ReaderCount(); n != 1 {
		t.Fatalf("%d readers, want 1", n)
	}
	quiet(t, src.stopped, "the source stopping while started")
	e.wantCode("/api/v1/stop_camera?token="+tok+"&camera_id=10001", 0)
	waitFor(t, src.stopped, "the source stopping after stop_camera")
	if n := st.ReaderCount(); n != 0 {
		t.Fatalf("%d readers after stop", n)
	}
	e.wantCode("/api/v1/stop_camera?token="+tok+"&camera_id=10001", 0) // stopping twice is fine
	e.wantCode("/api/v1/start_camera?token="+tok+"&camera_id=5", yunlubo.CodeNoID)
	e.wantCode("/api/v1/start_camera?token="+tok+"&camera_id=x", yunlubo.CodeNoID)
	e.wantCode("/api/v1/stop_camera?token="+tok, yunlubo.CodeNoID)
	e.wantCode("/api/v1/get_camera_status?token="+tok, yunlubo.CodeNoID)
	e.wantCode("/api/v1/get_camera_status?token="+tok+"&camera_id=-1", yunlubo.CodeNoID)
	if m := e.wantCode("/api/v1/get_camera_status?token="+tok+"&camera_id=10001", 0); m["status"] != json.Number("1") {
		t.Fatalf("c101 is up: %v", m)
	}
}

func TestServerOwnedChannelsAreNotEdited(t *testing.T) {
	e := newEnv(t)
	tok := e.token()
	m := e.wantCode("/api/v1/mod_camera?token="+tok+"&camera_id=12&camera_name=x", yunlubo.CodeNoAPIAccess)
	if msg := m["err_msg"].(string); !strings.Contains(msg, "云录播服务器") || !strings.Contains(msg, "source of truth") {
		t.Fatalf("err_msg %q", msg)
	}
	m = e.wantCode("/api/v1/del_camera?token="+tok+"&camera_id=10001", yunlubo.CodeNoAPIAccess)
	if msg := m["err_msg"].(string); !strings.Contains(msg, "config") {
		t.Fatalf("err_msg %q", msg)
	}
}

// TestStartCameraSurvivesAStreamReplacement: a reload recreates a channel's
// stream; the next Sweep holds the new one; Run releases every hold.
func TestStartCameraSurvivesAStreamReplacement(t *testing.T) {
	e := newEnv(t)
	tok := e.token()
	e.wantCode("/api/v1/start_camera?token="+tok+"&camera_id=10001", 0)
	waitFor(t, e.sources[0].started, "the first stream's source starting")

	src := &fakeSource{started: make(chan struct{}, 10), stopped: make(chan struct{}, 10)}
	st := relay.NewStream("c101", src, relay.StreamOptions{OnDemand: true, IdleTimeout: time.Millisecond, Logger: slog.New(slog.DiscardHandler)})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); _ = st.Run(ctx) }()
	defer func() { cancel(); <-done }()
	old, _ := e.box.LiveStream("c101")
	e.box.mu.Lock()
	e.box.streams["c101"] = st
	e.box.mu.Unlock()
	// The old stream is shut down as a reload would: its readers close.
	oldReaders := old.ReaderCount()
	if oldReaders != 1 {
		t.Fatalf("old stream has %d readers", oldReaders)
	}
	e.h.pinMu.Lock()
	p := e.h.pins["c101"]
	e.h.pinMu.Unlock()
	p.rd.Close() // what the stream's shutdown does to its readers
	<-p.done
	e.h.Sweep()
	waitFor(t, src.started, "the new stream's source starting")
	if st.ReaderCount() != 1 {
		t.Fatalf("new stream has %d readers", st.ReaderCount())
	}

	runCtx, stop := context.WithCancel(context.Background())
	ran := make(chan error, 1)
	go func() { ran <- e.h.Run(runCtx) }()
	stop()
	if err := <-ran; err != nil {
		t.Fatal(err)
	}
	waitFor(t, src.stopped, "the new stream's source stopping after Run ended")
	if st.ReaderCount() != 0 {
		t.Fatalf("%d readers after Run", st.ReaderCount())
	}
	e.wantCode("/api/v1/start_camera?token="+tok+"&camera_id=10001", yunlubo.CodeNoID) // shut down: refused, not a panic
}
