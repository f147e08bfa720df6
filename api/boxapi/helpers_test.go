package boxapi

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/lubo-edge/lubo/cloud/yunlubo"
	"github.com/lubo-edge/lubo/internal/testkit"
	"github.com/lubo-edge/lubo/relay"
	"github.com/lubo-edge/lubo/storage"
)

const testUnionID = "u-5ecret-Union1D"

// fakeBox is a daemon as the API sees it; tests change its fields.
type fakeBox struct {
	mu       sync.Mutex
	gather   yunlubo.Gather
	channels []Channel
	streams  map[string]*relay.Stream
	hls      map[string]http.Handler
	courses  []Course
	dir      Directory
	server   bool
}

func (b *fakeBox) Gather() yunlubo.Gather {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.gather
}

func (b *fakeBox) Channels() []Channel {
	b.mu.Lock()
	defer b.mu.Unlock()
	return append([]Channel(nil), b.channels...)
}

func (b *fakeBox) LiveStream(id string) (*relay.Stream, bool) {
	b.mu.Lock()
	defer b.mu.Unlock()
	s, ok := b.streams[id]
	return s, ok
}

func (b *fakeBox) HLS(id string) (http.Handler, bool) {
	b.mu.Lock()
	defer b.mu.Unlock()
	h, ok := b.hls[id]
	return h, ok
}

func (b *fakeBox) Courses() []Course {
	b.mu.Lock()
	defer b.mu.Unlock()
	return append([]Course(nil), b.courses...)
}

func (b *fakeBox) Directory() Directory {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.dir
}

func (b *fakeBox) ServerConfigured() bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.server
}

// testClock is a settable clock.
type testClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *testClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *testClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// env is a handler on an httptest server with a fake box, a real store and
// a records folder.
type env struct {
	t       testing.TB
	h       *Handler
	srv     *httptest.Server
	box     *fakeBox
	db      *storage.DB
	root    string
	clock   *testClock
	logs    *syncBuffer
	changes int
	mu      sync.Mutex
	sources []*fakeSource // of c101, y12
}

// fakeSource is a camera that announces when it starts and stops and
// delivers nothing in between.
type fakeSource struct{ started, stopped chan struct{} }

func (s *fakeSource) Run(ctx context.Context, _ relay.Publisher) error {
	s.started <- struct{}{}
	<-ctx.Done()
	s.stopped <- struct{}{}
	return nil
}

// waitFor waits for a signal of a fake source, failing after a minute.
func waitFor(t *testing.T, c chan struct{}, what string) {
	t.Helper()
	select {
	case <-c:
	case <-time.After(time.Minute):
		t.Fatalf("%s: never happened", what)
	}
}

// quiet checks that nothing is on c now.
func quiet(t *testing.T, c chan struct{}, what string) {
	t.Helper()
	select {
	case <-c:
		t.Fatalf("%s happened", what)
	default:
	}
}

// syncBuffer is the shared thread-safe log buffer.
type syncBuffer = testkit.LogBuffer

var cst = time.FixedZone("CST", 8*3600)

// newEnv builds the standard box: config channel c101 (up), server camera
// y12, server configured, a directory with one school, two grades, subjects
// and teachers, a config course and a server course.
func newEnv(t testing.TB) *env {
	t.Helper()
	dir := t.TempDir()
	db, err := storage.Open(filepath.Join(dir, "lubo.db"), storage.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = db.Close() })
	root := filepath.Join(dir, "records")
	if err := os.MkdirAll(root, 0o755); err != nil {
		t.Fatal(err)
	}
	box := &fakeBox{
		gather: yunlubo.Gather{GatherID: 3, SchoolID: 1, MacAddr: "aa:bb:cc:dd:ee:ff", IPAddr: "192.168.1.20",
			NamePC: "lubo-box", NameSet: "采集端", OSName: "Linux x86_64", MainRate: 1024, SubRate: 512,
			AutoDVR: 1, AutoFDS: 1, SliceVal: 30, InterVal: 1, SnapVal: 2, Status: 1,
			Created: "2026-09-01 08:00:00", Updated: "2026-09-01 08:00:00"},
		channels: []Channel{
			{ID: "c101", Name: "一年级一班", Origin: OriginConfig, StreamProp: 2, StreamURL: "rtsp://admin:******@192.168.1.64/Streaming/Channels/101", Up: true, HasSnapshot: true, GradeID: 2},
			{ID: "y12", Name: "二年级一班", Origin: OriginServer, StreamProp: 0, DeviceIP: "192.168.1.65", DeviceUser: "admin", GradeID: 1},
		},
		streams: map[string]*relay.Stream{},
		hls:     map[string]http.Handler{},
		courses: []Course{
			{ID: "c101-3-103000", Origin: OriginConfig, Channel: "c101", Weekday: 3, Start: 10*time.Hour + 30*time.Minute, Duration: 45 * time.Minute, Subject: "语文", Teacher: "张老师"},
			{ID: "77", Origin: OriginServer, Channel: "y12", Weekday: 1, Start: 8 * time.Hour, Duration: 40 * time.Minute, Subject: "数学", Teacher: "李老师"},
		},
		dir: Directory{
			Schools:  []yunlubo.School{{SchoolID: 1, Name: "东升一中", Addr: "东升镇", Phone: "010-6267772", Created: "2017-07-01 14:39:30", Updated: "2017-08-23 15:39:01"}},
			Grades:   []yunlubo.Grade{{GradeID: 1, GradeType: "小学", GradeName: "二年级"}, {GradeID: 2, GradeType: "小学", GradeName: "一年级"}},
			Subjects: []yunlubo.Subject{{SubjectID: 6, SubjectName: "数学"}},
			Teachers: []yunlubo.Teacher{{TeacherID: 7, TeacherName: "李老师", SexName: "女", TitleName: "一级教师", TitleID: 2}},
		},
		server: true,
	}
	e := &env{t: t, box: box, db: db, root: root, logs: &syncBuffer{},
		clock: &testClock{t: time.Date(2026, 11, 25, 9, 0, 0, 0, cst)}}
	h, err := New(Options{
		UnionID: testUnionID, DB: db, Box: box, Records: StoreRecords{DB: db, Root: root},
		OnChange: func() { e.mu.Lock(); e.changes++; e.mu.Unlock() },
		Now:      e.clock.Now, Location: cst, Version: "test",
		Logger: slog.New(slog.NewTextHandler(e.logs, &slog.HandlerOptions{Level: slog.LevelDebug})),
	})
	if err != nil {
		t.Fatal(err)
	}
	e.h = h
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	t.Cleanup(func() { cancel(); wg.Wait() })
	for _, id := range []string{"c101", "y12"} {
		src := &fakeSource{started: make(chan struct{}, 100), stopped: make(chan struct{}, 100)}
		st := relay.NewStream(id, src, relay.StreamOptions{OnDemand: true, IdleTimeout: time.Millisecond, Logger: slog.New(slog.DiscardHandler)})
		box.streams[id] = st
		e.sources = append(e.sources, src)
		wg.Add(1)
		go func() { defer wg.Done(); _ = st.Run(ctx) }()
	}
	e.srv = httptest.NewServer(h)
	t.Cleanup(e.srv.Close)
	t.Cleanup(func() {
		h.releaseAll()
		h.wg.Wait()
	})
	return e
}

