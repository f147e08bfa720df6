package rtsp

import (
	"sync"
	"time"
)

// logLimit lets a repeated complaint (lost packets, undecodable data) reach
// the log at most once per interval, so a broken camera cannot flood it.
type logLimit struct {
	every time.Duration

	mu   sync.Mutex
	last map[string]time.Time
}

func newLogLimit(every time.Duration) *logLimit {
	return &logLimit{every: every, last: make(map[string]time.Time)}
}

// allow reports whether a line of this kind may be logged now.
func (l *logLimit) allow(kind string) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := time.Now()
	if t, ok := l.last[kind]; ok && now.Sub(t) < l.every {
		return false
	}
	l.last[kind] = now
	return true
}
