package daemon

import (
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/lubo-edge/lubo/configs"
	"github.com/lubo-edge/lubo/internal/judge"
	"github.com/lubo-edge/lubo/internal/testkit"
	"github.com/lubo-edge/lubo/testdata/testmedia"
)

// A channel's configured push reaches the ingest, which plays it back; a
// reload that drops it stops it without restarting the camera; the API
// starts and stops one; the stream key shows nowhere.
func TestChannelPushesToAnIngest(t *testing.T) {
	clip := testmedia.Require(t, "h264_aac.mp4")
	ingest := startRTMPServer(t)
	const key = "s3cret-stream-key"
	pushURL := fmt.Sprintf("rtmp://%s/live/%s", ingest, key)
	dir := t.TempDir()
	doc := func(push string) string {
		return fmt.Sprintf("data_dir: %s\nhttp: {listen: \"127.0.0.1:0\"}\nrtsp: {listen: \"127.0.0.1:0\"}\nchannels:\n  - {id: c1, source: \"file://%s\", on_demand: false%s}\n", dir, clip, push)
	}
	parse := func(s string) *configs.Config {
		cfg, err := configs.Parse([]byte(s), "test.yaml")
		if err != nil {
			t.Fatal(err)
		}
		return cfg
	}
	b := startBoxConfig(t, parse(doc(fmt.Sprintf(", push: [%q]", pushURL))))

	if got := sorted(judge.Streams(t, pushURL)); !slices.Equal(got, []string{"aac", "h264"}) {
		t.Fatalf("the ingest plays back %v, want aac + h264", got)
	}
	_, list := get(t, b.http+"/api/push")
	if !strings.Contains(list, `"state":"pushing"`) || !strings.Contains(list, `"origin":"config"`) || strings.Contains(list, key) {
		t.Fatalf("/api/push: %s", list)
	}
	_, metrics := get(t, b.http+"/metrics")
	if !strings.Contains(metrics, "lubo_push_frames_total{") || strings.Contains(metrics, key) {
		t.Fatal("/metrics has no push series, or shows the stream key")
	}

	main, _ := b.d.MainStream("c1")
	sessions := main.Stats().Sessions.Load()
	b.update <- parse(doc(""))
	testkit.WaitFor(t, "the configured push to go", func() bool {
		_, list := get(t, b.http+"/api/push")
		return !strings.Contains(list, `"channel":"c1"`)
	})
	if m, _ := b.d.MainStream("c1"); m != main || main.Stats().Sessions.Load() != sessions {
		t.Error("dropping a push restarted the camera")
	}

	resp, err := http.PostForm(b.http+"/api/push/start?channel=c1", url.Values{"url": {pushURL}})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("POST /api/push/start: %s", resp.Status)
	}
	testkit.WaitFor(t, "the API's push to run", func() bool {
		_, list := get(t, b.http+"/api/push")
		return strings.Contains(list, `"origin":"api"`) && strings.Contains(list, `"state":"pushing"`)
	})
	resp, err = http.PostForm(b.http+"/api/push/stop?channel=c1", url.Values{"url": {pushURL}})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("POST /api/push/stop: %s", resp.Status)
	}
	if _, list := get(t, b.http+"/api/push"); strings.Contains(list, `"channel":"c1"`) {
		t.Fatalf("stopped push still listed: %s", list)
	}
}
