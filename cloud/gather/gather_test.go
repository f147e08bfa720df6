package gather

import (
	"context"
	"encoding/base64"
	"strings"
	"testing"
	"time"

	"github.com/lubo-edge/lubo/cloud/yunlubo"
	"github.com/lubo-edge/lubo/cloud/yunlubo/yunlubotest"
	"github.com/lubo-edge/lubo/configs"
	"github.com/lubo-edge/lubo/internal/testkit"
)

// memStore keeps the state in memory.
type memStore = testkit.MemStore

const mac = "02:00:5e:10:00:01"

func seed(srv *yunlubotest.Server) (camID, courseID yunlubo.Int) {
	srv.AddAccount("u1", true)
	g := srv.AddGather(yunlubo.Gather{MacAddr: "02005E100001", SliceVal: 15, InterVal: 2, SnapVal: 5, AutoDVR: 1})
	other := srv.AddGather(yunlubo.Gather{MacAddr: "02:00:5e:10:00:99"})
	camID = srv.AddCamera(yunlubo.Camera{CameraName: "一年级一班", GatherID: g, StreamProp: yunlubo.StreamCamera,
		DeviceIP: "10.0.0.64", DeviceUser: "admin", DevicePass: yunlubo.Secret(base64.StdEncoding.EncodeToString([]byte("hunter22"))), DeviceTwice: 1})
	srv.AddCamera(yunlubo.Camera{CameraName: "文件", GatherID: g, StreamProp: yunlubo.StreamMP4File, StreamMP4: "/srv/a.mp4"})
	srv.AddCamera(yunlubo.Camera{CameraName: "转发", GatherID: g, StreamProp: yunlubo.StreamForward, StreamURL: "rtmp://10.0.0.9/live/x"})
	srv.AddCamera(yunlubo.Camera{CameraName: "坏的", GatherID: g, StreamProp: 7})
	srv.AddCamera(yunlubo.Camera{CameraName: "别的采集端", GatherID: other, StreamProp: yunlubo.StreamForward, StreamURL: "rtsp://x/y"})
	subj := srv.AddSubject(yunlubo.Subject{SubjectName: "数学"})
	teacher := srv.AddTeacher(yunlubo.Teacher{TeacherName: "李老师"})
	courseID = srv.AddCourse(yunlubo.Course{CameraID: camID, SubjectID: subj, TeacherID: teacher, WeekID: 3, StartTime: "10:30:00", ElapseSec: 2700})
	return camID, courseID
}

