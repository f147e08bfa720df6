package recorder

import (
	"context"
	"errors"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/lubo-edge/lubo/media"
	"github.com/lubo-edge/lubo/recorder/mp4"
	"github.com/lubo-edge/lubo/relay"
	"github.com/lubo-edge/lubo/segmenter"
)

// Spec says what a Session records.
type Spec struct {
	Channel  string
	CourseID string // "" for a manual recording
	Subject  string
	Teacher  string
	Trigger  string // TriggerSchedule or TriggerManual
	// Start is the lesson's start: the first file begins on the keyframe at
	// or just before it. It also names the files (HHMMSS).
	Start time.Time
	// End is the lesson's end: the last file ends on the first keyframe at
	// or after it (or End+EndGrace when the source sends nothing).
	End time.Time
}

// Phase is where a session is.
type Phase string

const (
	PhaseWaiting   Phase = "waiting"   // attached before the start (pre-roll)
	PhaseRecording Phase = "recording" // a slice is being written
	PhaseGap       Phase = "gap"       // between slices: after a reconnect, or retrying a failed disk
	PhaseOver      Phase = "over"      // done; the last slice is being finalized
)

// SessionStatus is a snapshot of a session for the API and dashboard.
type SessionStatus struct {
	ID       string        `json:"id"`
	Channel  string        `json:"channel"`
	CourseID string        `json:"course_id,omitempty"`
	Subject  string        `json:"subject,omitempty"`
	Teacher  string        `json:"teacher,omitempty"`
	Trigger  string        `json:"trigger"`
	Start    time.Time     `json:"start"`
	End      time.Time     `json:"end"`
	Phase    Phase         `json:"phase"`
	Slice    int           `json:"slice,omitempty"`       // number of the open slice
	Path     string        `json:"path,omitempty"`        // of the open slice, relative to the records root
	Bytes    int64         `json:"bytes,omitempty"`       // written to the open slice
	Duration time.Duration `json:"duration_ns,omitempty"` // of the open slice
	Error    string        `json:"error,omitempty"`       // the last failure, while retrying
}

// Session is one recording: a lesson of the timetable or a manual one, on
// one channel's main stream, written as one or more slices. The Recorder
// creates and runs sessions; others only look (Status) or move the end.
type Session struct {
	id   string
	r    *Recorder
	log  *slog.Logger
	poke chan struct{} // cap 1: the end moved

	mu      sync.Mutex
	spec    Spec
	phase   Phase
	lastErr string
	// cancelRead interrupts the run goroutine's wait for a frame, so a
	// moved end is noticed at once.
	cancelRead context.CancelFunc

	endNano atomic.Int64               // spec.End, read per frame without the lock
	writer  atomic.Pointer[mp4.Writer] // of the open slice, for Status
	curPath atomic.Pointer[string]

	// Owned by run's goroutine.
	clock    wallClock
	cutter   *segmenter.Cutter
	hist     gopHistory
	tracks   *media.Tracks // of the previous frame
	state    Phase
	retryAt  time.Time // in PhaseGap: no new slice before this
	boundary time.Time // next slice boundary; zero without slicing
	cur      *slice
	next     int // lowest slice number to try for the next slice
	written  int64
	lastKey  time.Time     // wall time of the last keyframe
	gop      time.Duration // longest keyframe interval seen
	warned   bool          // G.711 audio left out was logged
	opened   bool          // a slice has been opened
	covers   sync.WaitGroup
}

func newSession(r *Recorder, spec Spec) *Session {
	id := spec.Start.UTC().Format("20060102T150405Z") + "_" + spec.Channel + "_" + spec.Trigger
	s := &Session{
		id:     id,
		r:      r,
		log:    r.log.With("channel", spec.Channel, "session", id),
		poke:   make(chan struct{}, 1),
		spec:   spec,
		phase:  PhaseWaiting,
		cutter: segmenter.NewCutter(0), // every keyframe opens a GOP
		state:  PhaseWaiting,
		next:   1,
	}
	s.endNano.Store(spec.End.UnixNano())
	return s
}

// ID names the session, e.g. "20261123T023000Z_c101_schedule".
func (s *Session) ID() string { return s.id }

// SetEnd moves the end: a course extended or cut short, or a manual stop.
// An end before the start ends a session that has not begun at once.
func (s *Session) SetEnd(end time.Time) {
	s.endNano.Store(end.UnixNano())
	s.mu.Lock()
	s.spec.End = end
	cancelRead := s.cancelRead
	s.mu.Unlock()
	if cancelRead != nil {
		cancelRead()
	}
	select {
	case s.poke <- struct{}{}:
	default:
	}
}

