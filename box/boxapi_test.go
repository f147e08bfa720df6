package box

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/lubo-edge/lubo/cloud/yunlubo"
	"github.com/lubo-edge/lubo/internal/testkit"
	"github.com/lubo-edge/lubo/testdata/testmedia"
)

// A platform talks to the box with the 云录播 API itself (lubo's own
// client): it adds an MP4-file channel and a course, the running box takes
// both up without a restart, and play_camera gives a page that loads.
func TestBoxAPIEditsTheRunningBox(t *testing.T) {
	clip := testmedia.Require(t, "h264_aac.mp4")
	dir := t.TempDir()
	doc := fmt.Sprintf(`data_dir: %s
http: {listen: "127.0.0.1:0"}
rtsp: {listen: ""}
channels:
  - {id: c1, name: 一年级一班, source: "file://%s"}
schedule:
  - {channel: c1, weekday: 1, start: "08:00:00", duration: 45m, subject: 语文, teacher: 张老师}
api: {unionid: platform-union-id}
`, dir, clip)
	b := startTestBox(t, dir, doc)
	defer func() {
		b.stop()
		if strings.Contains(b.logs.String(), "platform-union-id") {
			t.Error("the API's unionid appears in the log")
		}
	}()
	d, base := b.d, b.base

	api, err := yunlubo.New(yunlubo.Options{BaseURL: base, UnionID: "platform-union-id", Retries: -1})
	if err != nil {
		t.Fatal(err)
	}
	bg := context.Background()
	cams, storage, err := api.AllCameras(bg)
	if err != nil || len(cams) != 1 || cams[0].CameraName != "一年级一班" || storage != base {
		t.Fatalf("list_camera: %+v %q %v", cams, storage, err)
	}
	added, err := api.AddCamera(bg, yunlubo.CameraInput{CameraName: "录像回放", GatherID: 1, GradeID: 1, StreamProp: yunlubo.StreamMP4File, StreamMP4: clip})
	if err != nil {
		var ye *yunlubo.Error
		errors.As(err, &ye)
		t.Fatalf("%v (%+v)", err, ye)
	}
	var newID string
	testkit.WaitFor(t, "the added channel running in the box", func() bool {
		for _, c := range d.Channels() {
			if c.Name == "录像回放" && c.Origin == apiOrigin {
				newID = c.ID
				return true
			}
		}
		return false
	})
	subjects, err := api.AllSubjects(bg)
	if err != nil || len(subjects) != 1 || subjects[0].SubjectName != "语文" {
		t.Fatalf("list_subject: %+v %v", subjects, err)
	}
	teachers, err := api.AllTeachers(bg)
	if err != nil || len(teachers) != 1 {
		t.Fatalf("list_teacher: %+v %v", teachers, err)
	}
	now := time.Now()
	if _, err := api.AddCourse(bg, yunlubo.CourseInput{CameraID: added.CameraID, SubjectID: subjects[0].SubjectID, TeacherID: teachers[0].TeacherID, WeekID: now.Weekday(),
		Start: 10 * time.Hour, Elapse: 45 * time.Minute}); err != nil {
		t.Fatal(err)
	}
	courses, err := api.AllCourses(bg, added.CameraID)
	if err != nil || len(courses) != 1 {
		t.Fatalf("list_course: %+v %v", courses, err)
	}
	playURL, err := api.PlayCamera(bg, added.CameraID, 640, 360)
	if err != nil || !strings.HasPrefix(playURL, base+"/play/") {
		t.Fatalf("play_camera: %q %v", playURL, err)
	}
	resp, err := http.Get(playURL)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("play page: %s", resp.Status)
	}
	// Channels from the config file are not the API's to edit.
	var cfgID yunlubo.Int
	for _, c := range cams {
		cfgID = c.CameraID
	}
	if err := api.DelCameras(bg, cfgID); !yunlubo.IsCode(err, yunlubo.CodeNoAPIAccess) {
		t.Errorf("del_camera of a config channel: %v, want refused", err)
	}
	if err := api.DelCameras(bg, added.CameraID); err != nil {
		t.Fatal(err)
	}
	testkit.WaitFor(t, "the deleted channel gone", func() bool {
		_, ok := d.MainStream(newID)
		return !ok
	})
}
