package push

import (
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/lubo-edge/lubo/internal/testkit"
	"github.com/lubo-edge/lubo/relay"
	"github.com/lubo-edge/lubo/testdata/testmedia"
)

// TestPushSurvivesCameraAndIngestRestart pushes a fake camera to a real
// nginx-rtmp and has ffprobe and ffmpeg read it back after each thing that
// can go wrong: a camera reboot with the same codec parameters (the push
// keeps its connection), one with new parameters (the push publishes
// again), and nginx killed and started again on the same port (the push
// reconnects with backoff). The stream key and token never show.
func TestPushSurvivesCameraAndIngestRestart(t *testing.T) {
	small := testmedia.Require(t, "h264_aac.mp4") // 320x240
	large := testmedia.Require(t, "sample.mp4")   // 640x360
	ngx := startNginx(t)
	const key, token = "k3y-Secret-9f2c", "tok-Secret-77aa"
	pushURL := "rtmp://" + ngx.addr() + "/live/" + key + "?token=" + token
	readURL := "rtmp://" + ngx.addr() + "/live/" + key

	cam := newCamera(small, small, large)
	stream := runStream(t, "c1", cam, relay.StreamOptions{Backoff: relay.Backoff{Min: 50 * time.Millisecond, Max: 100 * time.Millisecond}})
	var logs testkit.LogBuffer
	m := NewManager(Options{
		Lookup:  lookupOf(stream),
		Backoff: relay.Backoff{Min: 100 * time.Millisecond, Max: 300 * time.Millisecond},
		Logger:  logs.Logger(),
	})
	m.Configure("c1", []string{pushURL})
	runManager(t, m)
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("pushes: %+v\npush logs:\n%s", m.List(), logs.String())
		}
	})

	pushing := func(what string, cond func(Status) bool) Status {
		t.Helper()
		var st Status
		testkit.WaitFor(t, what, func() bool {
			st = statusOf(t, m, "c1")
			return st.State == Pushing && st.Frames > 0 && cond(st)
		})
		return st
	}
	st := pushing("the push to start", func(Status) bool { return true })
	if st.Origin != OriginConfig || st.URL != "rtmp://"+ngx.addr()+"/live/******" {
		t.Errorf("status %+v: want origin config and the redacted url", st)
	}
	checkReadBack(t, readURL, 320, 240)

	// A camera reboot, same clip: new session, same parameters.
	before := statusOf(t, m, "c1")
	cam.reboot()
	testkit.WaitFor(t, "the camera's second session", func() bool { return stream.Stats().Sessions.Load() >= 2 })
	framesAt := statusOf(t, m, "c1").Frames
	st = pushing("frames of the second session", func(s Status) bool { return s.Frames > framesAt+50 })
	if st.Reconnects != before.Reconnects {
		t.Errorf("reconnects %d after a camera reboot with the same parameters, want %d (same connection)", st.Reconnects, before.Reconnects)
	}
	checkReadBack(t, readURL, 320, 240)

	// A camera reboot into other parameters: the push publishes again.
	cam.reboot()
	testkit.WaitFor(t, "the camera's third session", func() bool { return stream.Stats().Sessions.Load() >= 3 })
	st = pushing("the push republished with the new parameters", func(s Status) bool { return s.Reconnects > before.Reconnects })
	checkReadBack(t, readURL, 640, 360)

	// The ingest goes away and comes back on the same port.
	beforeStop := statusOf(t, m, "c1")
	ngx.stop()
	var down Status
	testkit.WaitFor(t, "the push to notice the ingest is gone", func() bool {
		down = statusOf(t, m, "c1")
		return down.State == Waiting && down.Error != ""
	})
	ngx.start()
	st = pushing("the push back after the ingest restart", func(s Status) bool {
		return s.Reconnects > beforeStop.Reconnects && s.Since.After(down.Since) && s.LastFrame.After(s.Since)
	})
	checkReadBack(t, readURL, 640, 360)

	// Nothing shows the key or the token: status, error, logs, metrics.
	reg := prometheus.NewPedanticRegistry()
	reg.MustRegister(m.Collector())
	families, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	var reconnects float64
	var metricText strings.Builder
	for _, f := range families {
		metricText.WriteString(f.String())
		if f.GetName() == "lubo_push_reconnects_total" {
			reconnects = f.GetMetric()[0].GetCounter().GetValue()
		}
	}
	if reconnects < 2 {
		t.Errorf("lubo_push_reconnects_total = %v, want >= 2 (a codec change and an ingest restart)", reconnects)
	}
	for what, text := range map[string]string{
		"error while down": down.Error, "logs": logs.String(), "metrics": metricText.String(),
	} {
		if strings.Contains(text, key) || strings.Contains(text, token) {
			t.Errorf("%s show the stream key or token:\n%s", what, text)
		}
	}
	if !strings.Contains(logs.String(), "push failed") {
		t.Errorf("logs do not say the push failed:\n%s", logs.String())
	}
}
