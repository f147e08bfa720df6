package daemon

import (
	"fmt"
	"testing"

	"github.com/lubo-edge/lubo/configs"
	"github.com/lubo-edge/lubo/internal/testkit"
	"github.com/lubo-edge/lubo/testdata/testmedia"
)

// Adding, removing or changing one channel restarts only that channel.
func TestReloadRestartsOnlyChangedChannels(t *testing.T) {
	h264 := testmedia.Require(t, "h264_aac.mp4")
	h265 := testmedia.Require(t, "h265_aac.mp4")
	b := startBox(t, fileChannel("keep", h264, false)+fileChannel("change", h264, false)+fileChannel("drop", h264, false))
	keep, _ := b.d.MainStream("keep")
	change, _ := b.d.MainStream("change")
	testkit.WaitFor(t, "channels up", func() bool { return keep.Stats().Up.Load() && change.Stats().Up.Load() })

	cfg, err := configs.Parse([]byte(fmt.Sprintf("data_dir: %s\nhttp: {listen: \"127.0.0.1:0\"}\nrtsp: {listen: \"127.0.0.1:0\"}\nchannels:\n%s",
		t.TempDir(), fileChannel("keep", h264, false)+fileChannel("change", h265, false)+fileChannel("add", h264, false))), "new.yaml")
	if err != nil {
		t.Fatal(err)
	}
	b.update <- cfg
	testkit.WaitFor(t, "reload applied", func() bool { _, ok := b.d.MainStream("add"); return ok })

	if s, _ := b.d.MainStream("keep"); s != keep {
		t.Error("unchanged channel was restarted")
	}
	if keep.Stats().Sessions.Load() != 1 {
		t.Errorf("unchanged channel had %d sessions, want 1", keep.Stats().Sessions.Load())
	}
	if s, _ := b.d.MainStream("change"); s == change {
		t.Error("changed channel was not restarted")
	}
	if _, ok := b.d.MainStream("drop"); ok {
		t.Error("removed channel still runs")
	}
	if _, err := change.AddReader("late"); err == nil {
		t.Error("the old stream of a changed channel still takes readers")
	}
	s, _ := b.d.MainStream("change")
	testkit.WaitFor(t, "changed channel up with its new source", func() bool {
		tr := s.Tracks()
		return tr != nil && tr.Video != nil && tr.Video.Codec.String() == "H265"
	})
	ids := []string{}
	for _, c := range b.d.Channels() {
		ids = append(ids, c.ID)
	}
	if fmt.Sprint(ids) != "[keep change add]" {
		t.Errorf("channels %v, want config order [keep change add]", ids)
	}
}