func (e *env) changeCount() int {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.changes
}

// raw GETs path and returns the status and body.
func (e *env) raw(path string) (int, string) {
	e.t.Helper()
	resp, err := http.Get(e.srv.URL + path)
	if err != nil {
		e.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		e.t.Fatal(err)
	}
	return resp.StatusCode, string(b)
}

// get GETs an /api/v1 path and decodes the JSON answer (numbers kept).
func (e *env) get(path string) map[string]any {
	e.t.Helper()
	status, body := e.raw(path)
	if status != http.StatusOK {
		e.t.Fatalf("GET %s: HTTP %d: %s", path, status, body)
	}
	return decodeObject(e.t, body)
}

func decodeObject(t testing.TB, body string) map[string]any {
	t.Helper()
	dec := json.NewDecoder(strings.NewReader(body))
	dec.UseNumber()
	var m map[string]any
	if err := dec.Decode(&m); err != nil {
		t.Fatalf("answer is not a JSON object: %v: %s", err, body)
	}
	return m
}

// code is an answer's err_code.
func code(t testing.TB, m map[string]any) int {
	t.Helper()
	n, ok := m["err_code"].(json.Number)
	if !ok {
		t.Fatalf("no numeric err_code in %v", m)
	}
	v, err := n.Int64()
	if err != nil {
		t.Fatal(err)
	}
	return int(v)
}

// token asks for a token with the right unionid.
func (e *env) token() string {
	e.t.Helper()
	m := e.get("/api/v1/access_token?unionid=" + testUnionID)
	tok, _ := m["token"].(string)
	if code(e.t, m) != 0 || tok == "" {
		e.t.Fatalf("access_token: %v", m)
	}
	return tok
}

// wantCode GETs path and checks err_code (and the document's text when msg
// is true).
func (e *env) wantCode(path string, want int) map[string]any {
	e.t.Helper()
	m := e.get(path)
	if got := code(e.t, m); got != want {
		e.t.Fatalf("GET %s: err_code %d (%v), want %d", path, got, m["err_msg"], want)
	}
	if want != 0 {
		msg, _ := m["err_msg"].(string)
		ep := strings.SplitN(strings.TrimPrefix(path, "/api/v1/"), "?", 2)[0]
		ep = strings.SplitN(ep, "/", 2)[0]
		doc := yunlubo.Meaning(ep, want)
		if doc == "" || !strings.HasPrefix(msg, strings.SplitN(doc, ",", 2)[0]) && want != yunlubo.CodeNoAPIAccess {
			e.t.Fatalf("GET %s: err_msg %q does not start with the document's %q", path, msg, doc)
		}
	}
	return m
}

// putRecord stores a finished record of channel with a real file.
func (e *env) putRecord(channel string, start time.Time, src string) *storage.Record {
	e.t.Helper()
	rel := channel + "/" + start.Format("2006-01-02") + "/" + start.Format("150405") + "_1.mp4"
	cover := strings.TrimSuffix(rel, ".mp4") + ".jpg"
	if err := os.MkdirAll(filepath.Join(e.root, filepath.Dir(rel)), 0o755); err != nil {
		e.t.Fatal(err)
	}
	data := []byte("not really a video")
	if src != "" {
		var err error
		if data, err = os.ReadFile(src); err != nil {
			e.t.Fatal(err)
		}
	}
	if err := os.WriteFile(filepath.Join(e.root, rel), data, 0o644); err != nil {
		e.t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(e.root, cover), []byte("jpeg"), 0o644); err != nil {
		e.t.Fatal(err)
	}
	r := &storage.Record{ID: storage.NewRecordID(channel, start, 1), Channel: channel, Subject: "语文", Teacher: "张老师",
		Start: start, End: start.Add(61 * time.Second), Duration: 61 * time.Second, Size: int64(len(data)),
		Path: rel, Cover: cover, Slice: 1, State: storage.StateComplete, Trigger: "schedule"}
	if err := e.db.PutRecord(r); err != nil {
		e.t.Fatal(err)
	}
	return r
}
