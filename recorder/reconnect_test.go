package recorder

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/lubo-edge/lubo/internal/fakecam"
	"github.com/lubo-edge/lubo/internal/judge"
	"github.com/lubo-edge/lubo/relay"
	"github.com/lubo-edge/lubo/relay/mp4file"
	"github.com/lubo-edge/lubo/relay/rtsp"
	"github.com/lubo-edge/lubo/storage"
	"github.com/lubo-edge/lubo/testdata/testmedia"
)

func startCam(t *testing.T, addr, clip string) *fakecam.Camera {
	t.Helper()
	cam, err := fakecam.Start(fakecam.Options{Files: map[string]string{"cam1": clip}, RTSP: addr, Logger: testLogger(t)})
	if err != nil {
		t.Fatal(err)
	}
	return cam
}

// A camera that restarts during a lesson: the slice being written ends
// cleanly, a new one starts with the new source session, and both decode.
func TestSourceRestartOpensNewSlice(t *testing.T) {
	clip := testmedia.Require(t, "h264_aac.mp4")
	cam := startCam(t, "127.0.0.1:0", clip)
	addr := cam.RTSPAddr().String()
	defer func() { cam.Close() }()
	stream := runStream(t, relay.NewStream("c1",
		rtsp.NewSource(fmt.Sprintf("rtsp://%s/cam1", addr), rtsp.SourceOptions{Logger: testLogger(t)}),
		relay.StreamOptions{Logger: testLogger(t), Backoff: relay.Backoff{Min: 50 * time.Millisecond, Max: 200 * time.Millisecond}}))

	cfg := parseConfig(t, t.TempDir(), clip, "  slice: 0s\n  snapshot_interval: 0s\n", "")
	g := newRig(t, cfg, lessonZone(), map[string]*relay.Stream{"c1": stream}, nil)
	g.start()
	waitFor(t, "a manual recording to start", 10*time.Second, func() bool {
		_, err := g.rec.Start("c1", time.Minute)
		return err == nil
	})
	recording := func(slice int, d time.Duration) func() bool {
		return func() bool {
			for _, s := range g.rec.Sessions() {
				if s.Phase == PhaseRecording && s.Slice == slice && s.Duration >= d {
					return true
				}
			}
			return false
		}
	}
	waitFor(t, "two seconds in slice 1", 15*time.Second, recording(1, 2*time.Second))
	cam.Close()
	waitFor(t, "lubo to notice the camera is gone", 15*time.Second, func() bool { return !stream.Stats().Up.Load() })
	cam = startCam(t, addr, clip)
	waitFor(t, "two seconds in slice 2", 20*time.Second, recording(2, 2*time.Second))
	if err := g.rec.Stop("c1"); err != nil {
		t.Fatal(err)
	}
	recs := g.finishedRecords("c1", 2, 15*time.Second)
	if len(recs) != 2 {
		t.Fatalf("%d slices, want 2", len(recs))
	}
	for _, r := range recs {
		t.Logf("%s %s %v %s", r.Path, r.State, r.Duration, r.Reason)
		if r.State != storage.StateComplete || r.Duration < 2*time.Second {
			t.Errorf("%s: %s, %v (%s)", r.Path, r.State, r.Duration, r.Reason)
		}
		if p := ffprobe(t, g.abs(r.Path)); !p.FirstKey {
			t.Errorf("%s does not start on a keyframe", r.Path)
		}
		if errs := judge.DecodeErrors(t, g.abs(r.Path), 0); errs != "" {
			t.Errorf("%s decodes with errors:\n%s", r.Path, errs)
		}
	}
}

// A channel restarted by a config reload replaces its stream: the session
// closes its slice with the old stream and goes on in the new one.
func TestStreamReplacedReattaches(t *testing.T) {
	clip := testmedia.Require(t, "h264_aac.mp4")
	old := relay.NewStream("c1", mp4file.NewSource(clip, mp4file.WithLogger(testLogger(t))), relay.StreamOptions{Logger: testLogger(t)})
	ctx, stopOld := context.WithCancel(context.Background())
	oldDone := make(chan struct{})
	go func() { defer close(oldDone); _ = old.Run(ctx) }()
	defer func() { stopOld(); <-oldDone }()

	cfg := parseConfig(t, t.TempDir(), clip, "  slice: 0s\n  snapshot_interval: 0s\n", "")
	g := newRig(t, cfg, lessonZone(), map[string]*relay.Stream{"c1": old}, nil)
	g.start()
	waitFor(t, "a manual recording", 10*time.Second, func() bool { _, err := g.rec.Start("c1", time.Minute); return err == nil })
	waitFor(t, "a second in slice 1", 10*time.Second, g.recordingFor(1, time.Second))
	g.mu.Lock()
	g.streams["c1"] = fileStream(t, "c1", clip)
	g.mu.Unlock()
	stopOld()
	<-oldDone
	waitFor(t, "a second in slice 2", 15*time.Second, g.recordingFor(2, time.Second))
	if err := g.rec.Stop("c1"); err != nil {
		t.Fatal(err)
	}
	for _, r := range g.finishedRecords("c1", 2, 15*time.Second) {
		if r.State != storage.StateComplete {
			t.Errorf("%s: %s (%s)", r.Path, r.State, r.Reason)
		}
		if errs := judge.DecodeErrors(t, g.abs(r.Path), 0); errs != "" {
			t.Errorf("%s decodes with errors:\n%s", r.Path, errs)
		}
	}
}
