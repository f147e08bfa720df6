package snapshot

import "time"

// counts are how periodic pictures (or covers) turned out.
type counts struct {
	Taken     uint64 // saved
	Failed    uint64 // ffmpeg or the disk failed
	Skipped   uint64 // no keyframe to take
	Unchanged uint64 // the same keyframe as the last picture: source stalled
}

// ChannelStats are one channel's counters.
type ChannelStats struct {
	Taken, Failed, Skipped, Unchanged uint64
	LastTaken                         time.Time // zero before the first picture
	LastError                         string    // of the last failure, "" once one succeeds
}

// Stats are a Snapshotter's counters, read by the metrics and the dashboard.
type Stats struct {
	// Enabled is false when periodic pictures are off; Reason says why
	// (ffmpeg missing, interval 0).
	Enabled bool
	Reason  string
	// Totals over all channels, including ones removed since: they never
	// go down.
	Taken, Failed, Skipped, Unchanged uint64
	// CoversTaken and CoversFailed count recording covers.
	CoversTaken, CoversFailed uint64
	// Channels has the registered channels.
	Channels map[string]ChannelStats
	// Decoder is the ffmpeg side; zero when there is no decoder.
	Decoder DecoderStats
}

// Stats gives a copy of the counters.
func (s *Snapshotter) Stats() Stats {
	reason := s.offReason()
	st := Stats{Enabled: reason == "", Reason: reason}
	if s.opts.Decoder != nil {
		st.Decoder = s.opts.Decoder.Stats()
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	st.Taken, st.Failed, st.Skipped, st.Unchanged = s.totals.Taken, s.totals.Failed, s.totals.Skipped, s.totals.Unchanged
	st.CoversTaken, st.CoversFailed = s.covers.Taken, s.covers.Failed
	st.Channels = make(map[string]ChannelStats, len(s.channels))
	for ch, c := range s.channels {
		st.Channels[ch] = c.stats
	}
	return st
}

type outcome int

const (
	outcomeTaken outcome = iota
	outcomeFailed
	outcomeSkipped
	outcomeUnchanged
)

// count records one attempt on ch and logs a change between working and
// failing, not every failure: a dead camera must not fill the log.
func (s *Snapshotter) count(ch string, c *channel, o outcome, err error, at time.Time) {
	s.mu.Lock()
	defer s.mu.Unlock()
	st := &c.stats
	switch o {
	case outcomeTaken:
		s.totals.Taken++
		st.Taken++
		st.LastTaken, st.LastError = at, ""
		if c.failing {
			c.failing = false
			s.log.Info("snapshots work again", "channel", ch)
		}
	case outcomeFailed:
		s.totals.Failed++
		st.Failed++
		st.LastError = err.Error()
		if !c.failing {
			c.failing = true
			s.log.Warn("snapshot failed", "channel", ch, "err", err)
		} else {
			s.log.Debug("snapshot failed", "channel", ch, "err", err)
		}
	case outcomeSkipped:
		s.totals.Skipped++
		st.Skipped++
	case outcomeUnchanged:
		s.totals.Unchanged++
		st.Unchanged++
	}
}
