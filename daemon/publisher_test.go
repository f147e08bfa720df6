package daemon

import (
	"context"
	"fmt"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/lubo-edge/lubo/configs"
	"github.com/lubo-edge/lubo/internal/judge"
	"github.com/lubo-edge/lubo/internal/testkit"
	"github.com/lubo-edge/lubo/testdata/testmedia"
)

// An encoder pushes a channel to lubo over RTMP (source: publisher); it is
// served like any camera: HTTP-FLV decodes, and RTMP players get it back.
func TestRTMPIngestPublishesAChannel(t *testing.T) {
	clip := testmedia.Require(t, "h264_aac.mp4")
	b := startBox(t, "  - {id: c1, source: publisher, on_demand: false}\nrtmp: {listen: \"127.0.0.1:0\"}\n")
	url := fmt.Sprintf("rtmp://%s/live/c1", b.d.RTMPAddr())
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	push := exec.CommandContext(ctx, "ffmpeg", "-nostdin", "-v", "error", "-re", "-stream_loop", "-1", "-i", clip, "-c", "copy", "-f", "flv", url)
	if err := push.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { cancel(); _ = push.Wait() }()
	s, _ := b.d.MainStream("c1")
	testkit.WaitFor(t, "the pushed stream", func() bool { return s.Stats().Up.Load() && s.LatestKeyframe() != nil })
	if errs := judge.DecodeErrors(t, b.http+"/live/c1.flv", 3*time.Second); errs != "" {
		t.Errorf("HTTP-FLV of the pushed channel decodes with errors:\n%s", errs)
	}
	if streams := judge.Streams(t, url); !strings.Contains(strings.Join(streams, ","), "h264") {
		t.Errorf("RTMP play of the pushed channel: streams %v", streams)
	}
	// The publisher's connection is counted (the listener caps them); the
	// player's goes once the server sees it closed.
	testkit.WaitFor(t, "/metrics to count the publisher's connection alone", func() bool {
		_, metrics := get(t, b.http+"/metrics")
		return strings.Contains(metrics, "\nlubo_rtmp_connections 1\n") && strings.Contains(metrics, "\nlubo_rtmp_connections_refused_total 0\n")
	})
}

func TestPublisherNeedsRTMPListen(t *testing.T) {
	_, err := parseTestConfig("channels:\n  - {id: c1, source: publisher}\n")
	if err == nil || !strings.Contains(err.Error(), "needs rtmp.listen") {
		t.Fatalf("err %v", err)
	}
}

func parseTestConfig(doc string) (any, error) { return configs.Parse([]byte(doc), "test.yaml") }
