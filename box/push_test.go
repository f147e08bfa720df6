package box

import (
	"context"
	"fmt"
	"log/slog"
	"strings"
	"testing"

	"github.com/lubo-edge/lubo/internal/testkit"
	"github.com/lubo-edge/lubo/relay/rtmp"
	"github.com/lubo-edge/lubo/testdata/testmedia"
)

// The dashboard's channel tiles show each push's state with its key
// hidden.
func TestDashboardShowsPushes(t *testing.T) {
	t.Parallel()
	clip := testmedia.Require(t, "h264_aac.mp4")
	ingest := rtmp.NewServer(rtmp.ServerOptions{Logger: slog.New(slog.DiscardHandler)})
	addr, err := ingest.Listen("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	go func() { _ = ingest.Run(ctx) }()
	defer func() { cancel(); ingest.Close() }()

	dir := t.TempDir()
	doc := fmt.Sprintf(`data_dir: %s
http: {listen: "127.0.0.1:0"}
rtsp: {listen: ""}
record: {snapshot_interval: 0s}
channels:
  - {id: c1, source: "file://%s", on_demand: false, push: ["rtmp://%s/live/k3y-never-shown"]}
`, dir, clip, addr)
	b := startTestBox(t, dir, doc)
	testkit.WaitFor(t, "the tile to show the push pushing", func() bool {
		body := httpGet(t, b.base+"/api/dash/channels")
		if strings.Contains(body, "k3y-never-shown") {
			t.Fatalf("the stream key is on the dashboard: %s", body)
		}
		return strings.Contains(body, `"pushes":[{"channel":"c1"`) && strings.Contains(body, `"state":"pushing"`)
	})
}
