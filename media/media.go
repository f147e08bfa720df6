// Package media is the vocabulary every part of lubo shares: codecs, track
// parameters and frames. It does no I/O.
package media

import (
	"fmt"
	"time"
)

// Codec names an elementary stream format lubo can carry.
type Codec uint8

const (
	CodecUnknown Codec = iota
	H264
	H265
	AAC
	PCMA // G.711 A-law
	PCMU // G.711 µ-law
)

func (c Codec) String() string {
	switch c {
	case H264:
		return "H264"
	case H265:
		return "H265"
	case AAC:
		return "AAC"
	case PCMA:
		return "PCMA"
	case PCMU:
		return "PCMU"
	}
	return fmt.Sprintf("codec(%d)", uint8(c))
}

// IsVideo reports whether frames of this codec are pictures.
func (c Codec) IsVideo() bool { return c == H264 || c == H265 }

// IsAudio reports whether frames of this codec are sound.
func (c Codec) IsAudio() bool { return c == AAC || c == PCMA || c == PCMU }

// VideoTrack holds what a decoder needs before the first picture.
// Parameter sets are raw NAL units without start codes.
type VideoTrack struct {
	Codec  Codec
	VPS    []byte // H.265 only
	SPS    []byte
	PPS    []byte
	Width  int // 0 when unknown
	Height int
}

// AudioTrack holds what a decoder needs before the first sample.
type AudioTrack struct {
	Codec      Codec
	SampleRate int
	Channels   int
	Config     []byte // AAC AudioSpecificConfig; empty for G.711
}

// Tracks describes one source session. A source that reconnects publishes a
// new *Tracks, and so does the stream when the camera's clock jumps inside a
// session, so readers can tell a discontinuity by pointer comparison.
// A Tracks is never modified after it has been published.
type Tracks struct {
	Video *VideoTrack // nil when the source has no video
	Audio *AudioTrack // nil when the source has no audio
	// Session counts source sessions on one stream, starting at 1.
	Session int
}

// String gives a short human description like "H264 1920x1080 + AAC 48000Hz/2".
func (t *Tracks) String() string {
	if t == nil {
		return "no tracks"
	}
	s := ""
	if v := t.Video; v != nil {
		s = v.Codec.String()
		if v.Width > 0 {
			s += fmt.Sprintf(" %dx%d", v.Width, v.Height)
		}
	}
	if a := t.Audio; a != nil {
		if s != "" {
			s += " + "
		}
		s += fmt.Sprintf("%s %dHz/%d", a.Codec, a.SampleRate, a.Channels)
	}
	if s == "" {
		return "no tracks"
	}
	return s
}

// Frame is one access unit: a whole picture or one audio frame.
//
// Frames are shared read-only between all readers of a stream; nobody may
// modify Data after the frame has been written to a stream.
type Frame struct {
	Codec Codec
	// DTS and PTS are on the stream's timeline: monotonic across source
	// reconnects, starting near zero when the stream is created.
	DTS time.Duration
	PTS time.Duration
	// Key marks a video random access point (IDR/IRAP with parameter sets
	// available). Audio frames are always Key.
	Key bool
	// Data is Annex-B (start-code delimited NAL units) for video and a raw
	// access unit (no ADTS header) for AAC, raw samples for G.711.
	Data []byte
	// Tracks is the session this frame belongs to.
	Tracks *Tracks
}

// IsVideo reports whether the frame is a picture.
func (f *Frame) IsVideo() bool { return f.Codec.IsVideo() }
