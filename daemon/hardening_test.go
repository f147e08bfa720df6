package daemon

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/url"
	"testing"
	"time"

	"github.com/lubo-edge/lubo/configs"
	"github.com/lubo-edge/lubo/internal/testkit"
	"github.com/lubo-edge/lubo/media"
	"github.com/lubo-edge/lubo/relay"
	"github.com/lubo-edge/lubo/relay/sources"
	"github.com/lubo-edge/lubo/testdata/testmedia"
)

// wedgeRegistry serves rtmp:// URLs with a source that ignores its context
// once started, as gomedia's chunk reader did when it spun: cancelled is
// closed when the source saw the cancel and went on anyway.
func wedgeRegistry(t *testing.T) (reg *sources.Registry, cancelled chan struct{}) {
	release := make(chan struct{})
	t.Cleanup(func() { close(release) })
	cancelled = make(chan struct{})
	reg = sources.Builtin()
	reg.Add(&sources.Scheme{
		Names: []string{"rtmp"}, Want: "rtmp",
		Check: func(*url.URL, string) string { return "" },
		Open: func(string, *url.URL, sources.Options) (relay.Source, error) {
			return relay.SourceFunc(func(ctx context.Context, out relay.Publisher) error {
				out.Begin(&media.Tracks{Video: &media.VideoTrack{Codec: media.H264}})
				<-ctx.Done()
				close(cancelled)
				<-release // wedged
				return nil
			}), nil
		},
	})
	return reg, cancelled
}

// Removing a channel whose source will not stop must not block viewers and
// lookups of the other channels, and SIGTERM still ends lubo within its
// shutdown deadline.
func TestAWedgedChannelBlocksNeitherOthersNorShutdown(t *testing.T) {
	h264 := testmedia.Require(t, "h264_aac.mp4")
	reg, cancelled := wedgeRegistry(t)
	dir := t.TempDir()
	doc := func(channels string) *configs.Config {
		cfg, err := configs.Parse([]byte(fmt.Sprintf("data_dir: %s\nhttp: {listen: \"127.0.0.1:0\"}\nrtsp: {listen: \"127.0.0.1:0\"}\nchannels:\n%s", dir, channels)), "test.yaml")
		if err != nil {
			t.Fatal(err)
		}
		return cfg
	}
	wedge := "  - {id: wedge, source: \"rtmp://camera/live/x\", on_demand: false}\n"
	d, err := New(doc(fileChannel("ok", h264, false)+wedge), Options{
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil)), Sources: reg,
		StopTimeout: time.Hour, ShutdownTimeout: 2 * time.Second,
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := d.Listen(); err != nil {
		t.Fatal(err)
	}
	updates := make(chan *configs.Config)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- d.Run(ctx, updates) }()
	ok, _ := d.MainStream("ok")
	testkit.WaitFor(t, "channel ok up", func() bool { return ok.Stats().Up.Load() })

	updates <- doc(fileChannel("ok", h264, false))
	<-cancelled // apply is now waiting for the wedged channel (for an hour)
	if code, _ := get(t, "http://"+d.HTTPAddr().String()+"/metrics"); code != 200 {
		t.Fatalf("/metrics %d while a channel is being stopped", code)
	}
	if n := len(d.Channels()); n != 1 {
		t.Fatalf("%d channels listed, want 1 (ok)", n)
	}
	rd, err := ok.AddReader("viewer")
	if err != nil {
		t.Fatal(err)
	}
	rctx, rcancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer rcancel()
	if _, err := rd.Read(rctx); err != nil {
		t.Fatalf("channel ok stopped flowing: %v", err)
	}
	rd.Close()

	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(60 * time.Second):
		t.Fatal("Run did not return after its shutdown deadline with a wedged channel")
	}
}

// A rename applies in place: the channel keeps its stream (and viewers).
func TestRenameDoesNotRestartTheChannel(t *testing.T) {
	h264 := testmedia.Require(t, "h264_aac.mp4")
	b := startBox(t, "  - {id: c1, name: 一年级一班, source: \"file://"+h264+"\", on_demand: false}\n")
	s, _ := b.d.MainStream("c1")
	testkit.WaitFor(t, "c1 up", func() bool { return s.Stats().Up.Load() })
	cfg, err := configs.Parse([]byte(fmt.Sprintf("data_dir: %s\nhttp: {listen: \"127.0.0.1:0\"}\nrtsp: {listen: \"127.0.0.1:0\"}\nchannels:\n  - {id: c1, name: 一年级二班, source: \"file://%s\", on_demand: false}\n", t.TempDir(), h264)), "new.yaml")
	if err != nil {
		t.Fatal(err)
	}
	b.update <- cfg
	testkit.WaitFor(t, "the new name shown", func() bool { return b.d.Channels()[0].Name == "一年级二班" })
	if now, _ := b.d.MainStream("c1"); now != s || s.Stats().Sessions.Load() != 1 {
		t.Fatal("renaming restarted the channel")
	}
}
