package schedule

import (
	"cmp"
	"context"
	"errors"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// PlannerOptions tune a Planner. The zero value works.
type PlannerOptions struct {
	// PreRoll is how long before a course's start its Start event is sent,
	// so the source is up when the course begins. Default 0.
	PreRoll time.Duration
	// Refresh is how often the source is read again. It also bounds every
	// wait, so a step of the wall clock (NTP setting the time after boot) is
	// noticed within Refresh. Default 1m.
	Refresh time.Duration
	// Now tells the time. Default time.Now.
	Now func() time.Time
	// Sleep waits for d, or until ctx is done and then returns ctx.Err().
	// With Now it is the Planner's whole clock, so tests can drive a fake
	// one. Default: a time.Timer.
	Sleep func(ctx context.Context, d time.Duration) error
	// Logger receives problems with courses and every event. Default
	// slog.Default().
	Logger *slog.Logger
}

// Planner follows the timetable from a CourseSource and tells the recorder,
// through Events, when each lesson starts and stops. It is level-triggered:
// at every wake it compares the lessons that should be recording now with
// those it has started, so a reboot mid-lesson, an edit and a removal all
// come out right.
type Planner struct {
	src    CourseSource
	loc    *time.Location
	opts   PlannerOptions
	log    *slog.Logger
	events chan Event
	ran    atomic.Bool

	mu    sync.Mutex
	table *Timetable // the last good one; read by Timetable

	// Owned by Run's goroutine.
	active       map[string]Occurrence // Start sent, Stop not yet; by course ID
	lastProblems string                // what was logged last, to log a change once
}

// NewPlanner returns a Planner over src in loc (nil means time.Local).
func NewPlanner(src CourseSource, loc *time.Location, opts PlannerOptions) *Planner {
	if loc == nil {
		loc = time.Local
	}
	if opts.Refresh <= 0 {
		opts.Refresh = time.Minute
	}
	if opts.PreRoll < 0 {
		opts.PreRoll = 0
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Sleep == nil {
		opts.Sleep = sleep
	}
	log := opts.Logger
	if log == nil {
		log = slog.Default()
	}
	return &Planner{
		src:    src,
		loc:    loc,
		opts:   opts,
		log:    log,
		events: make(chan Event, 16),
		table:  newTimetable(nil, loc),
		active: map[string]Occurrence{},
	}
}

// Events delivers the planner's events in order. It is closed when Run
// returns; lessons still running then get no Stop (the recorder shuts down
// with the planner and closes its own files).
func (p *Planner) Events() <-chan Event { return p.events }

// Timetable is the timetable in force: the valid courses of the last good
// read of the source.
func (p *Planner) Timetable() *Timetable {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.table
}

// Run plans until ctx is done, then returns nil. A Planner runs once.
func (p *Planner) Run(ctx context.Context) error {
	if !p.ran.CompareAndSwap(false, true) {
		return errors.New("schedule: planner already ran")
	}
	defer close(p.events)
	var nextRefresh time.Time
	for {
		now := p.opts.Now()
		if !now.Before(nextRefresh) {
			p.refresh(ctx)
			now = p.opts.Now()
			nextRefresh = now.Add(p.opts.Refresh)
		}
		if err := p.reconcile(ctx, now); err != nil {
			return nil
		}
		wait := min(p.nextWake(now, nextRefresh).Sub(now), p.opts.Refresh)
		if err := p.opts.Sleep(ctx, wait); err != nil || ctx.Err() != nil {
			return nil
		}
	}
}

// refresh reads the source and installs the valid courses as the timetable.
// When the source fails the last good timetable stays: a server that is
// offline must not stop lessons from being recorded.
func (p *Planner) refresh(ctx context.Context) {
	courses, err := p.src.Courses(ctx)
	if err != nil {
		if ctx.Err() == nil {
			p.log.Warn("schedule: cannot read the courses; keeping the last timetable", "err", err)
		}
		return
	}
	kept, problems := Split(courses)
	p.logProblems(problems)
	table := newTimetable(kept, p.loc)
	p.mu.Lock()
	p.table = table
	p.mu.Unlock()
}

// logProblems logs the problems when they differ from the last read's, so
// a bad course is reported once, not every minute.
func (p *Planner) logProblems(problems []*Error) {
	var b strings.Builder
	for _, e := range problems {
		b.WriteString(e.Error())
		b.WriteByte('\n')
	}
	if b.String() == p.lastProblems {
		return
	}
	p.lastProblems = b.String()
	for _, e := range problems {
		p.log.Warn("schedule: course skipped", "code", e.Code, "course", e.Course, "problem", e.Msg)
	}
	if len(problems) == 0 {
		p.log.Info("schedule: all courses valid")
	}
}

// reconcile sends the events that bring the started lessons in line with
// those that should be recording at now: stops first, then updates and
// starts in order of start time.
func (p *Planner) reconcile(ctx context.Context, now time.Time) error {
	// Lessons that should be recording: started at most PreRoll from now,
	// not yet ended.
	want := p.table.Between(now, now.Add(p.opts.PreRoll+1))
	wanted := make(map[string]Occurrence, len(want))
	for _, o := range want {
		wanted[o.Course.ID] = o
	}

	var stops []Occurrence
	for id, a := range p.active {
		if w, ok := wanted[id]; !ok || w.Course.Channel != a.Course.Channel {
			if now.Before(a.End) {
				a.End = now // stopped early: removed or moved
			}
			stops = append(stops, a)
			delete(p.active, id)
		}
	}
	slices.SortFunc(stops, func(a, b Occurrence) int {
		return cmp.Or(a.End.Compare(b.End), cmp.Compare(a.Course.Channel, b.Course.Channel), cmp.Compare(a.Course.ID, b.Course.ID))
	})
	for _, o := range stops {
		if err := p.send(ctx, Event{Kind: Stop, Occurrence: o}); err != nil {
			return err
		}
	}

	for _, o := range want {
		a, running := p.active[o.Course.ID]
		kind := Start
		if running {
			if sameOccurrence(a, o) {
				continue
			}
			kind = Update
		}
		p.active[o.Course.ID] = o
		if err := p.send(ctx, Event{Kind: kind, Occurrence: o}); err != nil {
			return err
		}
	}
	return nil
}

// sameOccurrence tells whether b needs no Update after a. Where is only a
// label and may shift when the list is edited.
func sameOccurrence(a, b Occurrence) bool {
	a.Course.Where, b.Course.Where = "", ""
	return a.Course == b.Course && a.Start.Equal(b.Start) && a.End.Equal(b.End)
}

func (p *Planner) send(ctx context.Context, ev Event) error {
	o := ev.Occurrence
	p.log.Info("schedule: "+ev.Kind.String(), "channel", o.Course.Channel, "course", o.Course.ID,
		"subject", o.Course.Subject, "start", o.Start, "end", o.End)
	select {
	case p.events <- ev:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// nextWake is the earliest instant something is due: a running lesson's
// end, the next Start (PreRoll before a course), or the next refresh.
func (p *Planner) nextWake(now, nextRefresh time.Time) time.Time {
	wake := nextRefresh
	for _, a := range p.active {
		if a.End.Before(wake) {
			wake = a.End
		}
	}
	if o, ok := p.table.Next(now.Add(p.opts.PreRoll)); ok {
		if due := o.Start.Add(-p.opts.PreRoll); due.Before(wake) {
			wake = due
		}
	}
	return wake
}

// sleep is the real clock's Sleep.
func sleep(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
