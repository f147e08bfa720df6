package recorder

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/lubo-edge/lubo/configs"
	"github.com/lubo-edge/lubo/recorder/mp4"
	"github.com/lubo-edge/lubo/recorder/schedule"
	"github.com/lubo-edge/lubo/recorder/snapshot"
	"github.com/lubo-edge/lubo/relay"
	"github.com/lubo-edge/lubo/storage"
)

// Options configure a Recorder. Config, DB and Streams are required; the
// rest have production defaults and exist for tests and special boxes.
type Options struct {
	// Config gives data_dir, the record settings, the schedule and the time
	// zone. Reload replaces it.
	Config *configs.Config
	// DB is the records index.
	DB *storage.DB
	// Streams finds the stream a channel is recorded from: its main stream
	// (daemon.MainStream). Attaching to it starts an on-demand source.
	Streams func(channel string) (*relay.Stream, bool)
	// Courses supplies the timetable. Default: the config's schedule,
	// following Reload.
	Courses schedule.CourseSource
	// Snapshots makes each slice's cover. nil: no covers.
	Snapshots *snapshot.Snapshotter
	// Logger receives the log lines. Default slog.Default().
	Logger *slog.Logger

	// Location names files and reads the schedule. Default Config.Location().
	Location *time.Location
	// MP4 tunes the file writer (tests inject a failing file system here).
	MP4 mp4.Options
	// RetryInterval is the pause before a session tries a new slice after a
	// failed write or open (a full disk). Default 5s.
	RetryInterval time.Duration
	// EndGrace is how long after its end a lesson whose source sends
	// nothing is given before it is closed. Default 5s.
	EndGrace time.Duration
	// ScheduleRefresh is how often the courses are read again (a config
	// reload reaches the schedule within it). Default 5s.
	ScheduleRefresh time.Duration
	// RetentionInterval is the pause between two retention passes.
	// Default 1m.
	RetentionInterval time.Duration
	// DiskUsage reports the free and total bytes of the disk holding path.
	// Default: statfs.
	DiskUsage func(path string) (free, total uint64, err error)
	// Reserve is the free space, in bytes, the records disk must have for
	// a new slice to open; below it sessions wait (and retry every
	// RetryInterval) while retention frees space, so the slices already
	// open, the live HLS segments and the database sharing the disk keep
	// room to write. A slice is copied into its progressive form only with
	// this much left over, else finalized in place. Default: five minutes
	// of what the channels being recorded write, at least 64 MiB.
	Reserve int64
	// RecoveryWorkers is how many .part files of the last run are
	// recovered at once, in the background while recording goes on.
	// Default 1.
	RecoveryWorkers int
}

// Manual recordings: how long one runs when no duration is given, and the
// longest accepted.
const (
	DefaultManualDuration = 45 * time.Minute
	MaxManualDuration     = 24 * time.Hour
)

// Errors of Start and Stop, for callers to map (the HTTP API does).
var (
	ErrUnknownChannel   = errors.New("no such channel")
	ErrBadDuration      = errors.New("bad duration")
	ErrAlreadyRecording = errors.New("already recording")
	ErrNotRecording     = errors.New("no manual recording")
	ErrNotRunning       = errors.New("recorder is not running")
)

// Trigger values of storage.Record.
const (
	TriggerSchedule = "schedule"
	TriggerManual   = "manual"
)

// Recorder records every lesson of the timetable and manual requests. One
// per box; Run does the work.
type Recorder struct {
	opts     Options
	log      *slog.Logger
	loc      *time.Location
	root     string // {data_dir}/records
	snapDir  string // {data_dir}/snapshots
	cfg      atomic.Pointer[configs.Config]
	stats    counters
	keep     *retention
	fin      *finalizer
	manual   *manualBook
	ran      atomic.Bool
	ready    chan struct{}  // closed once Run takes sessions (Start works)
	sessions sync.WaitGroup // session goroutines

	// beforeRecover, when set (tests), is called by a recovery worker
	// before it recovers the .part at path.
	beforeRecover func(path string)
	recovered     chan struct{} // closed when the start-up recovery is over

	mu     sync.Mutex
	ctx    context.Context     // while Run accepts sessions; nil otherwise
	active map[string]*Session // by key: "course/{id}" or "manual/{channel}"
	// stopped holds lessons an admin stopped early, by key, until their
	// planned end: the timetable does not start them again meanwhile.
	stopped map[string]time.Time
}

