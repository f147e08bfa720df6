package box

import (
	"fmt"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/lubo-edge/lubo/internal/testkit"
	"github.com/lubo-edge/lubo/testdata/testmedia"
)

// An admin stops a timetable lesson early from the dashboard with a
// reason: the recording ends complete, and the log says which lesson, who
// and why.
func TestDashboardStopsALessonEarly(t *testing.T) {
	t.Parallel()
	clip := testmedia.Require(t, "h264_aac.mp4")
	dir := t.TempDir()
	zone := middayZone(time.Now())
	loc, err := time.LoadLocation(zone)
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now().In(loc).Add(2 * time.Second)
	doc := fmt.Sprintf(`data_dir: %s
timezone: %s
http: {listen: "127.0.0.1:0"}
rtsp: {listen: ""}
record: {slice: 0s, snapshot_interval: 0s}
channels:
  - {id: c1, source: "file://%s", on_demand: false}
schedule:
  - {channel: c1, weekday: %d, start: %q, duration: 30m, subject: 语文, teacher: 张老师}
`, dir, zone, clip, int(start.Weekday()), start.Format("15:04:05"))
	b := startTestBox(t, dir, doc)
	testkit.WaitFor(t, "the lesson recording", func() bool {
		rs := recordsOf(t, b.base, "c1")
		return len(rs) == 1 && rs[0].State == "recording"
	})
	resp, err := http.Post(b.base+"/api/dash/record/stop", "application/json", strings.NewReader(`{"channel":"c1","reason":"停电检修"}`))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("stop: %s", resp.Status)
	}
	var path string
	testkit.WaitFor(t, "the lesson's recording to finish", func() bool {
		rs := recordsOf(t, b.base, "c1")
		if len(rs) == 1 && rs[0].State == "complete" {
			path = rs[0].Path
			return true
		}
		return false
	})
	b.stop()
	if l := b.logs.String(); !strings.Contains(l, "lesson 语文 (张老师) stopped early by (sign-in off) because 停电检修") {
		t.Errorf("the log does not say which lesson was stopped, by whom and why:\n%s", l)
	}
	probe(t, filepath.Join(dir, "records", filepath.FromSlash(path)))
}
