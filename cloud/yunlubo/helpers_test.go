package yunlubo_test

import (
	"log/slog"
	"testing"
	"time"

	"github.com/lubo-edge/lubo/cloud/yunlubo"
	"github.com/lubo-edge/lubo/cloud/yunlubo/yunlubotest"
	"github.com/lubo-edge/lubo/internal/testkit"
)

const testUnionID = "UNIONID-s3cr3t-4242"

// syncBuffer is the shared thread-safe log buffer.
type syncBuffer = testkit.LogBuffer

type fixture struct {
	srv    *yunlubotest.Server
	client *yunlubo.Client
	logs   *syncBuffer
	tokens *yunlubo.MemoryTokenStore
}

// newFixture starts an emulator with one account and a client sharing its
// clock; edit may change the options.
func newFixture(t *testing.T, edit func(*yunlubo.Options)) *fixture {
	t.Helper()
	srv := yunlubotest.Start(t)
	srv.AddAccount(testUnionID, true)
	logs := &syncBuffer{}
	store := &yunlubo.MemoryTokenStore{}
	opts := yunlubo.Options{
		BaseURL:     srv.URL,
		UnionID:     testUnionID,
		Tokens:      store,
		Now:         srv.Now,
		CallTimeout: 5 * time.Second,
		RetryBase:   time.Millisecond,
		RetryMax:    4 * time.Millisecond,
		Logger:      slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug})),
	}
	if edit != nil {
		edit(&opts)
	}
	c, err := yunlubo.New(opts)
	if err != nil {
		t.Fatal(err)
	}
	return &fixture{srv: srv, client: c, logs: logs, tokens: store}
}

// seedSchool fills a small but complete school: one gather with two
// cameras, subjects, teachers, a grade, courses and records.
type seeded struct {
	school, grade, gather, cam1, cam2 yunlubo.Int
	subject, teacher                  yunlubo.Int
	course, record                    yunlubo.Int
}

func seedSchool(s *yunlubotest.Server) seeded {
	var d seeded
	d.school = s.AddSchool(yunlubo.School{Name: "东升一中", Addr: "东升镇", Phone: "010-6267772"})
	d.grade = s.AddGrade(yunlubo.Grade{GradeType: "小学", GradeName: "一年级"})
	d.gather = s.AddGather(yunlubo.Gather{SchoolID: d.school, MacAddr: "AA-BB-CC-00-11-22", IPAddr: "192.168.1.10",
		NamePC: "box", NameSet: "采集端", OSName: "Linux", MainRate: 1024, SubRate: 512, AutoFDS: 1, SliceVal: 30, InterVal: 1, SnapVal: 2})
	d.cam1 = s.AddCamera(yunlubo.Camera{CameraName: "一班", GatherID: d.gather, GradeID: d.grade, StreamProp: yunlubo.StreamCamera,
		DeviceIP: "192.168.1.64", DeviceUser: "admin", DevicePass: yunlubo.Secret(yunlubo.EncodePassword("pa55:word")),
		DeviceCmdPort: 8000, DeviceOSD: 1, DeviceShow: 1, ImageFDFS: "/snap/1.jpg"})
	d.cam2 = s.AddCamera(yunlubo.Camera{CameraName: "二班", GatherID: d.gather, GradeID: d.grade, StreamProp: yunlubo.StreamForward,
		StreamURL: "rtsp://u:streampw@192.168.1.65/live"})
	d.subject = s.AddSubject(yunlubo.Subject{SubjectName: "语文"})
	d.teacher = s.AddTeacher(yunlubo.Teacher{TeacherName: "张老师", SexName: "女", TitleName: "一级教师", TitleID: 2})
	d.course = s.AddCourse(yunlubo.Course{CameraID: d.cam1, SubjectID: d.subject, TeacherID: d.teacher, WeekID: 3,
		ElapseSec: 2700, StartTime: "10:30:00"})
	d.record = s.AddRecord(yunlubo.Record{GatherID: d.gather, CameraID: d.cam1, SubjectID: d.subject, TeacherID: d.teacher,
		FileFDFS: "/rec/1.mp4", ImageFDFS: "/rec/1.jpg", FileSize: 6598647, Duration: 60, Disptime: "00:01:00"})
	return d
}
