package recorder

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"time"

	"github.com/lubo-edge/lubo/media"
	"github.com/lubo-edge/lubo/recorder/mp4"
	"github.com/lubo-edge/lubo/recorder/snapshot"
	"github.com/lubo-edge/lubo/storage"
)

// slice is the file a session is writing.
type slice struct {
	n        int
	id       string // record id
	rel      string // final path relative to the records root
	abs      string // final path
	w        *mp4.Writer
	tracks   *media.Tracks
	firstDTS time.Duration
	start    time.Time // wall time of the first frame, as known at open
}

// handle moves the session along by one frame that arrived at now.
func (s *Session) handle(ctx context.Context, f *media.Frame, now time.Time) {
	if s.tracks != nil && f.Tracks != s.tracks {
		// A reconnect: the old GOPs cannot start a file of the new session,
		// and the open file ends here (its codec parameters may differ).
		s.hist.reset()
		if s.state == PhaseRecording {
			s.log.Info("source reconnected: slice closed; the next one starts at the next keyframe")
			s.closeSlice("", "")
			s.setPhase(PhaseGap, "")
			s.retryAt = time.Time{}
		}
	}
	if f.Tracks != s.tracks {
		s.lastKey = time.Time{}
	}
	s.tracks = f.Tracks
	s.clock.observe(f, now)
	wall := s.clock.at(f.DTS)
	end := s.end()
	cut := s.cutter.Next(f)
	gop := cut.Start // f is a keyframe (or, without video, any audio frame)
	set := s.r.settings()
	s.hist.keep = max(set.OverlapKeyframes, 1)

	// Decisions see the history without f: at a keyframe its newest GOP is
	// the one f closes.
	switch s.state {
	case PhaseWaiting:
		if !wall.Before(end) {
			s.finish()
			return
		}
		if !wall.Before(s.spec.Start) {
			// Start on the GOP in progress at the start instant, whose
			// keyframe is at or before it; without one, on f if it can.
			if head := s.hist.recent(1); head != nil || gop {
				s.open(ctx, head, f, wall, now)
			}
		}
	case PhaseRecording:
		if gop && !wall.Before(end) {
			s.finish()
			return
		}
		if gop && !s.boundary.IsZero() && !wall.Before(s.boundary) {
			overlap := s.hist.recent(set.OverlapKeyframes)
			s.closeSlice("", "")
			s.open(ctx, overlap, f, wall, now)
		}
	case PhaseGap:
		if gop && !wall.Before(end) {
			s.finish()
			return
		}
		if gop && !now.Before(s.retryAt) {
			// After a failed disk the newest GOPs were never written: the
			// overlap brings back what it can.
			s.open(ctx, s.hist.recent(set.OverlapKeyframes), f, wall, now)
		}
	}
	if gop {
		s.noteKeyframe(wall)
		// While a slice is being written, GOPs are kept only when the
		// next boundary is near enough to need them as its overlap: that
		// saves a GOP of memory per channel (about a megabyte at 1080p).
		if s.state != PhaseRecording || s.boundaryNear(wall, set.OverlapKeyframes) {
			s.hist.startGOP()
		} else {
			s.hist.reset()
		}
	}
	if !cut.Drop {
		s.hist.add(f)
	}
	if s.state == PhaseRecording {
		s.write(f)
	}
}

// Bounds of the keyframe interval the history is sized by.
const (
	assumedGOP = 2 * time.Second  // until one is measured
	maxGOP     = 30 * time.Second // a stalled camera is not a GOP
)

// noteKeyframe measures the keyframe interval.
func (s *Session) noteKeyframe(wall time.Time) {
	if !s.lastKey.IsZero() {
		if d := wall.Sub(s.lastKey); d > s.gop && d <= maxGOP {
			s.gop = d
		}
	}
	s.lastKey = wall
}

// boundaryNear reports whether the next slice boundary is close enough
// that the GOP starting at wall may be part of the next slice's overlap of
// n GOPs.
func (s *Session) boundaryNear(wall time.Time, n int) bool {
	if s.boundary.IsZero() || n <= 0 {
		return false
	}
	gop := max(s.gop, assumedGOP)
	return !wall.Before(s.boundary.Add(-time.Duration(n+1)*gop - time.Second))
}

