package recorder

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/lubo-edge/lubo/configs"
	"github.com/lubo-edge/lubo/relay"
	"github.com/lubo-edge/lubo/relay/mp4file"
	"github.com/lubo-edge/lubo/storage"
)

func testLogger(t testing.TB) *slog.Logger {
	if testing.Verbose() {
		return slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelDebug}))
	}
	return slog.New(slog.NewTextHandler(io.Discard, nil))
}

// lessonZone is a fixed zone in which it is about 10:00 now, so courses
// made by tests never cross midnight whenever the tests run.
func lessonZone() *time.Location {
	now := time.Now().UTC()
	sinceMidnight := now.Sub(now.Truncate(24 * time.Hour))
	return time.FixedZone("lesson", int((10*time.Hour - sinceMidnight).Seconds()))
}

// course returns a schedule line for ch starting lead from now (whole
// seconds) and lasting dur, with its start time.
func course(ch string, loc *time.Location, lead, dur time.Duration) (string, time.Time) {
	start := time.Now().Add(lead).Truncate(time.Second).Add(time.Second).In(loc)
	line := fmt.Sprintf("  - {channel: %s, weekday: %d, start: %q, duration: %s, subject: 语文, teacher: 张老师}\n",
		ch, int(start.Weekday()), start.Format("15:04:05"), dur)
	return line, start
}

// parseConfig builds a config with one file channel c1 playing clip.
func parseConfig(t testing.TB, dataDir, clip, record, schedule string) *configs.Config {
	t.Helper()
	yaml := fmt.Sprintf("data_dir: %s\nhttp: {listen: \"127.0.0.1:0\"}\nchannels:\n  - {id: c1, source: \"file://%s\"}\nrecord:\n%s", dataDir, clip, record)
	if schedule != "" {
		yaml += "schedule:\n" + schedule
	}
	cfg, err := configs.Parse([]byte(yaml), "test.yaml")
	if err != nil {
		t.Fatal(err)
	}
	return cfg
}

// rig is a Recorder on real streams in the test process.
type rig struct {
	t       testing.TB
	dir     string
	db      *storage.DB
	rec     *Recorder
	loc     *time.Location
	mu      sync.Mutex
	streams map[string]*relay.Stream
	cancel  context.CancelFunc
	done    chan error
}

// newRig opens the store under cfg.DataDir and makes a Recorder reading
// streams; opts adjusts its options.
func newRig(t testing.TB, cfg *configs.Config, loc *time.Location, streams map[string]*relay.Stream, opts func(*Options)) *rig {
	t.Helper()
	db, err := storage.Open(filepath.Join(cfg.DataDir, "lubo.db"), storage.Options{Logger: testLogger(t)})
	if err != nil {
		t.Fatal(err)
	}
	g := &rig{t: t, dir: cfg.DataDir, db: db, loc: loc, streams: streams}
	o := Options{
		Config: cfg, DB: db, Logger: testLogger(t), Location: loc,
		Streams: func(ch string) (*relay.Stream, bool) {
			g.mu.Lock()
			defer g.mu.Unlock()
			s, ok := g.streams[ch]
			return s, ok
		},
		RetryInterval: 200 * time.Millisecond, EndGrace: 2 * time.Second, ScheduleRefresh: 100 * time.Millisecond,
	}
	if opts != nil {
		opts(&o)
	}
	g.rec, err = New(o)
	if err != nil {
		t.Fatal(err)
	}
	return g
}

// start runs the Recorder until the test ends (or stop).
func (g *rig) start() {
	ctx, cancel := context.WithCancel(context.Background())
	g.cancel, g.done = cancel, make(chan error, 1)
	go func() { g.done <- g.rec.Run(ctx) }()
	g.t.Cleanup(g.stop)
}

// waitRecovered waits for the start-up recovery to be over.
func (g *rig) waitRecovered() {
	g.t.Helper()
	select {
	case <-g.rec.recovered:
	case <-time.After(30 * time.Second):
		g.t.Fatal("gave up waiting for the start-up recovery")
	}
}