// update applies a course edit: the subject and teacher name the next
// slices, the end moves.
func (s *Session) update(subject, teacher string, end time.Time) {
	s.mu.Lock()
	s.spec.Subject, s.spec.Teacher = subject, teacher
	s.mu.Unlock()
	s.SetEnd(end)
}

func (s *Session) end() time.Time { return time.Unix(0, s.endNano.Load()) }

func (s *Session) isOver() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.phase == PhaseOver
}

// Status describes the session now.
func (s *Session) Status() SessionStatus {
	s.mu.Lock()
	st := SessionStatus{
		ID: s.id, Channel: s.spec.Channel, CourseID: s.spec.CourseID, Subject: s.spec.Subject,
		Teacher: s.spec.Teacher, Trigger: s.spec.Trigger, Start: s.spec.Start, End: s.spec.End,
		Phase: s.phase, Error: s.lastErr,
	}
	s.mu.Unlock()
	if w := s.writer.Load(); w != nil {
		st.Bytes, st.Duration = w.Bytes(), w.Duration()
		if p := s.curPath.Load(); p != nil {
			st.Path = *p
			if info, err := parseSlicePath(*p, s.r.loc); err == nil {
				st.Slice = info.Slice
			}
		}
	}
	return st
}

// setPhase moves the run goroutine's state and publishes it.
func (s *Session) setPhase(p Phase, lastErr string) {
	s.state = p
	s.mu.Lock()
	s.phase, s.lastErr = p, lastErr
	s.mu.Unlock()
}

// run records until the lesson is over or ctx is done, re-attaching when
// the channel's stream is replaced (a config reload) and closing the open
// slice on the way out.
func (s *Session) run(ctx context.Context) {
	s.log.Info("recording session started", "trigger", s.spec.Trigger, "course", s.spec.CourseID,
		"start", s.spec.Start, "end", s.end())
	defer func() {
		s.closeSlice("", "")
		s.setPhase(PhaseOver, "")
		s.covers.Wait()
		if !s.opened && ctx.Err() == nil && s.end().After(s.spec.Start) {
			// The lesson came and went without a picture: say so loudly,
			// nothing else will.
			s.r.stats.fail(reasonNoSource)
			s.log.Error("lesson not recorded: the channel sent no picture", "start", s.spec.Start, "end", s.end())
			return
		}
		s.log.Info("recording session ended")
	}()
	missing := false
	for s.state != PhaseOver && ctx.Err() == nil {
		if s.pastGrace(time.Now()) {
			return
		}
		st, ok := s.r.opts.Streams(s.spec.Channel)
		var rd *relay.Reader
		var err error
		if ok {
			rd, err = st.AddReader("record " + s.id)
		}
		if !ok || err != nil {
			if !missing {
				s.log.Warn("channel not available to record; retrying", "err", err)
				missing = true
			}
			s.wait(ctx, time.Second)
			continue
		}
		missing = false
		s.read(ctx, rd)
		rd.Close()
	}
}

// pastGrace reports the lesson over by the clock: its end plus the grace
// has passed, or it was ended before it began.
func (s *Session) pastGrace(now time.Time) bool {
	end := s.end()
	if s.state == PhaseWaiting && !end.After(s.spec.Start) {
		return true
	}
	return !now.Before(end.Add(s.r.opts.EndGrace))
}

// wait pauses for d, cut short by ctx or a moved end.
func (s *Session) wait(ctx context.Context, d time.Duration) {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
	case <-s.poke:
	case <-t.C:
	}
}

// read handles frames from rd until the lesson is over, ctx is done or the
// stream goes away.
func (s *Session) read(ctx context.Context, rd *relay.Reader) {
	for s.state != PhaseOver {
		if s.pastGrace(time.Now()) {
			s.finish()
			return
		}
		// Reading is cut short at end+grace (a silent source) and when the
		// end moves, so both are noticed without a frame.
		rctx, cancel := context.WithDeadline(ctx, s.end().Add(s.r.opts.EndGrace))
		s.mu.Lock()
		s.cancelRead = cancel
		s.mu.Unlock()
		var err error
		for s.state != PhaseOver {
			var f *media.Frame
			if f, err = rd.Read(rctx); err != nil {
				break
			}
			s.handle(ctx, f, time.Now())
		}
		s.mu.Lock()
		s.cancelRead = nil
		s.mu.Unlock()
		cancel()
		if ctx.Err() != nil || errors.Is(err, relay.ErrReaderClosed) {
			if errors.Is(err, relay.ErrReaderClosed) && s.state == PhaseRecording {
				s.log.Info("stream closed: slice closed; re-attaching")
				s.closeSlice("", "")
				s.setPhase(PhaseGap, "")
				s.retryAt = time.Time{}
			}
			return
		}
	}
}
