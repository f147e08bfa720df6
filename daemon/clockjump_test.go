package daemon

import (
	"context"
	"io"
	"log/slog"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/lubo-edge/lubo/internal/judge"
	"github.com/lubo-edge/lubo/internal/testkit"
	"github.com/lubo-edge/lubo/media"
	"github.com/lubo-edge/lubo/relay"
	"github.com/lubo-edge/lubo/relay/mp4file"
	"github.com/lubo-edge/lubo/relay/sources"
	"github.com/lubo-edge/lubo/testdata/testmedia"
)

// jumpBack is a publisher that moves every timestamp 10 s back from the
// third keyframe on, as a camera does when its encoder restarts.
type jumpBack struct {
	out    relay.Publisher
	keys   int
	jumped *atomic.Bool
}

func (j *jumpBack) Begin(t *media.Tracks) { j.out.Begin(t) }

func (j *jumpBack) WriteFrame(f *media.Frame) {
	if f.IsVideo() && f.Key {
		j.keys++
	}
	if j.keys >= 3 {
		f.DTS -= 10 * time.Second
		f.PTS -= 10 * time.Second
		j.jumped.Store(true)
	}
	j.out.WriteFrame(f)
}

// A camera whose clock jumps back inside one session: HLS marks a
// discontinuity, the recording gets a new slice, and every file decodes
// without a word from ffmpeg.
func TestClockJumpIsADiscontinuityNotABrokenFile(t *testing.T) {
	clip := testmedia.Require(t, "h264_aac.mp4")
	var jumped atomic.Bool
	reg := sources.Builtin()
	reg.Add(&sources.Scheme{
		Names: []string{"rtmp"}, Want: "rtmp",
		Check: func(*url.URL, string) string { return "" },
		Open: func(string, *url.URL, sources.Options) (relay.Source, error) {
			inner := mp4file.NewSource(clip, mp4file.WithLogger(slog.New(slog.NewTextHandler(io.Discard, nil))))
			return relay.SourceFunc(func(ctx context.Context, out relay.Publisher) error {
				return inner.Run(ctx, &jumpBack{out: out, jumped: &jumped})
			}), nil
		},
	})
	b := startBoxWith(t, "  - {id: c1, source: \"rtmp://camera/live/x\", on_demand: false}\nrecord: {slice: 0s, snapshot_interval: 0s}\n",
		Options{Sources: reg})
	s, _ := b.d.MainStream("c1")
	testkit.WaitFor(t, "c1 up", func() bool { return s.Stats().Up.Load() })
	if code, body := post(t, b.http+"/api/record/start?channel=c1&duration=1m"); code != 200 {
		t.Fatalf("start recording: %d %v", code, body)
	}
	testkit.WaitFor(t, "HLS to mark the jump", func() bool {
		_, pl := get(t, b.http+"/hls/c1/index.m3u8")
		return strings.Contains(pl, "#EXT-X-DISCONTINUITY")
	})
	if !jumped.Load() || s.Stats().Jumps.Load() != 1 {
		t.Fatalf("jumped %v, stream jumps %d", jumped.Load(), s.Stats().Jumps.Load())
	}
	testkit.WaitFor(t, "a second slice after the jump", func() bool {
		return getRecords(t, b.http+"/api/records?channel=c1").Total >= 2
	})
	if code, body := post(t, b.http+"/api/record/stop?channel=c1"); code != 200 {
		t.Fatalf("stop recording: %d %v", code, body)
	}
	var list recordsReply
	testkit.WaitFor(t, "the slices finished", func() bool {
		list = getRecords(t, b.http+"/api/records?channel=c1&state=complete")
		return list.Total >= 2 && list.Total == getRecords(t, b.http+"/api/records?channel=c1").Total
	})
	for _, r := range list.Records {
		if errs := judge.DecodeErrors(t, b.http+r.URL, 0); errs != "" {
			t.Errorf("%s decodes with errors:\n%s", r.Path, errs)
		}
	}
}