// New checks the options; nothing runs before Run.
func New(opts Options) (*Recorder, error) {
	switch {
	case opts.Config == nil:
		return nil, errors.New("recorder: no config")
	case opts.DB == nil:
		return nil, errors.New("recorder: no records store")
	case opts.Streams == nil:
		return nil, errors.New("recorder: no stream lookup")
	}
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	if opts.Location == nil {
		opts.Location = opts.Config.Location()
	}
	if opts.RetryInterval <= 0 {
		opts.RetryInterval = 5 * time.Second
	}
	if opts.EndGrace <= 0 {
		opts.EndGrace = 5 * time.Second
	}
	if opts.ScheduleRefresh <= 0 {
		opts.ScheduleRefresh = 5 * time.Second
	}
	if opts.RetentionInterval <= 0 {
		opts.RetentionInterval = time.Minute
	}
	if opts.DiskUsage == nil {
		opts.DiskUsage = diskUsage
	}
	r := &Recorder{
		ready:   make(chan struct{}),
		opts:    opts,
		log:     opts.Logger,
		loc:     opts.Location,
		root:    filepath.Join(opts.Config.DataDir, "records"),
		snapDir: filepath.Join(opts.Config.DataDir, "snapshots"),
		active:  map[string]*Session{},
		stopped: map[string]time.Time{},

		recovered: make(chan struct{}),
	}
	r.cfg.Store(opts.Config)
	if r.opts.Courses == nil {
		r.opts.Courses = schedule.SourceFunc(r.configCourses)
	}
	r.stats.failures = map[string]uint64{}
	r.keep = newRetention(r)
	r.fin = newFinalizer(r)
	r.manual = newManualBook(r.root)
	return r, nil
}

// Root is the folder recordings are written under, {data_dir}/records.
func (r *Recorder) Root() string { return r.root }

// Reload applies a new config: record settings take effect at the next
// slice, courses at the next schedule refresh. data_dir, timezone and
// pre_roll change only on restart.
func (r *Recorder) Reload(cfg *configs.Config) {
	old := r.cfg.Swap(cfg)
	if old.DataDir != cfg.DataDir || old.Timezone != cfg.Timezone || old.Record.PreRoll != cfg.Record.PreRoll {
		r.log.Warn("config reload: data_dir, timezone and record.pre_roll change only on restart; keeping the old ones")
	}
}

func (r *Recorder) settings() configs.Record { return r.cfg.Load().Record }

// configCourses is the default CourseSource: the schedule of the config in
// force.
func (r *Recorder) configCourses(context.Context) ([]schedule.Course, error) {
	courses, err := schedule.FromConfig(r.cfg.Load().Schedule, r.loc)
	if err != nil {
		// The planner validates again and logs each bad course once; the
		// courses that did convert still count.
		r.log.Debug("schedule: some config courses do not convert", "err", err)
	}
	return courses, nil
}

// Ready is closed once Run accepts recordings: the daemon serves its HTTP
// API after it, so a manual start never meets "not running" at boot.
func (r *Recorder) Ready() <-chan struct{} { return r.ready }

