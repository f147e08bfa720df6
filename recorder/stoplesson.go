package recorder

import (
	"fmt"
	"strings"
	"time"
)

// StopLesson ends the timetable lesson recording on channel at the next
// keyframe: an admin's early stop (the caller logs who and why). The
// timetable does not start that lesson again before its planned end, in
// this run; after a restart a lesson still on the timetable records again,
// since recording too much is the safe side. It returns the stopped
// session's status, or fails with ErrNotRecording.
func (r *Recorder) StopLesson(channel string) (SessionStatus, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for key, s := range r.active {
		if !strings.HasPrefix(key, "course/") || s.isOver() {
			continue
		}
		st := s.Status()
		if st.Channel != channel {
			continue
		}
		r.stopped[key] = st.End
		s.SetEnd(time.Now())
		return st, nil
	}
	return SessionStatus{}, fmt.Errorf("%w: no lesson of the timetable is recording on channel %q", ErrNotRecording, channel)
}