// finish ends the lesson: the open slice is closed and the session is over.
func (s *Session) finish() {
	s.closeSlice("", "")
	s.setPhase(PhaseOver, "")
}

// nextBoundary is the first slice boundary (start + k*length) after wall;
// zero when slicing is off.
func nextBoundary(start, wall time.Time, length time.Duration) time.Time {
	if length <= 0 {
		return time.Time{}
	}
	if wall.Before(start) {
		return start.Add(length)
	}
	k := wall.Sub(start) / length
	return start.Add((k + 1) * length)
}

// open starts a new slice with head (frames from the history, beginning on
// a keyframe) followed by f, which the caller writes. On failure the
// session waits RetryInterval in PhaseGap.
func (s *Session) open(ctx context.Context, head []*media.Frame, f *media.Frame, wall, now time.Time) {
	first := f
	if len(head) > 0 {
		first = head[0]
	}
	s.mu.Lock()
	spec := s.spec
	s.mu.Unlock()
	n, rel := s.pickSlice(spec)
	abs := filepath.Join(s.r.root, filepath.FromSlash(rel))
	// On a full disk nothing is made: no file, no record, no cover. The
	// next keyframe after RetryInterval looks again.
	if err := s.r.roomFor(); err != nil {
		s.openFailed(rel, err, now)
		return
	}
	start := s.clock.at(first.DTS).Round(0)
	rec := &storage.Record{
		ID: storage.NewRecordID(spec.Channel, spec.Start, n), Channel: spec.Channel,
		CourseID: spec.CourseID, Subject: spec.Subject, Teacher: spec.Teacher,
		Start: start, Path: rel, Slice: n, State: storage.StateRecording, Trigger: spec.Trigger,
	}
	if err := os.MkdirAll(filepath.Dir(abs), 0o755); err != nil {
		s.openFailed(rel, err, now)
		return
	}
	if err := s.r.opts.DB.PutRecord(rec); err != nil {
		s.openFailed(rel, err, now)
		return
	}
	w, err := mp4.Create(abs+partSuffix, first.Tracks, s.r.opts.MP4)
	if err != nil {
		// Nothing was recorded: no file and no record stay behind.
		_ = os.Remove(abs + partSuffix)
		_ = s.r.opts.DB.DeleteRecord(rec.ID)
		s.openFailed(rel, err, now)
		return
	}
	if why := w.SkippedAudio(); why != nil && !s.warned {
		s.warned = true
		s.log.Warn("recording without audio: MP4 cannot carry it", "reason", why)
	}
	s.next, s.opened = n+1, true
	s.cur = &slice{n: n, id: rec.ID, rel: rel, abs: abs, w: w, tracks: first.Tracks, firstDTS: first.DTS, start: start}
	s.written = 0
	s.account(w)
	s.writer.Store(w)
	s.curPath.Store(&rel)
	s.setPhase(PhaseRecording, "")
	s.boundary = nextBoundary(spec.Start, wall, s.r.settings().Slice)
	s.log.Info("recording slice opened", "path", rel, "slice", n, "start", start, "overlap_frames", len(head))
	if first.IsVideo() && first.Key && s.r.opts.Snapshots != nil {
		s.covers.Add(1)
		go s.makeCover(ctx, first, rec.ID, rel)
	}
	for _, h := range head {
		if s.state != PhaseRecording {
			return
		}
		s.write(h)
	}
}

// openFailed puts the session into PhaseGap for RetryInterval. A failure
// is logged and counted when it differs from the last one, so a full disk
// is one line, not one every few seconds.
func (s *Session) openFailed(rel string, err error, now time.Time) {
	s.r.stats.openRetries.Add(1)
	s.retryAt = now.Add(s.r.opts.RetryInterval)
	s.mu.Lock()
	same := s.lastErr == err.Error()
	s.mu.Unlock()
	reason := failureReason(err)
	if reason == reasonDiskFull {
		s.r.keep.kick()
	}
	if !same {
		s.r.stats.fail(reason)
		s.log.Error("cannot open a recording slice; will retry", "path", rel, "err", err, "retry_in", s.r.opts.RetryInterval)
	}
	s.setPhase(PhaseGap, err.Error())
}

