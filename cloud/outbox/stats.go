package outbox

import (
	"fmt"
	"maps"
	"slices"
	"strings"
	"sync"
	"time"
)

// Reasons an item is dropped without delivery.
const (
	DropSpace    = "space"    // the disk was below the floor
	DropVanished = "vanished" // its file was gone before upload
	DropOperator = "operator" // `lubo outbox drop`
)

// counters are one target's totals since the queue started.
type counters struct {
	mu          sync.Mutex
	successes   uint64
	duplicates  uint64
	failures    uint64
	refusals    uint64
	drops       map[string]uint64
	lastError   string
	lastAttempt time.Time
}

func newCounters() *counters { return &counters{drops: map[string]uint64{}} }

func (c *counters) drop(reason string) {
	c.mu.Lock()
	c.drops[reason]++
	c.mu.Unlock()
}

func (c *counters) result(at time.Time, fn func(c *counters)) {
	c.mu.Lock()
	c.lastAttempt = at
	fn(c)
	c.mu.Unlock()
}

// TargetStats is one target's share of the queue: the store's counts plus
// this run's counters (which start at zero with the process, as Prometheus
// counters may).
type TargetStats struct {
	Target     string
	Registered bool // false: items left for a target this run does not have

	Waiting        int           // queue depth
	WaitingBytes   int64         // bytes of the waiting items
	Refused        int           // set aside after a permanent refusal
	RefusedBytes   int64         // bytes of the refused items
	OldestEnqueued time.Time     // of the oldest waiting item; zero if none
	OldestAge      time.Duration // now minus OldestEnqueued; 0 if none

	Successes  uint64            // delivered, duplicates included
	Duplicates uint64            // delivered because the platform already had the name
	Failures   uint64            // attempts that failed and will be retried
	Refusals   uint64            // attempts refused for good
	Drops      map[string]uint64 // by reason: DropSpace, DropVanished, DropOperator

	LastAttempt time.Time // of this run's last finished attempt
	LastError   string    // of the last failed attempt, free of secrets
}

// Stats returns every registered target and any other the store holds
// items for, registered first in Options order, the rest by name.
func (q *Queue) Stats() ([]TargetStats, error) {
	stored, err := q.store.Stats()
	if err != nil {
		return nil, fmt.Errorf("outbox stats: %w", err)
	}
	now := q.opts.Clock.Now()
	byName := map[string]*TargetStats{}
	var out []*TargetStats
	add := func(name string) *TargetStats {
		if s := byName[name]; s != nil {
			return s
		}
		s := &TargetStats{Target: name, Registered: q.targets[name] != nil}
		byName[name] = s
		out = append(out, s)
		return s
	}
	for _, name := range q.order {
		add(name)
	}
	for _, st := range stored {
		s := add(st.Target)
		s.Waiting, s.WaitingBytes, s.Refused, s.RefusedBytes = st.Waiting, st.WaitingBytes, st.Refused, st.RefusedBytes
		s.OldestEnqueued = st.OldestEnqueued
		if !st.OldestEnqueued.IsZero() {
			s.OldestAge = max(now.Sub(st.OldestEnqueued), 0)
		}
	}
	q.mu.Lock()
	for _, name := range slices.Sorted(maps.Keys(q.counters)) {
		add(name)
	}
	cs := maps.Clone(q.counters)
	q.mu.Unlock()
	result := make([]TargetStats, 0, len(out))
	for _, s := range out {
		s.Drops = map[string]uint64{}
		if c := cs[s.Target]; c != nil {
			c.mu.Lock()
			s.Successes, s.Duplicates, s.Failures, s.Refusals = c.successes, c.duplicates, c.failures, c.refusals
			s.Drops = maps.Clone(c.drops)
			s.LastAttempt, s.LastError = c.lastAttempt, c.lastError
			c.mu.Unlock()
		}
		result = append(result, *s)
	}
	registered := len(q.order)
	slices.SortFunc(result[registered:], func(a, b TargetStats) int { return strings.Compare(a.Target, b.Target) })
	return result, nil
}
