package box

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/lubo-edge/lubo/cloud/yunlubo"
	"github.com/lubo-edge/lubo/cloud/yunlubo/yunlubotest"
	"github.com/lubo-edge/lubo/internal/fakecam"
	"github.com/lubo-edge/lubo/internal/testkit"
	"github.com/lubo-edge/lubo/testdata/testmedia"
)

const boxMAC = "02:00:5e:10:00:01"

type recordJSON struct {
	Channel string `json:"channel"`
	Path    string `json:"path"`
	State   string `json:"state"`
	Subject string `json:"subject"`
	Start   time.Time
}

func records(t *testing.T, base string) []recordJSON { return recordsOf(t, base, "y1") }

func recordsOf(t *testing.T, base, channel string) []recordJSON {
	t.Helper()
	resp, err := http.Get(base + "/api/records?channel=" + channel)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out struct {
		Records []recordJSON `json:"records"`
	}
	body, _ := io.ReadAll(resp.Body)
	if err := json.Unmarshal(body, &out); err != nil {
		t.Fatalf("/api/records: %v: %s", err, body)
	}
	return out.Records
}

// lubo syncs a camera (served by the test camera) and a course a few
// seconds ahead from the 云录播 emulator, records that lesson to an MP4
// ffprobe reads, then follows the server when it moves the course, without
// a restart.
func TestGatherSyncRecordsTheServersTimetable(t *testing.T) {
	clip := testmedia.Require(t, "h264_aac.mp4")
	cam, err := fakecam.Start(fakecam.Options{Files: map[string]string{"cam": clip}, Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	defer cam.Close()

	srv := yunlubotest.Start(t)
	srv.AddAccount("box-union-id", true)
	gid := srv.AddGather(yunlubo.Gather{MacAddr: strings.ToUpper(strings.ReplaceAll(boxMAC, ":", "-")), NamePC: "教室一", SliceVal: 0, InterVal: 1, SnapVal: 2})
	camID := srv.AddCamera(yunlubo.Camera{CameraName: "一年级一班", GatherID: gid, StreamProp: yunlubo.StreamForward, StreamURL: fmt.Sprintf("rtsp://%s/cam", cam.RTSPAddr())})
	subj := srv.AddSubject(yunlubo.Subject{SubjectName: "语文"})
	teacher := srv.AddTeacher(yunlubo.Teacher{TeacherName: "张老师"})
	now := time.Now()
	if now.Add(2*time.Minute).Day() != now.Day() {
		t.Skip("too close to midnight for a course today")
	}
	startOf := func(at time.Time) time.Duration {
		return at.Sub(time.Date(at.Year(), at.Month(), at.Day(), 0, 0, 0, 0, at.Location())).Truncate(time.Second)
	}
	first := now.Add(6 * time.Second)
	courseID := srv.AddCourse(yunlubo.Course{CameraID: camID, SubjectID: subj, TeacherID: teacher, WeekID: yunlubo.Int(first.Weekday()),
		StartTime: clock(startOf(first)), ElapseSec: 4})

	dir := t.TempDir()
	cfgText := fmt.Sprintf(`data_dir: %s
timezone: Local
http: {listen: "127.0.0.1:0"}
rtsp: {listen: "127.0.0.1:0"}
record: {pre_roll: 3s}
cloud:
  yunlubo: {url: %q, unionid: box-union-id, mac: %q, sync_interval: 10s}
`, dir, srv.URL, boxMAC)
	b := startTestBox(t, dir, cfgText)
	defer func() {
		b.stop()
		if strings.Contains(b.logs.String(), "box-union-id") {
			t.Error("the unionid appears in the log")
		}
	}()
	d, base := b.d, b.base

	testkit.WaitFor(t, "the server's camera as channel y1", func() bool {
		for _, c := range d.Channels() {
			if c.ID == fmt.Sprintf("y%d", camID) && c.Name == "一年级一班" {
				return true
			}
		}
		return false
	})
	testkit.WaitFor(t, "the lesson recorded", func() bool {
		rs := records(t, base)
		return len(rs) == 1 && rs[0].State == "complete"
	})
	rec := records(t, base)[0]
	if rec.Subject != "语文" {
		t.Errorf("record subject %q, want the server's 语文", rec.Subject)
	}
	probe(t, filepath.Join(dir, "records", filepath.FromSlash(rec.Path)))

	// The server moves the course; the next sync (10 s) moves the lesson.
	client, err := yunlubo.New(yunlubo.Options{BaseURL: srv.URL, UnionID: "box-union-id"})
	if err != nil {
		t.Fatal(err)
	}
	second := time.Now().Add(14 * time.Second)
	if _, err := client.ModCourse(context.Background(), courseID, yunlubo.CourseInput{
		CameraID: camID, SubjectID: subj, TeacherID: teacher, WeekID: second.Weekday(), Start: startOf(second), Elapse: 4 * time.Second,
	}); err != nil {
		t.Fatal(err)
	}
	testkit.WaitFor(t, "the moved lesson recorded", func() bool {
		rs := records(t, base)
		return len(rs) == 2 && rs[0].State == "complete" && rs[1].State == "complete"
	})
	for _, r := range records(t, base) {
		probe(t, filepath.Join(dir, "records", filepath.FromSlash(r.Path)))
	}
	st := d.Clouds()
	if len(st) != 1 || !st[0].OK || st[0].LastSync.IsZero() {
		t.Errorf("cloud status %+v", st)
	}
}

func clock(d time.Duration) string {
	s := int64(d / time.Second)
	return fmt.Sprintf("%02d:%02d:%02d", s/3600, s/60%60, s%60)
}

// probe fails unless ffprobe reads an H.264 video stream from path and
// ffmpeg decodes it without a word.
func probe(t *testing.T, path string) {
	t.Helper()
	out, err := exec.Command("ffprobe", "-v", "error", "-select_streams", "v:0", "-show_entries", "stream=codec_name", "-of", "csv=p=0", path).CombinedOutput()
	if err != nil || strings.TrimSpace(string(out)) != "h264" {
		t.Fatalf("ffprobe %s: %v: %s", path, err, out)
	}
	if out, err := exec.Command("ffmpeg", "-v", "error", "-i", path, "-f", "null", "-").CombinedOutput(); err != nil || len(out) > 0 {
		t.Fatalf("ffmpeg decoding %s: %v: %s", path, err, out)
	}
}
