package snapshot

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/lubo-edge/lubo/media"
)

// stepClock starts at a fixed time in a fixed zone and moves one minute
// each time it is read.
type stepClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *stepClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	t := c.now
	c.now = c.now.Add(time.Minute)
	return t
}

// cycle is a keyframe provider that hands out a new keyframe on each call.
func cycle(keys []*media.Frame) func() *media.Frame {
	var mu sync.Mutex
	i := 0
	return func() *media.Frame {
		mu.Lock()
		defer mu.Unlock()
		f := keys[i%len(keys)]
		i++
		return f
	}
}

func TestSnapshotterRunFilesPicturesByDayInItsTimeZone(t *testing.T) {
	dir := t.TempDir()
	// 23:59:30 UTC on the 4th is 07:59:30 on the 5th in China: the day
	// folder must follow the clock's zone, not UTC.
	cst := time.FixedZone("CST", 8*3600)
	clock := &stepClock{now: time.Date(2025, 3, 4, 23, 59, 30, 0, time.UTC).In(cst)}
	taken := make(chan Taken, 64)
	s := NewSnapshotter(Options{
		Dir:      dir,
		Interval: 20 * time.Millisecond,
		Decoder:  newDecoder(t, DecoderOptions{}),
		Logger:   quietLogger(),
		Now:      clock.Now,
		OnTaken: func(tk Taken) {
			select {
			case taken <- tk:
			default:
			}
		},
	})
	s.Add("c101", cycle(keyframes(t, "h264_aac.mp4")))
	s.Add("c102", cycle(keyframes(t, "h265_aac.mp4")))
	s.Add("c103", func() *media.Frame { return nil }) // no picture yet

	ctx, cancel := context.WithCancel(context.Background())
	runErr := make(chan error, 1)
	go func() { runErr <- s.Run(ctx) }()

	// A viewer reads the latest picture all along: it must never see half
	// of one.
	stopReading := make(chan struct{})
	badRead := make(chan string, 1)
	var readers sync.WaitGroup
	readers.Go(func() {
		for {
			select {
			case <-stopReading:
				return
			default:
			}
			b, err := os.ReadFile(filepath.Join(dir, "c101.jpg"))
			if err == nil && checkJPEG(b) != nil {
				badRead <- checkJPEG(b).Error()
				return
			}
		}
	})

	var first, last Taken
	for n := 0; n < 3; {
		select {
		case tk := <-taken:
			if tk.Channel != "c101" {
				continue
			}
			if n == 0 {
				first = tk
			}
			last = tk
			n++
		case <-time.After(30 * time.Second):
			t.Fatal("no three pictures of c101 within 30s")
		}
	}
	cancel()
	if err := <-runErr; err != nil {
		t.Fatalf("Run: %v", err)
	}
	close(stopReading)
	readers.Wait()
	select {
	case msg := <-badRead:
		t.Fatalf("a viewer read a broken latest picture: %s", msg)
	default:
	}

	wantFirst := filepath.Join(dir, "c101", "2025-03-05", "075930.jpg")
	if first.Archive != wantFirst || first.Latest != filepath.Join(dir, "c101.jpg") {
		t.Fatalf("first picture filed as %+v, want archive %s", first, wantFirst)
	}
	for _, p := range []string{wantFirst, last.Archive} {
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		if w, h := pictureSize(t, b); w != 320 || h != 240 {
			t.Fatalf("%s is %dx%d", p, w, h)
		}
	}
	latest, ok := s.Latest("c101")
	if !ok {
		t.Fatal("Latest(c101) not found")
	}
	gotLatest, _ := os.ReadFile(latest)
	gotLast, _ := os.ReadFile(last.Archive)
	if !bytes.Equal(gotLatest, gotLast) {
		t.Fatal("the latest picture is not the last one filed")
	}
	if _, ok := s.Latest("c103"); ok {
		t.Fatal("a channel without keyframes has a latest picture")
	}
	assertNoTemporaries(t, dir)

	st := s.Stats()
	if !st.Enabled || st.Channels["c101"].Taken < 3 || st.Channels["c102"].Taken < 1 {
		t.Fatalf("stats %+v", st)
	}
	if c := st.Channels["c103"]; c.Skipped < 1 || c.Taken != 0 || c.Failed != 0 {
		t.Fatalf("channel without keyframe: %+v, want skipped only", c)
	}
	if st.Taken < 4 || st.Skipped < 1 || st.Failed != 0 {
		t.Fatalf("totals %+v", st)
	}
}

func assertNoTemporaries(t *testing.T, dir string) {
	t.Helper()
	filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err == nil && strings.HasSuffix(p, ".tmp") {
			t.Errorf("temporary file left: %s", p)
		}
		return nil
	})
}