// pickSlice returns the lowest free slice number from s.next: a lesson
// picked up after a restart continues beside its recovered files.
func (s *Session) pickSlice(spec Spec) (int, string) {
	for n := s.next; ; n++ {
		rel := slicePath(spec.Channel, spec.Start, s.r.loc, n)
		abs := filepath.Join(s.r.root, filepath.FromSlash(rel))
		if exists(abs) || exists(abs+partSuffix) || exists(abs+brokenSuffix) {
			continue
		}
		if _, err := s.r.opts.DB.RecordByPath(rel); err == nil {
			continue
		}
		return n, rel
	}
}

func exists(path string) bool {
	_, err := os.Lstat(path)
	return err == nil
}

// write adds f to the open slice. A failed write keeps what is on disk
// (the slice is finalized as failed) and retries in a new slice.
func (s *Session) write(f *media.Frame) {
	w := s.cur.w
	err := w.WriteFrame(f)
	s.account(w)
	if err == nil {
		return
	}
	if errors.Is(err, mp4.ErrTracksChanged) {
		s.log.Info("codec parameters changed: slice closed", "err", err)
		s.closeSlice("", "")
		s.setPhase(PhaseGap, "")
		s.retryAt = time.Time{}
		return
	}
	reason := failureReason(err)
	s.r.stats.fail(reason)
	if reason == reasonDiskFull {
		s.r.keep.kick()
	}
	s.log.Error("recording write failed: keeping what was written, retrying in a new slice",
		"path", s.cur.rel, "err", err, "retry_in", s.r.opts.RetryInterval)
	s.closeSlice(reason, err.Error())
	s.retryAt = time.Now().Add(s.r.opts.RetryInterval)
	s.setPhase(PhaseGap, err.Error())
}

// account adds what w wrote since the last call to the bytes counter.
func (s *Session) account(w *mp4.Writer) {
	if b := w.Bytes(); b > s.written {
		s.r.stats.bytes.Add(uint64(b - s.written))
		s.written = b
	}
}

// closeSlice closes the open slice, if any, and hands it to the finalizer.
// reason is "" for a normal end, else the failure that ended it (msg says
// more); the record ends as failed then.
func (s *Session) closeSlice(reason, msg string) {
	c := s.cur
	if c == nil {
		return
	}
	s.cur = nil
	s.writer.Store(nil)
	s.curPath.Store(nil)
	err := c.w.Close()
	s.account(c.w)
	if reason == "" && err != nil {
		// The last fragment or the end marker did not make it.
		reason, msg = failureReason(err), err.Error()
		s.r.stats.fail(reason)
		s.log.Error("closing the slice failed: keeping what was written", "path", c.rel, "err", err)
	}
	start := c.start
	if s.clock.tracks == c.tracks {
		start = s.clock.at(c.firstDTS).Round(0) // the anchor has improved since
	}
	job := finalizeJob{id: c.id, rel: c.rel, final: c.abs, start: start, state: storage.StateComplete}
	if reason != "" {
		job.state, job.reason = storage.StateFailed, reasonText(reason)+": "+msg
	}
	s.log.Info("recording slice closed", "path", c.rel, "bytes", c.w.Bytes(), "duration", c.w.Duration(), "failure", job.reason)
	s.r.fin.add(job)
}

// makeCover writes the slice's cover from its first keyframe and notes it
// in the record. Without ffmpeg there is no cover; recording goes on.
func (s *Session) makeCover(ctx context.Context, key *media.Frame, id, rel string) {
	defer s.covers.Done()
	cover := coverPath(rel)
	err := s.r.opts.Snapshots.Cover(ctx, key, filepath.Join(s.r.root, filepath.FromSlash(cover)))
	if err != nil {
		if !errors.Is(err, snapshot.ErrDisabled) && ctx.Err() == nil {
			s.log.Warn("no cover for the recording", "path", rel, "err", err)
		}
		return
	}
	err = s.r.opts.DB.UpdateRecord(id, func(r *storage.Record) error {
		r.Cover = cover
		return nil
	})
	switch {
	case errors.Is(err, storage.ErrNotFound):
		// The slice ended empty and was dropped meanwhile: no orphan cover.
		s.r.removeCover(rel)
	case err != nil:
		s.log.Warn("cover made but not indexed", "path", cover, "err", err)
	}
}
