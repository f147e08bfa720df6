package snapshot

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"time"

	"github.com/lubo-edge/lubo/media"
)

// Options configures a Snapshotter. Zero values mean the documented default.
type Options struct {
	// Dir holds the pictures, normally {data_dir}/snapshots. Required.
	Dir string
	// Interval is the time between two pictures of a channel. 0 turns the
	// periodic pictures off (covers are still made).
	Interval time.Duration
	// Decoder makes the JPEGs. nil turns all pictures off: ffmpeg is missing.
	Decoder *Decoder
	// Logger receives the log lines. Default slog.Default().
	Logger *slog.Logger
	// Now is the clock; its time zone names the day folders and files.
	// Default time.Now.
	Now func() time.Time
	// OnTaken, when set, is called after each periodic picture is saved,
	// e.g. to queue its upload. It runs on the Snapshotter's goroutine and
	// should return quickly.
	OnTaken func(Taken)
	// OnCover, when set, is called with the path of each recording cover
	// saved (to queue its upload). Same rules as OnTaken.
	OnCover func(path string)
}

// Taken describes one saved picture.
type Taken struct {
	Channel string
	Time    time.Time // when it was taken, in the clock's time zone
	Latest  string    // {Dir}/{ch}.jpg
	Archive string    // {Dir}/{ch}/{YYYY-MM-DD}/{HHMMSS}.jpg
}

// ErrNoKeyframe means a channel had no picture to take: its source is not
// running or has not sent a keyframe yet.
var ErrNoKeyframe = errors.New("no keyframe yet")

// Snapshotter takes a JPEG of every registered channel each Interval.
type Snapshotter struct {
	opts    Options
	log     *slog.Logger
	offOnce sync.Once

	mu       sync.Mutex
	channels map[string]*channel
	totals   counts
	covers   counts
}

// channel is one registered channel and its counters, guarded by mu.
type channel struct {
	latest  func() *media.Frame
	last    *media.Frame // the keyframe of the last picture
	stats   ChannelStats
	failing bool
}

// NewSnapshotter makes a Snapshotter; it takes pictures once Run is called.
func NewSnapshotter(opts Options) *Snapshotter {
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	return &Snapshotter{opts: opts, log: opts.Logger, channels: make(map[string]*channel)}
}

// Add registers a channel, or replaces its provider. latest returns the
// channel's newest keyframe or nil when there is none; it is called from
// the Snapshotter's goroutine.
func (s *Snapshotter) Add(ch string, latest func() *media.Frame) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if c, ok := s.channels[ch]; ok {
		c.latest = latest
		return
	}
	s.channels[ch] = &channel{latest: latest}
}

// Remove forgets a channel and its counters; its pictures stay on disk.
func (s *Snapshotter) Remove(ch string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.channels, ch)
}

// Latest is the path of a channel's newest picture, for GET
// /snapshots/{ch}.jpg; ok is false when there is none or ch is not a
// channel id.
func (s *Snapshotter) Latest(ch string) (path string, ok bool) {
	if !validChannel(ch) {
		return "", false
	}
	path = s.latestPath(ch)
	st, err := os.Stat(path)
	if err != nil || !st.Mode().IsRegular() {
		return "", false
	}
	return path, true
}

func (s *Snapshotter) latestPath(ch string) string {
	return filepath.Join(s.opts.Dir, ch+".jpg")
}

// archivePath is {Dir}/{ch}/{YYYY-MM-DD}/{HHMMSS}.jpg.
func (s *Snapshotter) archivePath(ch string, t time.Time) string {
	return filepath.Join(s.opts.Dir, ch, t.Format("2006-01-02"), t.Format("150405")+".jpg")
}

// offReason says why periodic pictures are off, "" when they are on.
func (s *Snapshotter) offReason() string {
	switch {
	case s.opts.Decoder == nil:
		return ErrDisabled.Error()
	case s.opts.Interval <= 0:
		return "snapshots off: record.snapshot_interval is 0"
	case s.opts.Dir == "":
		return "snapshots off: no snapshot folder"
	}
	return ""
}

// Run takes a picture of every channel at once and then every Interval,
// until ctx is done. When pictures are off it says why once and waits.
func (s *Snapshotter) Run(ctx context.Context) error {
	if reason := s.offReason(); reason != "" {
		s.offOnce.Do(func() { s.log.Warn(reason) })
		<-ctx.Done()
		return nil
	}
	s.log.Info("snapshots on", "interval", s.opts.Interval, "dir", s.opts.Dir,
		"ffmpeg", s.opts.Decoder.Stats().FFmpeg)
	tick := time.NewTicker(s.opts.Interval)
	defer tick.Stop()
	// A channel without a picture yet (its camera was still connecting at
	// the last round) gets one as soon as it has a keyframe, not a whole
	// interval later.
	first := time.NewTicker(min(s.opts.Interval, firstPictureRetry))
	defer first.Stop()
	s.round(ctx)
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-tick.C:
			s.round(ctx)
		case <-first.C:
			s.catchUp(ctx)
		}
	}
}

// firstPictureRetry is how often channels without a picture are looked at.
const firstPictureRetry = 5 * time.Second