func TestSnapshotterDoesNotFileAStalledKeyframeAgain(t *testing.T) {
	dir := t.TempDir()
	clock := &stepClock{now: time.Date(2025, 3, 5, 8, 0, 0, 0, time.UTC)}
	s := NewSnapshotter(Options{Dir: dir, Interval: time.Minute, Decoder: newDecoder(t, DecoderOptions{}), Logger: quietLogger(), Now: clock.Now})
	key := keyframes(t, "h264_aac.mp4")[0]
	s.Add("c101", func() *media.Frame { return key })
	ctx := context.Background()
	s.round(ctx)
	s.round(ctx)
	c := s.Stats().Channels["c101"]
	if c.Taken != 1 || c.Unchanged != 1 {
		t.Fatalf("stats %+v, want 1 taken 1 unchanged", c)
	}
	files, _ := filepath.Glob(filepath.Join(dir, "c101", "2025-03-05", "*.jpg"))
	if len(files) != 1 {
		t.Fatalf("archive %v, want one picture", files)
	}
	// Asked for explicitly, the same keyframe is pictured again.
	if _, err := s.Take(ctx, "c101"); err != nil {
		t.Fatal(err)
	}
}

func TestSnapshotterLogsFailureOnceAndRecovery(t *testing.T) {
	var lines logLines
	s := NewSnapshotter(Options{Dir: t.TempDir(), Interval: time.Minute, Decoder: newDecoder(t, DecoderOptions{}), Logger: lines.logger()})
	garbage := []*media.Frame{
		{Codec: media.H264, Key: true, Data: media.AppendAnnexB(nil, sps264, pps264, idr264)},
		{Codec: media.H264, Key: true, Data: media.AppendAnnexB(nil, sps264, pps264, idr264, idr264)},
	}
	good := keyframes(t, "h264_aac.mp4")[0]
	frames := cycle(append(garbage, good))
	s.Add("c101", frames)
	ctx := context.Background()
	for range 3 {
		s.round(ctx)
	}
	log := lines.String()
	if n := strings.Count(log, "level=WARN msg=\"snapshot failed\""); n != 1 {
		t.Fatalf("%d warnings for two failures in a row, want 1:\n%s", n, log)
	}
	if !strings.Contains(log, "snapshots work again") || !strings.Contains(log, "channel=c101") {
		t.Fatalf("recovery not logged with the channel:\n%s", log)
	}
	c := s.Stats().Channels["c101"]
	if c.Failed != 2 || c.Taken != 1 || c.LastError != "" {
		t.Fatalf("stats %+v", c)
	}
}

func TestSnapshotterWithoutFFmpegSaysSoOnce(t *testing.T) {
	var lines logLines
	s := NewSnapshotter(Options{Dir: t.TempDir(), Interval: time.Millisecond, Logger: lines.logger()})
	s.Add("c101", func() *media.Frame { return keyframes(t, "h264_aac.mp4")[0] })
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	for range 2 { // a restarted Run does not say it again
		if err := s.Run(ctx); err != nil {
			t.Fatal(err)
		}
	}
	const msg = "snapshots off: ffmpeg not found on PATH (install the Debian package ffmpeg)"
	if n := strings.Count(lines.String(), msg); n != 1 {
		t.Fatalf("said %d times, want once:\n%s", n, lines.String())
	}
	st := s.Stats()
	if st.Enabled || st.Reason != msg || st.Taken != 0 {
		t.Fatalf("stats %+v, want disabled with the reason", st)
	}
	if err := s.Cover(context.Background(), keyframes(t, "h264_aac.mp4")[0], filepath.Join(t.TempDir(), "x.jpg")); !errors.Is(err, ErrDisabled) {
		t.Fatalf("Cover: %v, want ErrDisabled", err)
	}
	if _, err := s.Take(context.Background(), "c101"); !errors.Is(err, ErrDisabled) {
		t.Fatalf("Take: %v, want ErrDisabled", err)
	}

	noInterval := NewSnapshotter(Options{Dir: t.TempDir(), Decoder: newDecoder(t, DecoderOptions{}), Logger: quietLogger()})
	if st := noInterval.Stats(); st.Enabled || !strings.Contains(st.Reason, "snapshot_interval") {
		t.Fatalf("interval 0: stats %+v", st)
	}
}

