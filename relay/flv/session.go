package flv

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"time"

	"github.com/lubo-edge/lubo/media"
	"github.com/lubo-edge/lubo/relay"
)

// How long (in stream time) a session waits before it begins with the
// tracks it has. FLV headers often claim audio that never comes.
const (
	audioWait    = time.Second      // after the first video keyframe, for audio
	videoWait    = 5 * time.Second  // after the first audio frame, for a video keyframe
	startTimeout = 10 * time.Second // for anything playable at all
	maxPending   = 512              // frames held back while waiting
)

// ErrParamsChanged is returned when the codec parameters change in the
// middle of a session; the caller reconnects and so starts a new session.
var ErrParamsChanged = errors.New("codec parameters changed mid-stream")

// ReadStream reads an FLV stream from r and publishes it to out until r fails or
// ctx is done: it calls out.Begin once the tracks announced by the FLV header
// are known (or once waiting for a missing one is pointless), then writes
// frames. At a clean end of r it publishes what it holds and returns io.EOF.
func ReadStream(ctx context.Context, r io.Reader, out relay.Publisher, log *slog.Logger) error {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	tr := NewTagReader(r)
	hdr, err := tr.ReadHeader()
	if err != nil {
		return err
	}
	s := newSession(hdr, out, log)
	for {
		if err := ctx.Err(); err != nil {
			return err
		}
		tag, err := tr.ReadTag()
		if err == io.EOF {
			s.finish()
			return io.EOF
		}
		if err != nil {
			return err
		}
		if err := s.handle(tag); err != nil {
			return err
		}
	}
}

// session decides when the tracks of one FLV stream are known.
type session struct {
	out relay.Publisher
	log *slog.Logger

	expectVideo, expectAudio bool
	demux                    Demuxer

	tracks  *media.Tracks // nil until Begin
	pending []*media.Frame

	haveKey      bool
	keyDTS       time.Duration
	haveAudio    bool
	audioDTS     time.Duration // of the first audio frame
	haveFirstTag bool
	firstTag     uint32
	badTags      int
}

func newSession(h Header, out relay.Publisher, log *slog.Logger) *session {
	s := &session{out: out, log: log, expectVideo: h.Video, expectAudio: h.Audio}
	if !h.Video && !h.Audio {
		s.expectVideo, s.expectAudio = true, true // flags unset: assume both
	}
	return s
}

func (s *session) handle(tag Tag) error {
	f, err := s.demux.Demux(tag.Type, tag.Timestamp, tag.Data)
	if err != nil {
		// One broken tag is not worth a reconnect; the decoder recovers at
		// the next keyframe.
		s.badTags++
		if s.badTags == 1 || s.badTags%100 == 0 {
			s.log.Warn("flv: skipping malformed tag", "err", err, "count", s.badTags)
		}
		f = nil
	}
	if s.tracks != nil {
		return s.publish(f)
	}
	if !s.haveFirstTag {
		s.haveFirstTag, s.firstTag = true, tag.Timestamp
	} else if time.Duration(int64(tag.Timestamp)-int64(s.firstTag))*time.Millisecond > startTimeout {
		return fmt.Errorf("no playable audio or video within %v of stream", startTimeout)
	}
	if f == nil {
		return nil
	}
	s.hold(f)
	if s.ready(f.DTS) {
		s.begin()
	}
	return nil
}

// hold keeps a frame that came before Begin, dropping what cannot start a
// session: video before the first keyframe, and audio before it when video
// is expected.
func (s *session) hold(f *media.Frame) {
	if f.IsVideo() {
		if !s.haveKey {
			if !f.Key {
				return
			}
			s.haveKey, s.keyDTS = true, f.DTS
		}
		s.pending = append(s.pending, f)
		return
	}
	if !s.haveAudio {
		s.haveAudio, s.audioDTS = true, f.DTS
	}
	if s.haveKey || !s.expectVideo {
		s.pending = append(s.pending, f)
	}
}

func (s *session) ready(now time.Duration) bool {
	videoReady, audioReady := s.haveKey, s.haveAudio
	switch {
	case (videoReady || !s.expectVideo) && (audioReady || !s.expectAudio) && (videoReady || audioReady):
		return true
	case videoReady && now-s.keyDTS >= audioWait:
		return true
	case audioReady && !videoReady && now-s.audioDTS >= videoWait:
		return true
	}
	return len(s.pending) >= maxPending
}

// finish begins with whatever is known when the input ends before the
// session could begin (a short file).
func (s *session) finish() {
	if s.tracks == nil && (s.haveKey || s.haveAudio) {
		s.begin()
	}
}

func (s *session) begin() {
	t := &media.Tracks{}
	if s.haveKey {
		t.Video = s.demux.Video()
	}
	if s.haveAudio {
		t.Audio = s.demux.Audio()
	}
	s.tracks = t
	s.out.Begin(t)
	s.log.Info("flv: session started", "tracks", t.String())
	for _, f := range s.pending {
		s.write(f)
	}
	s.pending = nil
}

func (s *session) publish(f *media.Frame) error {
	t := s.tracks
	if t.Video != nil && s.demux.Video() != t.Video || t.Audio != nil && s.demux.Audio() != t.Audio {
		return ErrParamsChanged
	}
	if f != nil {
		s.write(f)
	}
	return nil
}

// write passes on frames of the session's tracks; a track that showed up
// after Begin is ignored until the next session.
func (s *session) write(f *media.Frame) {
	t := s.tracks
	if f.IsVideo() && t.Video != nil && t.Video.Codec == f.Codec ||
		!f.IsVideo() && t.Audio != nil && t.Audio.Codec == f.Codec {
		s.out.WriteFrame(f)
	}
}
