package daemon

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/lubo-edge/lubo/internal/judge"
	"github.com/lubo-edge/lubo/internal/testkit"
	"github.com/lubo-edge/lubo/testdata/testmedia"
)

func post(t *testing.T, url string) (int, map[string]any) {
	t.Helper()
	resp, err := http.Post(url, "", nil)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var body map[string]any
	if err := json.NewDecoder(resp.Body).Decode(&body); err != nil {
		t.Fatalf("POST %s: %s, not JSON: %v", url, resp.Status, err)
	}
	return resp.StatusCode, body
}

type recordsReply struct {
	Total   int `json:"total"`
	Records []struct {
		Path     string `json:"path"`
		State    string `json:"state"`
		URL      string `json:"url"`
		CoverURL string `json:"cover_url"`
		Trigger  string `json:"trigger"`
		Duration int64  `json:"duration_ns"`
		Size     int64  `json:"size"`
	} `json:"records"`
}

func getRecords(t *testing.T, url string) recordsReply {
	t.Helper()
	code, body := get(t, url)
	if code != http.StatusOK {
		t.Fatalf("GET %s: %d %s", url, code, body)
	}
	var r recordsReply
	if err := json.Unmarshal([]byte(body), &r); err != nil {
		t.Fatal(err)
	}
	return r
}

// Manual recording through the HTTP API, end to end: clear errors, the
// recording listed, served with Range support and decodable over HTTP, its
// cover, the channel's snapshot, and the metrics.
func TestManualRecordingOverHTTP(t *testing.T) {
	clip := testmedia.Require(t, "h264_aac.mp4")
	b := startBox(t, fileChannel("c1", clip, true)+"record:\n  slice: 0s\n  snapshot_interval: 1s\n")
	api := b.http + "/api/record/"
	for _, c := range []struct {
		url  string
		code int
		want string
	}{
		{api + "start?channel=nope", 404, `no such channel: "nope"`},
		{api + "start?channel=c1&duration=abc", 400, "accepted: a duration like 45m"},
		{api + "start?channel=c1&duration=48h", 400, "from 1s to 24h0m0s"},
		{api + "start", 400, "channel is required"},
		{api + "stop?channel=c1", 409, `no manual recording on channel "c1"`},
		{api + "stop?channel=nope", 404, "no channel"},
	} {
		code, body := post(t, c.url)
		if msg, _ := body["error"].(string); code != c.code || !strings.Contains(msg, c.want) {
			t.Errorf("POST %s: %d %q, want %d with %q", c.url, code, msg, c.code, c.want)
		}
	}
	if code, body := post(t, api+"start?channel=c1&duration=1m"); code != 200 {
		t.Fatalf("start: %d %v", code, body)
	}
	if code, body := post(t, api+"start?channel=c1"); code != 409 || !strings.Contains(body["error"].(string), "already recording") {
		t.Errorf("second start: %d %v, want 409", code, body)
	}
	testkit.WaitFor(t, "the dashboard to show the recording", func() bool {
		_, body := get(t, b.http+"/api/records?channel=c1")
		return strings.Contains(body, `"phase":"recording"`)
	})
	testkit.WaitFor(t, "a snapshot", func() bool { code, _ := get(t, b.http+"/snapshots/c1.jpg"); return code == 200 })
	// The recording in progress shows its size and duration growing.
	var growing recordsReply
	testkit.WaitFor(t, "two seconds recorded, shown while recording", func() bool {
		growing = getRecords(t, b.http+"/api/records?channel=c1&state=recording")
		return growing.Total == 1 && growing.Records[0].Duration >= int64(2*time.Second)
	})
	if growing.Records[0].Size <= 0 {
		t.Errorf("recording in progress shows size %d", growing.Records[0].Size)
	}
	if code, body := post(t, api+"stop?channel=c1"); code != 200 {
		t.Fatalf("stop: %d %v", code, body)
	}
	var list recordsReply
	testkit.WaitFor(t, "the recording to be listed complete", func() bool {
		list = getRecords(t, b.http+"/api/records?channel=c1&state=complete")
		return list.Total == 1 && list.Records[0].CoverURL != ""
	})
	r := list.Records[0]
	if r.Trigger != "manual" || r.Duration < int64(2*time.Second) || r.URL != "/records/"+r.Path {
		t.Errorf("record %+v", r)
	}

	req, _ := http.NewRequest("GET", b.http+r.URL, nil)
	req.Header.Set("Range", "bytes=0-99")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	part, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusPartialContent || len(part) != 100 || resp.Header.Get("Content-Type") != "video/mp4" {
		t.Errorf("range request: %s, %d bytes, %s", resp.Status, len(part), resp.Header.Get("Content-Type"))
	}
	if errs := judge.DecodeErrors(t, b.http+r.URL, 0); errs != "" {
		t.Errorf("the served recording decodes with errors:\n%s", errs)
	}
	if code, _ := get(t, b.http+r.CoverURL); code != 200 {
		t.Errorf("cover: %d", code)
	}
	for _, bad := range []string{r.URL + ".part", "/records/c1/../../lubo.db", "/records/%2e%2e/lubo.db", "/records/nope.mp4"} {
		if code, _ := get(t, b.http+bad); code != http.StatusNotFound {
			t.Errorf("GET %s: %d, want 404", bad, code)
		}
	}
	if code, body := get(t, b.http+"/api/records?from=yesterday"); code != 400 || !strings.Contains(body, "RFC 3339") {
		t.Errorf("bad from: %d %s", code, body)
	}

	_, metrics := get(t, b.http+"/metrics")
	for _, want := range []string{
		`lubo_record_files_total 1`, `lubo_recording_active{channel="c1"} 0`, `lubo_snapshots_enabled 1`,
		`lubo_record_bytes_total`, `lubo_record_disk_free_ratio`, `lubo_record_covers_total{outcome="taken"} 1`,
	} {
		if !strings.Contains(metrics, want) {
			t.Errorf("metrics lack %q", want)
		}
	}
}

// A camera with G.711 audio: the recording has its sound as AAC, as long as
// the video, and decodes.
func TestRecordingG711CameraKeepsVideo(t *testing.T) {
	clip := testmedia.Require(t, "h264_pcma.flv")
	addr := startRTMPServer(t)
	publish(t, clip, "rtmp://"+addr+"/live/cam")
	b := startBox(t, fmt.Sprintf("  - {id: g711, source: \"rtmp://%s/live/cam\", on_demand: true}\n", addr)+
		"record:\n  slice: 0s\n  snapshot_interval: 0s\n")
	if code, body := post(t, b.http+"/api/record/start?channel=g711&duration=2s"); code != 200 {
		t.Fatalf("start: %d %v", code, body)
	}
	var list recordsReply
	testkit.WaitFor(t, "the recording", func() bool {
		list = getRecords(t, b.http+"/api/records?channel=g711&state=complete")
		return list.Total == 1
	})
	url := b.http + list.Records[0].URL
	if got := sorted(judge.Streams(t, url)); !slices.Equal(got, []string{"aac", "h264"}) {
		t.Errorf("recording streams %v, want h264 + aac", got)
	}
	if v, a := judge.StreamDuration(t, url, "v:0"), judge.StreamDuration(t, url, "a:0"); a < v-100*time.Millisecond || a > v+100*time.Millisecond {
		t.Errorf("audio lasts %v, video %v: more than 0.1 s apart", a, v)
	}
	if errs := judge.DecodeErrors(t, url, 0); errs != "" {
		t.Errorf("decode errors:\n%s", errs)
	}
}
