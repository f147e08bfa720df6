package box

import (
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/lubo-edge/lubo/cloud/onenet/onenettest"
	"github.com/lubo-edge/lubo/internal/testkit"
	"github.com/lubo-edge/lubo/storage"
	"github.com/lubo-edge/lubo/testdata/testmedia"
)

// A course a few seconds ahead makes lubo preload that channel's HLS on
// OneNET at the configured lead time, and every snapshot taken reaches
// the platform exactly once (none lost, none twice).
func TestOneNETPreloadsLessonsAndGetsEverySnapshotOnce(t *testing.T) {
	clip := testmedia.Require(t, "h264_aac.mp4")
	emu := onenettest.New(t, onenettest.Config{MasterKey: "master-key-1"})
	dir := t.TempDir()
	now := time.Now()
	if now.Add(time.Minute).Day() != now.Day() {
		t.Skip("too close to midnight for a course today")
	}
	start := now.Add(5 * time.Second)
	doc := fmt.Sprintf(`data_dir: %s
timezone: Local
http: {listen: "127.0.0.1:0"}
rtsp: {listen: ""}
record: {snapshot_interval: 1s}
channels:
  - {id: c1, name: 一年级一班, source: "file://%s", on_demand: false}
schedule:
  - {channel: c1, weekday: %d, start: %q, duration: 10s}
cloud:
  onenet: {api: %q, master_key: master-key-1, product_id: %q, preload_lead: 3s}
`, dir, clip, int(start.Weekday()), start.Format("15:04:05"), emu.URL(), emu.ProductID())
	b := startTestBox(t, dir, doc)
	testkit.WaitFor(t, "the preload", func() bool { return len(emu.Preloads()) >= 1 })
	p := emu.Preloads()[0]
	lead := start.Truncate(time.Second).Sub(p.At)
	// Never earlier than the lead (the start has one-second precision);
	// how late under load is the registrar unit test's business, on a fake
	// clock.
	if lead > 3*time.Second+time.Second {
		t.Errorf("preloaded %v before the lesson, earlier than the 3 s lead", lead)
	}
	testkit.WaitFor(t, "pictures on the platform", func() bool { return len(emu.Pictures()) >= 3 })
	testkit.WaitFor(t, "the lesson's cover on the platform", func() bool {
		for _, pic := range emu.Pictures() {
			if strings.HasPrefix(pic.Name, "c1_cover_") {
				return true
			}
		}
		return false
	})
	metrics := httpGet(t, b.base+"/metrics")
	for _, series := range []string{`lubo_outbox_waiting_items{target="onenet"}`, `lubo_outbox_delivered_total{target="onenet"}`, `lubo_outbox_oldest_age_seconds{target="onenet"}`, `lubo_outbox_dropped_total{reason="space",target="onenet"}`, `lubo_outbox_pictures_not_queued_total 0`} {
		if !strings.Contains(metrics, series) {
			t.Errorf("/metrics has no %s", series)
		}
	}
	b.stop()
	if strings.Contains(b.logs.String(), "master-key-1") {
		t.Error("the master key appears in the log")
	}

	// Every archived snapshot and every cover is on the platform or still
	// queued, once.
	archived, _ := filepath.Glob(filepath.Join(dir, "snapshots", "c1", "*", "*.jpg"))
	covers, _ := filepath.Glob(filepath.Join(dir, "records", "c1", "*", "*.jpg"))
	archived = append(archived, covers...)
	names := map[string]int{}
	for _, pic := range emu.Pictures() {
		names[pic.Name]++
		if names[pic.Name] > 1 {
			t.Errorf("picture %s uploaded twice", pic.Name)
		}
	}
	db, err := storage.Open(filepath.Join(dir, "lubo.db"), storage.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	waiting, err := db.Outbox().List(storage.OutboxFilter{})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("%d covers", len(covers))
	t.Logf("%d snapshots and covers taken, %d on the platform, %d queued; preload lead %v", len(archived), len(names), len(waiting), lead)
	if len(archived) != len(names)+len(waiting) {
		t.Errorf("%d snapshots and covers taken, %d on the platform + %d queued", len(archived), len(names), len(waiting))
	}
}