func TestCoverBesideTheRecording(t *testing.T) {
	s := NewSnapshotter(Options{Dir: t.TempDir(), Decoder: newDecoder(t, DecoderOptions{}), Logger: quietLogger()})
	day := filepath.Join(t.TempDir(), "records", "c101", "2025-03-05")
	cover := filepath.Join(day, "080000_1.jpg")
	for _, clip := range []string{"h264_aac.mp4", "h265_aac.mp4"} { // the second replaces the first
		if err := s.Cover(context.Background(), keyframes(t, clip)[0], cover); err != nil {
			t.Fatal(err)
		}
		b, err := os.ReadFile(cover)
		if err != nil {
			t.Fatal(err)
		}
		if w, h := pictureSize(t, b); w != 320 || h != 240 {
			t.Fatalf("cover %dx%d", w, h)
		}
	}
	broken := filepath.Join(day, "090000_1.jpg")
	bad := &media.Frame{Codec: media.H264, Key: true, Data: media.AppendAnnexB(nil, sps264, pps264, idr264)}
	if err := s.Cover(context.Background(), bad, broken); err == nil || !strings.Contains(err.Error(), broken) {
		t.Fatalf("broken keyframe: err %v, want one naming the cover", err)
	}
	if _, err := os.Stat(broken); !os.IsNotExist(err) {
		t.Fatalf("a failed cover left a file: %v", err)
	}
	assertNoTemporaries(t, day)
	if st := s.Stats(); st.CoversTaken != 2 || st.CoversFailed != 1 {
		t.Fatalf("stats %+v", st)
	}
}

func TestSnapshotterChannelsComeAndGo(t *testing.T) {
	dir := t.TempDir()
	s := NewSnapshotter(Options{Dir: dir, Interval: time.Minute, Decoder: newDecoder(t, DecoderOptions{}), Logger: quietLogger()})
	ctx := context.Background()
	if _, err := s.Take(ctx, "c101"); err == nil || !strings.Contains(err.Error(), "not registered") {
		t.Fatalf("unregistered: %v", err)
	}
	s.Add("c101", func() *media.Frame { return nil })
	if _, err := s.Take(ctx, "c101"); !errors.Is(err, ErrNoKeyframe) {
		t.Fatalf("no keyframe: %v, want ErrNoKeyframe", err)
	}
	s.Add("c101", cycle(keyframes(t, "h264_aac.mp4"))) // replaces the provider, keeps the counters
	if _, err := s.Take(ctx, "c101"); err != nil {
		t.Fatal(err)
	}
	if c := s.Stats().Channels["c101"]; c.Skipped != 1 || c.Taken != 1 {
		t.Fatalf("stats %+v", c)
	}
	s.Remove("c101")
	st := s.Stats()
	if _, ok := st.Channels["c101"]; ok || st.Taken != 1 || st.Skipped != 1 {
		t.Fatalf("after Remove: %+v, want the channel gone and the totals kept", st)
	}
	if _, ok := s.Latest("c101"); !ok {
		t.Fatal("the picture of a removed channel is gone")
	}

	// A name that cannot be a file is refused, not written somewhere else.
	s.Add("../c102", cycle(keyframes(t, "h264_aac.mp4")))
	if _, err := s.Take(ctx, "../c102"); err == nil || !strings.Contains(err.Error(), "cannot name a file") {
		t.Fatalf("bad name: %v", err)
	}
	if _, err := os.Stat(filepath.Join(filepath.Dir(dir), "c102.jpg")); !os.IsNotExist(err) {
		t.Fatal("a picture escaped the snapshot folder")
	}
}

// A camera still connecting at the first round gets its first picture as
// soon as it has a keyframe, not a whole interval later; a channel with a
// picture already is left to the regular rounds.
func TestSnapshotterCatchesUpOnFirstPicture(t *testing.T) {
	dir := t.TempDir()
	clock := &stepClock{now: time.Date(2025, 3, 5, 8, 0, 0, 0, time.UTC)}
	s := NewSnapshotter(Options{Dir: dir, Interval: time.Hour, Decoder: newDecoder(t, DecoderOptions{}), Logger: quietLogger(), Now: clock.Now})
	key := keyframes(t, "h264_aac.mp4")[0]
	var mu sync.Mutex
	var late *media.Frame // the camera has no picture yet
	s.Add("late", func() *media.Frame { mu.Lock(); defer mu.Unlock(); return late })
	s.Add("early", func() *media.Frame { return key })
	ctx := context.Background()
	s.round(ctx)
	if _, ok := s.Latest("late"); ok {
		t.Fatal("a picture without a keyframe")
	}
	s.catchUp(ctx) // still nothing: not counted again as skipped
	if st := s.Stats().Channels["late"]; st.Skipped != 1 {
		t.Fatalf("late: %d skipped, want 1 (the round only)", st.Skipped)
	}
	mu.Lock()
	late = key
	mu.Unlock()
	s.catchUp(ctx)
	if _, ok := s.Latest("late"); !ok {
		t.Fatal("no first picture once the keyframe came")
	}
	if st := s.Stats().Channels["early"]; st.Taken != 1 || st.Unchanged != 0 {
		t.Fatalf("early: %+v, want just the round's picture", st)
	}
}