// Run records until ctx is done, recovering what the last run left in the
// background meanwhile (recording and Ready do not wait for it); on the way
// out every open slice is closed and finalized. It returns nil then.
func (r *Recorder) Run(ctx context.Context) error {
	if !r.ran.CompareAndSwap(false, true) {
		return errors.New("recorder: already ran")
	}
	if err := os.MkdirAll(r.root, 0o755); err != nil {
		return fmt.Errorf("recorder: %w", err)
	}
	// Found before any session opens a slice, recovered while they record:
	// a lesson still on continues in a new slice beside the recovered one.
	left := r.findLeftovers()
	r.stats.recovering.Store(int64(len(left.parts)))

	var helpers sync.WaitGroup
	helpers.Add(1)
	go func() { defer helpers.Done(); r.recoverAll(ctx, left) }()
	helpers.Add(1)
	go func() { defer helpers.Done(); r.fin.run() }()
	keepCtx, stopKeep := context.WithCancel(context.Background())
	helpers.Add(1)
	go func() { defer helpers.Done(); r.keep.run(keepCtx, r.opts.RetentionInterval) }()

	planner := schedule.NewPlanner(r.opts.Courses, r.loc, schedule.PlannerOptions{
		PreRoll: r.settings().PreRoll, Refresh: r.opts.ScheduleRefresh, Logger: r.log,
	})
	r.mu.Lock()
	r.ctx = ctx
	r.resumeManual(ctx)
	r.mu.Unlock()
	close(r.ready)
	planned := make(chan struct{})
	go func() { defer close(planned); _ = planner.Run(ctx) }()
	for ev := range planner.Events() {
		r.apply(ctx, ev)
	}
	<-planned

	r.mu.Lock()
	r.ctx = nil // no new sessions from here
	r.mu.Unlock()
	r.sessions.Wait()
	r.fin.close()
	stopKeep()
	helpers.Wait()
	return nil
}

// apply carries out one planner event.
func (r *Recorder) apply(ctx context.Context, ev schedule.Event) {
	o := ev.Occurrence
	key := "course/" + o.Course.ID
	r.mu.Lock()
	defer r.mu.Unlock()
	s := r.active[key]
	if s != nil && s.isOver() {
		s = nil // closing its last slice; a new session continues
	}
	if s != nil && s.Status().Channel != o.Course.Channel {
		s.SetEnd(time.Now()) // the course moved to another channel
		s = nil
	}
	if until, ok := r.stopped[key]; ok {
		if time.Now().Before(until) && ev.Kind != schedule.Stop {
			return // stopped early by an admin: not restarted by the timetable
		}
		delete(r.stopped, key)
	}
	switch ev.Kind {
	case schedule.Start, schedule.Update:
		if s != nil {
			s.update(o.Course.Subject, o.Course.Teacher, o.End)
			return
		}
		if r.ctx == nil || !time.Now().Before(o.End) {
			return
		}
		r.startLocked(ctx, key, Spec{
			Channel: o.Course.Channel, CourseID: o.Course.ID, Subject: o.Course.Subject,
			Teacher: o.Course.Teacher, Trigger: TriggerSchedule, Start: o.Start, End: o.End,
		})
	case schedule.Stop:
		if s != nil {
			s.SetEnd(o.End)
		}
	}
}

// startLocked starts a session; r.mu is held and r.ctx is set.
func (r *Recorder) startLocked(ctx context.Context, key string, spec Spec) *Session {
	s := newSession(r, spec)
	r.active[key] = s
	r.sessions.Add(1)
	go func() {
		defer r.sessions.Done()
		s.run(ctx)
		if spec.Trigger == TriggerManual && ctx.Err() == nil {
			// Over, or stopped: nothing to resume. On shutdown the entry
			// stays, for the next start to go on with.
			if err := r.manual.remove(spec.Channel, spec.Start); err != nil {
				r.log.Error("manual recording ended but is still remembered for a resume", "channel", spec.Channel, "err", err)
			}
		}
		r.mu.Lock()
		if r.active[key] == s {
			delete(r.active, key)
		}
		r.mu.Unlock()
	}()
	return s
}

