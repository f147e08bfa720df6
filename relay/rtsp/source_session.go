package rtsp

import (
	"bytes"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/lubo-edge/lubo/media"
	"github.com/lubo-edge/lubo/relay"
)

// pullSession turns the packets of one RTSP session into frames for the
// relay. gortsplib calls it from one goroutine per UDP socket (or the one
// TCP reader), so everything that touches the publisher is serialized by mu.
type pullSession struct {
	out   relay.Publisher
	log   *slog.Logger
	limit *logLimit

	lastPacket atomic.Int64 // unix nanoseconds of the last RTP packet
	failed     chan error   // cap 1: a fatal problem seen in a callback
	attachers  []func()     // install the packet callbacks after SETUP

	mu         sync.Mutex
	video      *videoAssembler // nil without video
	audio      *media.AudioTrack
	audioClock int   // RTP clock of the audio
	aacAUTicks int64 // duration of one AAC access unit in audioClock ticks
	begun      bool
	dead       bool
	start      time.Duration // PTS of the first video frame; audio before it is dropped
	hasAudio   bool          // an audio frame has been written
}

func newPullSession(out relay.Publisher, log *slog.Logger) *pullSession {
	s := &pullSession{
		out:    out,
		log:    log,
		limit:  newLogLimit(10 * time.Second),
		failed: make(chan error, 1),
	}
	s.lastPacket.Store(time.Now().UnixNano())
	return s
}

// attach installs the packet callbacks; gortsplib accepts them only for
// medias that have been set up.
func (s *pullSession) attach() {
	for _, fn := range s.attachers {
		fn()
	}
}

// note logs a recurring, non-fatal problem at most every few seconds.
func (s *pullSession) note(kind, msg string) {
	if s.limit.allow(kind) {
		s.log.Warn("rtsp source: " + msg)
	}
}

func (s *pullSession) touch() { s.lastPacket.Store(time.Now().UnixNano()) }

func (s *pullSession) idleFor() time.Duration {
	return time.Since(time.Unix(0, s.lastPacket.Load()))
}

// fail records the first fatal problem; Run picks it up and ends the session.
func (s *pullSession) fail(err error) {
	s.dead = true
	select {
	case s.failed <- err:
	default:
	}
}

// beginLocked publishes the tracks once; mu is held.
func (s *pullSession) beginLocked() {
	t := &media.Tracks{Audio: s.audio}
	if s.video != nil {
		t.Video = s.video.track
	}
	s.out.Begin(t)
	s.begun = true
}

// onVideo handles one access unit with its PTS in 90 kHz ticks.
func (s *pullSession) onVideo(au accessUnit, pts int64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.dead {
		return
	}
	f, err := s.video.push(au, pts)
	if err != nil {
		s.fail(err)
		return
	}
	if f == nil {
		return
	}
	if !s.begun {
		s.beginLocked()
		s.start = f.PTS
	}
	s.out.WriteFrame(f)
}

// onAAC handles the access units of one RTP packet, PTS in sample ticks.
func (s *pullSession) onAAC(aus [][]byte, pts int64) {
	for i, au := range aus {
		if len(au) == 0 {
			continue
		}
		t := ticksToDuration(pts+int64(i)*s.aacAUTicks, s.audioClock)
		s.writeAudio(&media.Frame{Codec: media.AAC, DTS: t, PTS: t, Key: true, Data: bytes.Clone(au)})
	}
}

// onG711 handles the samples of one RTP packet.
func (s *pullSession) onG711(samples []byte, pts int64) {
	if len(samples) == 0 {
		return
	}
	t := ticksToDuration(pts, s.audioClock)
	s.writeAudio(&media.Frame{Codec: s.audio.Codec, DTS: t, PTS: t, Key: true, Data: bytes.Clone(samples)})
}

func (s *pullSession) writeAudio(f *media.Frame) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.dead {
		return
	}
	if !s.begun {
		if s.video != nil {
			return // the session starts at the first video keyframe
		}
		s.beginLocked()
		s.start = f.PTS
	}
	// Audio that precedes the first picture has nothing to play with. Once
	// audio flows, its clock is passed on as it is: the stream absorbs a
	// jump, where dropping everything below the last timestamp silenced
	// the lesson for as long as the jump.
	if !s.hasAudio && f.PTS < s.start {
		return
	}
	s.hasAudio = true
	s.out.WriteFrame(f)
}