// catchUp takes the first picture of each channel that has none yet but has
// a keyframe now. Channels still without a keyframe are not counted as
// skipped here: the regular round does that.
func (s *Snapshotter) catchUp(ctx context.Context) {
	// Providers are called without s.mu: they take their owner's locks.
	s.mu.Lock()
	pictureless := map[string]func() *media.Frame{}
	for ch, c := range s.channels {
		if c.last == nil {
			pictureless[ch] = c.latest
		}
	}
	s.mu.Unlock()
	var due []string
	for ch, latest := range pictureless {
		if latest() != nil {
			due = append(due, ch)
		}
	}
	slices.Sort(due)
	for _, ch := range due {
		if ctx.Err() != nil {
			return
		}
		if taken, err := s.take(ctx, ch, true); err == nil && s.opts.OnTaken != nil {
			s.opts.OnTaken(taken)
		}
	}
}

// round takes one picture of each channel, one after the other: the
// decoder runs one ffmpeg at a time anyway.
func (s *Snapshotter) round(ctx context.Context) {
	s.mu.Lock()
	names := make([]string, 0, len(s.channels))
	for ch := range s.channels {
		names = append(names, ch)
	}
	s.mu.Unlock()
	slices.Sort(names)
	for _, ch := range names {
		if ctx.Err() != nil {
			return
		}
		taken, err := s.take(ctx, ch, true)
		if err == nil && s.opts.OnTaken != nil {
			s.opts.OnTaken(taken)
		}
	}
}

// Take takes a picture of one channel now, outside the schedule (an API
// call asking for a fresh one).
func (s *Snapshotter) Take(ctx context.Context, ch string) (Taken, error) {
	if s.opts.Decoder == nil {
		return Taken{}, ErrDisabled
	}
	return s.take(ctx, ch, false)
}

// take saves one picture of ch. With skipSame, a keyframe already pictured
// is skipped: a stalled source keeps its old GOP cached, and filing that
// picture again under a new time would show the past as the present.
func (s *Snapshotter) take(ctx context.Context, ch string, skipSame bool) (Taken, error) {
	s.mu.Lock()
	c, ok := s.channels[ch]
	var latest func() *media.Frame
	if ok {
		latest = c.latest // Add may replace it meanwhile
	}
	s.mu.Unlock()
	if !ok {
		return Taken{}, fmt.Errorf("snapshot: channel %s is not registered", ch)
	}
	f := latest()
	if f == nil {
		s.count(ch, c, outcomeSkipped, nil, time.Time{})
		return Taken{}, fmt.Errorf("snapshot: channel %s: %w", ch, ErrNoKeyframe)
	}
	s.mu.Lock()
	same := c.last == f
	s.mu.Unlock()
	if skipSame && same {
		s.count(ch, c, outcomeUnchanged, nil, time.Time{})
		return Taken{}, fmt.Errorf("snapshot: channel %s: no new keyframe since the last picture", ch)
	}
	taken, err := s.save(ctx, ch, f)
	if err != nil {
		err = fmt.Errorf("snapshot: channel %s: %w", ch, err)
		if ctx.Err() != nil {
			return Taken{}, err // shutting down: not the channel's fault
		}
		s.count(ch, c, outcomeFailed, err, time.Time{})
		return Taken{}, err
	}
	s.mu.Lock()
	c.last = f
	s.mu.Unlock()
	s.count(ch, c, outcomeTaken, nil, taken.Time)
	return taken, nil
}

// save decodes f and writes the latest picture and the day's copy.
func (s *Snapshotter) save(ctx context.Context, ch string, f *media.Frame) (Taken, error) {
	if !validChannel(ch) {
		return Taken{}, fmt.Errorf("%q cannot name a file: a channel id is 1 to 64 of [a-z0-9_-]", ch)
	}
	jpeg, err := s.opts.Decoder.JPEG(ctx, f)
	if err != nil {
		return Taken{}, err
	}
	now := s.opts.Now()
	t := Taken{Channel: ch, Time: now, Latest: s.latestPath(ch), Archive: s.archivePath(ch, now)}
	if err := writeFile(t.Archive, jpeg); err != nil {
		return Taken{}, err
	}
	if err := writeFile(t.Latest, jpeg); err != nil {
		return Taken{}, err
	}
	return t, nil
}

// Cover writes the cover picture of a recording, from its first keyframe,
// to path (the recording's name with .jpg), replacing any older one whole.
func (s *Snapshotter) Cover(ctx context.Context, f *media.Frame, path string) error {
	err := s.cover(ctx, f, path)
	s.mu.Lock()
	if err != nil {
		s.covers.Failed++
	} else {
		s.covers.Taken++
	}
	s.mu.Unlock()
	if err == nil && s.opts.OnCover != nil {
		s.opts.OnCover(path)
	}
	return err
}

func (s *Snapshotter) cover(ctx context.Context, f *media.Frame, path string) error {
	if s.opts.Decoder == nil {
		return ErrDisabled
	}
	jpeg, err := s.opts.Decoder.JPEG(ctx, f)
	if err != nil {
		return fmt.Errorf("cover %s: %w", path, err)
	}
	if err := writeFile(path, jpeg); err != nil {
		return fmt.Errorf("cover %s: %w", path, err)
	}
	return nil
}