// Start records channel for dur from now (0 means DefaultManualDuration)
// and returns the session's id. It fails with ErrUnknownChannel,
// ErrBadDuration, ErrAlreadyRecording (a manual recording, or a lesson
// being recorded, on the channel) or ErrNotRunning, each wrapped with the
// details.
func (r *Recorder) Start(channel string, dur time.Duration) (string, error) {
	if dur == 0 {
		dur = DefaultManualDuration
	}
	if dur < time.Second || dur > MaxManualDuration {
		return "", fmt.Errorf("%w: %v is outside 1s to %v", ErrBadDuration, dur, MaxManualDuration)
	}
	if _, ok := r.opts.Streams(channel); !ok {
		return "", fmt.Errorf("%w: %q", ErrUnknownChannel, channel)
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.ctx == nil {
		return "", ErrNotRunning
	}
	for _, s := range r.active {
		st := s.Status()
		if st.Channel != channel || st.Phase == PhaseOver {
			continue
		}
		if st.Trigger == TriggerManual || st.Phase == PhaseRecording || st.Phase == PhaseGap {
			return "", fmt.Errorf("%w: channel %s: %s recording %s since %s", ErrAlreadyRecording, channel,
				st.Trigger, st.ID, st.Start.In(r.loc).Format(time.DateTime))
		}
	}
	now := time.Now()
	spec := Spec{Channel: channel, Trigger: TriggerManual, Start: now, End: now.Add(dur)}
	if err := r.manual.put(manualEntry{Channel: channel, Start: now, End: spec.End}); err != nil {
		// Recording matters more than resuming it after a crash.
		r.log.Error("manual recording will not resume after a crash", "channel", channel, "err", err)
	}
	s := r.startLocked(r.ctx, "manual/"+channel, spec)
	return s.ID(), nil
}

// Stop ends the manual recording of channel at the next keyframe. Lessons
// of the timetable are stopped by the timetable only, so a stray click
// cannot lose one. It fails with ErrNotRecording.
func (r *Recorder) Stop(channel string) error {
	r.mu.Lock()
	s := r.active["manual/"+channel]
	r.mu.Unlock()
	if s == nil || s.isOver() {
		return fmt.Errorf("%w on channel %q", ErrNotRecording, channel)
	}
	// Forgotten at once, so a crash right after the stop does not resume it.
	if err := r.manual.remove(channel, s.Status().Start); err != nil {
		r.log.Error("stopped manual recording is still remembered for a resume", "channel", channel, "err", err)
	}
	s.SetEnd(time.Now())
	return nil
}

// resumeManual starts again the manual recordings the last run was making
// whose end is still ahead: they continue in the next slice number. r.mu
// is held and r.ctx is set.
func (r *Recorder) resumeManual(ctx context.Context) {
	entries, err := r.manual.load()
	if err != nil {
		r.log.Error("manual recordings of the last run are not resumed", "err", err)
	}
	now := time.Now()
	var ahead []manualEntry
	for _, e := range entries {
		if !validChannelID(e.Channel) || !now.Before(e.End) || !e.Start.Before(e.End) || e.End.Sub(e.Start) > MaxManualDuration {
			continue
		}
		if _, ok := r.active["manual/"+e.Channel]; ok {
			continue
		}
		ahead = append(ahead, e)
		r.log.Info("manual recording of the last run resumed", "channel", e.Channel, "start", e.Start, "end", e.End)
		r.startLocked(ctx, "manual/"+e.Channel, Spec{Channel: e.Channel, Trigger: TriggerManual, Start: e.Start, End: e.End})
	}
	if len(ahead) != len(entries) {
		if err := r.manual.keep(ahead); err != nil {
			r.log.Error("manual recordings: cannot forget the finished ones", "err", err)
		}
	}
}

// Sessions describes the sessions running now, by channel then start.
func (r *Recorder) Sessions() []SessionStatus {
	r.mu.Lock()
	out := make([]SessionStatus, 0, len(r.active))
	for _, s := range r.active {
		out = append(out, s.Status())
	}
	r.mu.Unlock()
	slices.SortFunc(out, func(a, b SessionStatus) int {
		if a.Channel != b.Channel {
			if a.Channel < b.Channel {
				return -1
			}
			return 1
		}
		return a.Start.Compare(b.Start)
	})
	return out
}

// Records lists recordings from the index, with the total q matches
// (ignoring its Limit and Offset).
func (r *Recorder) Records(q storage.RecordQuery) ([]*storage.Record, int, error) {
	recs, err := r.opts.DB.ListRecords(q)
	if err != nil {
		return nil, 0, err
	}
	n, err := r.opts.DB.CountRecords(q)
	if err != nil {
		return nil, 0, err
	}
	return recs, n, nil
}