// stop ends the Recorder, waits for it and closes the store. Safe twice.
func (g *rig) stop() {
	if g.cancel == nil {
		return
	}
	g.cancel()
	if err := <-g.done; err != nil {
		g.t.Errorf("recorder: %v", err)
	}
	g.cancel = nil
	if err := g.db.Close(); err != nil {
		g.t.Error(err)
	}
}

// fileStream runs a stream looping clip until the test ends.
func fileStream(t testing.TB, id, clip string) *relay.Stream {
	return runStream(t, relay.NewStream(id, mp4file.NewSource(clip, mp4file.WithLogger(testLogger(t))), relay.StreamOptions{Logger: testLogger(t)}))
}

// runStream runs s until the test ends.
func runStream(t testing.TB, s *relay.Stream) *relay.Stream {
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); _ = s.Run(ctx) }()
	t.Cleanup(func() { cancel(); <-done })
	return s
}

// waitFor polls cond; the deadline only turns a hang into a failure that
// says what was awaited.
func waitFor(t testing.TB, what string, limit time.Duration, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(limit)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("gave up waiting for %s", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// records lists every record of ch, oldest first.
func (g *rig) records(ch string) []*storage.Record {
	g.t.Helper()
	recs, err := g.db.ListRecords(storage.RecordQuery{Channel: ch})
	if err != nil {
		g.t.Fatal(err)
	}
	return recs
}

// finishedRecords waits until ch has n records and none is recording.
func (g *rig) finishedRecords(ch string, n int, limit time.Duration) []*storage.Record {
	g.t.Helper()
	var recs []*storage.Record
	waitFor(g.t, fmt.Sprintf("%d finished records on %s", n, ch), limit, func() bool {
		recs = g.records(ch)
		if len(recs) < n {
			return false
		}
		for _, r := range recs {
			if r.State == storage.StateRecording {
				return false
			}
		}
		return true
	})
	return recs
}

func (g *rig) abs(rel string) string { return filepath.Join(g.rec.Root(), filepath.FromSlash(rel)) }

// probe is what ffprobe says about a file.
type probe struct {
	Duration      time.Duration // of the container
	VideoFrames   int
	FirstKey      bool // the first video frame is a keyframe
	FirstPictType string
	Codecs        []string
}

func ffprobe(t testing.TB, path string) probe {
	t.Helper()
	out, err := exec.Command("ffprobe", "-v", "error", "-show_entries", "format=duration:stream=codec_name,codec_type,nb_frames",
		"-of", "json", path).Output()
	if err != nil {
		t.Fatalf("ffprobe %s: %v", path, err)
	}
	var info struct {
		Format struct {
			Duration string `json:"duration"`
		} `json:"format"`
		Streams []struct {
			CodecName string `json:"codec_name"`
			CodecType string `json:"codec_type"`
			NbFrames  string `json:"nb_frames"`
		} `json:"streams"`
	}
	if err := json.Unmarshal(out, &info); err != nil {
		t.Fatalf("ffprobe %s: %v\n%s", path, err, out)
	}
	var p probe
	secs, _ := strconv.ParseFloat(info.Format.Duration, 64)
	p.Duration = time.Duration(secs * float64(time.Second))
	for _, s := range info.Streams {
		p.Codecs = append(p.Codecs, s.CodecName)
		if s.CodecType == "video" {
			p.VideoFrames, _ = strconv.Atoi(s.NbFrames)
		}
	}
	out, err = exec.Command("ffprobe", "-v", "error", "-select_streams", "v:0", "-show_frames", "-read_intervals", "%+#1",
		"-show_entries", "frame=key_frame,pict_type", "-of", "csv=p=0", path).Output()
	if err != nil {
		t.Fatalf("ffprobe frames %s: %v", path, err)
	}
	first := strings.Split(strings.TrimSpace(string(out)), "\n")[0]
	fields := strings.Split(first, ",")
	p.FirstKey = len(fields) > 0 && fields[0] == "1"
	if len(fields) > 1 {
		p.FirstPictType = fields[1]
	}
	return p
}

// replaceDuration edits a schedule line made by course.
func replaceDuration(t testing.TB, line, from, to string) string {
	t.Helper()
	out := strings.Replace(line, "duration: "+from, "duration: "+to, 1)
	if out == line {
		t.Fatalf("no duration %s in %q", from, line)
	}
	return out
}
