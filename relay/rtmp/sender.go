package rtmp

import (
	"time"

	"github.com/yapingcat/gomedia/go-codec"

	"github.com/lubo-edge/lubo/media"
)

// frameWriter is what gomedia's client and server handles offer for media.
type frameWriter interface {
	WriteFrame(cid codec.CodecID, frame []byte, pts, dts uint32) error
}

// sender prepares media frames for gomedia's RTMP writers, which take
// Annex-B video, ADTS-wrapped AAC and raw G.711 at millisecond times. It
// starts each destination at a keyframe, at time zero.
//
// gomedia's H.264/H.265 muxers rewrite start codes into length prefixes in
// place, so video goes through a private scratch copy: the shared frame
// must stay untouched for the other readers.
type sender struct {
	tracks  *media.Tracks
	aac     aacConfig
	started bool
	base    time.Duration
	scratch []byte
}

func newSender(t *media.Tracks) *sender {
	s := &sender{tracks: t}
	if t.Audio != nil && t.Audio.Codec == media.AAC {
		s.aac = aacConfigOf(t.Audio)
	}
	return s
}

// prepare returns what to hand gomedia for f; ok is false for frames this
// destination skips (foreign codecs, frames before the first keyframe).
// data is valid until the next call.
func (s *sender) prepare(f *media.Frame) (cid codec.CodecID, data []byte, pts, dts uint32, ok bool) {
	switch {
	case f.IsVideo():
		if s.tracks.Video == nil || f.Codec != s.tracks.Video.Codec {
			return 0, nil, 0, 0, false
		}
	case s.tracks.Audio == nil || f.Codec != s.tracks.Audio.Codec:
		return 0, nil, 0, 0, false
	}
	if !s.started {
		if s.tracks.Video != nil && !(f.IsVideo() && f.Key) {
			return 0, nil, 0, 0, false
		}
		s.started = true
		s.base = f.DTS
	}
	dts = s.millis(f.DTS)
	pts = s.millis(max(f.PTS, f.DTS))
	switch f.Codec {
	case media.H264, media.H265:
		cid = codec.CODECID_VIDEO_H264
		if f.Codec == media.H265 {
			cid = codec.CODECID_VIDEO_H265
		}
		s.scratch = append(s.scratch[:0], f.Data...)
		return cid, s.scratch, pts, dts, true
	case media.AAC:
		if len(f.Data)+7 > maxADTSFrame {
			return 0, nil, 0, 0, false
		}
		s.scratch = s.aac.appendADTS(s.scratch[:0], len(f.Data))
		s.scratch = append(s.scratch, f.Data...)
		return codec.CODECID_AUDIO_AAC, s.scratch, pts, dts, true
	case media.PCMA:
		return codec.CODECID_AUDIO_G711A, f.Data, pts, dts, true
	case media.PCMU:
		return codec.CODECID_AUDIO_G711U, f.Data, pts, dts, true
	}
	return 0, nil, 0, 0, false
}

func (s *sender) millis(d time.Duration) uint32 {
	if d <= s.base {
		return 0
	}
	return uint32((d - s.base) / time.Millisecond)
}

// send writes f through w, if f is for this destination.
func (s *sender) send(w frameWriter, f *media.Frame) error {
	cid, data, pts, dts, ok := s.prepare(f)
	if !ok {
		return nil
	}
	return guard(func() error { return w.WriteFrame(cid, data, pts, dts) })
}