func newSync(t *testing.T, srv *yunlubotest.Server, store Store, logs *testkit.LogBuffer) *Sync {
	t.Helper()
	c, err := yunlubo.New(yunlubo.Options{BaseURL: srv.URL, UnionID: "u1", Retries: -1, CallTimeout: 5 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	s, err := NewSync(srv.URL, Options{Client: c, Store: store, MAC: mac, Logger: logs.Logger()})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestSyncAppliesTheGathersPart(t *testing.T) {
	srv := yunlubotest.Start(t)
	camID, _ := seed(srv)
	var logs testkit.LogBuffer
	var got []configs.Overlay
	s := newSync(t, srv, &memStore{}, &logs)
	if err := s.SyncNow(context.Background(), func(o configs.Overlay) { got = append(got, o) }); err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 {
		t.Fatalf("%d overlays published, want 1", len(got))
	}
	o := got[0]
	if r := o.Record; r.Slice != 15*time.Minute || r.OverlapKeyframes != 2 || r.SnapshotInterval != 5*time.Minute {
		t.Errorf("record settings %+v", r)
	}
	if len(o.Channels) != 3 {
		t.Fatalf("channels %+v, want the gather's 3 usable cameras", o.Channels)
	}
	c0 := o.Channels[0]
	if c0.ID != ChannelID(int64(camID)) || c0.Name != "一年级一班" || c0.OnDemand || c0.Device == nil ||
		c0.Device.Host != "10.0.0.64" || string(c0.Device.Password) != "hunter22" || c0.Device.Stream != configs.StreamBoth {
		t.Errorf("camera channel %+v %+v", c0, c0.Device)
	}
	if o.Channels[1].Source != "file:///srv/a.mp4" || o.Channels[2].Source != "rtmp://10.0.0.9/live/x" {
		t.Errorf("file and forward channels %+v", o.Channels[1:])
	}
	if len(o.Schedule) != 1 || o.Schedule[0] != (configs.Course{Channel: c0.ID, Weekday: 3, Start: "10:30:00", Duration: 45 * time.Minute, Subject: "数学", Teacher: "李老师", ExternalID: "1"}) {
		t.Errorf("schedule %+v", o.Schedule)
	}
	if !strings.Contains(logs.String(), "stream_prop 7") {
		t.Error("the unusable camera is not logged")
	}
	// The composed config accepts everything the overlay has.
	base, _ := configs.Parse([]byte("data_dir: /tmp/x\n"), "t")
	if _, problems := configs.Compose(base, o); len(problems) != 0 {
		t.Errorf("compose problems: %v", problems)
	}
	// The same answer again publishes nothing.
	if err := s.SyncNow(context.Background(), func(o configs.Overlay) { got = append(got, o) }); err != nil || len(got) != 1 {
		t.Fatalf("unchanged sync published again (%d, %v)", len(got), err)
	}
	if strings.Contains(logs.String(), "hunter22") {
		t.Error("a camera password appears in the log")
	}
}

// A reboot without network records from the stored copy; when the server
// comes back the changes made meanwhile apply.
func TestSyncSurvivesAServerDownAcrossARestart(t *testing.T) {
	srv := yunlubotest.Start(t)
	camID, courseID := seed(srv)
	store := &memStore{}
	var logs testkit.LogBuffer
	first := newSync(t, srv, store, &logs)
	if err := first.SyncNow(context.Background(), func(configs.Overlay) {}); err != nil {
		t.Fatal(err)
	}
	synced := first.Status().LastSync

	srv.SetDown(true)
	// The server is edited while the box cannot reach it (as if an hour
	// passes: the emulator's clock moves, expiring the box's token).
	srv.Advance(time.Hour)
	course, _ := srv.Course(courseID)
	course.StartTime, course.ElapseSec = "14:00:00", 1800
	srv.AddCourse(course)

	rebooted := newSync(t, srv, store, &logs)
	o, ok := rebooted.Cached()
	if !ok || len(o.Channels) != 3 || len(o.Schedule) != 1 || o.Schedule[0].Start != "10:30:00" || string(o.Channels[0].Device.Password) != "hunter22" {
		t.Fatalf("cached overlay %+v (ok %v)", o, ok)
	}
	if err := rebooted.SyncNow(context.Background(), func(configs.Overlay) { t.Error("published while the server is down") }); err == nil {
		t.Fatal("sync succeeded with the server down")
	}
	st := rebooted.Status()
	if !st.FromCache || !st.LastSync.Equal(synced) || st.Error == "" || st.Failures != 1 {
		t.Fatalf("status while down %+v", st)
	}

	srv.SetDown(false)
	var got []configs.Overlay
	if err := rebooted.SyncNow(context.Background(), func(o configs.Overlay) { got = append(got, o) }); err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 || got[0].Schedule[0].Start != "14:00:00" || got[0].Schedule[0].Duration != 30*time.Minute ||
		got[0].Channels[0].ID != ChannelID(int64(camID)) {
		t.Fatalf("after the server came back: %+v", got)
	}
	if st := rebooted.Status(); st.Error != "" || st.FromCache || !st.LastSync.After(synced) {
		t.Fatalf("status after recovery %+v", st)
	}
}

func TestSyncWithoutThisBoxsGatherSaysSo(t *testing.T) {
	srv := yunlubotest.Start(t)
	srv.AddAccount("u1", true)
	srv.AddGather(yunlubo.Gather{MacAddr: "aa:bb:cc:dd:ee:ff"})
	var logs testkit.LogBuffer
	s := newSync(t, srv, &memStore{}, &logs)
	err := s.SyncNow(context.Background(), func(configs.Overlay) {})
	if err == nil || !strings.Contains(err.Error(), "no gather with this box's MAC "+mac) || !s.Status().NoGatherOK {
		t.Fatalf("err %v, status %+v", err, s.Status())
	}
}

func TestOverlayRefusesBadCourses(t *testing.T) {
	st := &yunlubo.State{
		Gathers: []yunlubo.Gather{{GatherID: 1, MacAddr: mac}},
		Cameras: []yunlubo.Camera{{CameraID: 5, GatherID: 1, StreamProp: yunlubo.StreamForward, StreamURL: "rtsp://c/1"},
			{CameraID: 6, GatherID: 1, StreamProp: yunlubo.StreamMP4File, StreamMP4: "relative.mp4"}},
		Courses: map[yunlubo.Int][]yunlubo.Course{5: {
			{CourseID: 1, WeekID: 9, StartTime: "10:00:00", ElapseSec: 60},
			{CourseID: 2, WeekID: 1, StartTime: "nonsense", ElapseSec: 60},
			{CourseID: 3, WeekID: 1, StartTime: "2017-05-10 08:00:00", ElapseSec: 0},
			{CourseID: 4, WeekID: 1, StartTime: "2017-05-10 08:00:00", ElapseSec: 2700},
		}},
	}
	o, problems := Overlay(st, st.Gathers[0], configs.VendorHikvision)
	if len(o.Schedule) != 1 || o.Schedule[0].Start != "08:00:00" || len(o.Channels) != 1 {
		t.Fatalf("overlay %+v", o)
	}
	want := []string{"week_id 9", `start_time "nonsense"`, "elapse_sec 0", `stream_mp4 "relative.mp4"`}
	all := strings.Join(problems, "\n")
	for _, w := range want {
		if !strings.Contains(all, w) {
			t.Errorf("problems lack %q:\n%s", w, all)
		}
	}
}
