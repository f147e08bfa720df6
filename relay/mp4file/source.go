// Package mp4file plays a local MP4 file as a live channel: the file is
// demuxed once into memory and its frames are written in real time, looping
// forever with timestamps that keep growing across loops (云录播 stream_prop
// 1, "MP4 file" channel; also lubo's embedded demo channel).
package mp4file

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"time"

	"github.com/lubo-edge/lubo/media"
	"github.com/lubo-edge/lubo/relay"
)

// Source is a relay.Source that loops an MP4 file in real time.
//
// Each Run reads the file afresh (so a replaced file is picked up on the
// next session) and holds its frames in memory only while it runs; every
// loop hands out the same payload slices again.
type Source struct {
	name     string // path, or the name of in-memory data, for messages
	path     string
	data     []byte
	inMemory bool // play data rather than the file at path
	clock    Clock
	log      *slog.Logger
}

var _ relay.Source = (*Source)(nil)

// Option changes how a Source plays.
type Option func(*Source)

// WithClock paces playback against c instead of the wall clock (tests).
func WithClock(c Clock) Option { return func(s *Source) { s.clock = c } }

// WithLogger sets the logger, normally one carrying the channel attribute.
// The default is slog.Default().
func WithLogger(l *slog.Logger) Option { return func(s *Source) { s.log = l } }

// NewSource returns a Source playing the MP4 file at path.
func NewSource(path string, opts ...Option) *Source {
	return newSource(&Source{name: path, path: path}, opts)
}

// NewBytesSource returns a Source playing an MP4 held in memory, such as the
// embedded demo clip; name appears in messages. data must not be modified
// while the Source may run.
func NewBytesSource(name string, data []byte, opts ...Option) *Source {
	return newSource(&Source{name: name, data: data, inMemory: true}, opts)
}

func newSource(s *Source, opts []Option) *Source {
	for _, o := range opts {
		o(s)
	}
	if s.log == nil {
		s.log = slog.Default()
	}
	return s
}

// Run plays the file until ctx is done, then returns nil. It returns an
// error when the file cannot be opened or has no playable track.
func (s *Source) Run(ctx context.Context, out relay.Publisher) error {
	tracks, frames, err := s.load()
	if err != nil {
		return err
	}
	s.log.Info("mp4 loop start", "file", s.name, "tracks", tracks.String(),
		"frames", len(frames), "loop", ClipDuration(frames))
	if err := s.play(ctx, out, tracks, frames); err != nil {
		return fmt.Errorf("mp4file: %s: %w", s.name, err)
	}
	return nil
}

// play writes frames in a loop, paced by the clock, until ctx is done.
func (s *Source) play(ctx context.Context, out relay.Publisher, tracks *media.Tracks, frames []*media.Frame) error {
	// A fresh Tracks per session: the Stream tells sessions apart by it.
	session := &media.Tracks{Video: cloneVideo(tracks.Video), Audio: cloneAudio(tracks.Audio)}
	out.Begin(session)

	clock := s.clock
	if clock == nil {
		wall := newWallClock()
		defer wall.stop()
		clock = wall
	}
	p := pacer{clock: clock, start: clock.Now(), log: s.log}
	period := ClipDuration(frames)
	// Loop k plays every frame shifted by k periods, starting from 0.
	for offset := -firstDTS(frames); ; offset += period {
		for _, f := range frames {
			dts := f.DTS + offset
			if err := p.wait(ctx, dts); err != nil {
				if ctx.Err() != nil {
					return nil
				}
				return err
			}
			out.WriteFrame(&media.Frame{
				Codec:  f.Codec,
				DTS:    dts,
				PTS:    f.PTS + offset,
				Key:    f.Key,
				Data:   f.Data, // shared by every loop and every reader, never written
				Tracks: session,
			})
		}
	}
}

// load demuxes the whole file.
func (s *Source) load() (*media.Tracks, []*media.Frame, error) {
	var r io.ReadSeeker = bytes.NewReader(s.data)
	if !s.inMemory {
		f, err := os.Open(s.path)
		if err != nil {
			return nil, nil, fmt.Errorf("mp4file: %w", err)
		}
		defer f.Close() // read-only: a close error loses nothing
		r = f
	}
	tracks, frames, err := ReadFrames(r)
	switch {
	case errors.Is(err, ErrNoTrack):
		return nil, nil, fmt.Errorf("mp4file: %s has %w", s.name, err)
	case err != nil:
		return nil, nil, fmt.Errorf("mp4file: %s: %w", s.name, err)
	}
	return tracks, frames, nil
}

// ClipDuration is how long one pass over frames (as ReadFrames returns them)
// lasts: from the first DTS to the end of the last frame of the longest
// track, a frame's length being its track's last DTS step. Playing the
// frames again shifted by this much keeps every track's DTS increasing.
func ClipDuration(frames []*media.Frame) time.Duration {
	if len(frames) == 0 {
		return 0
	}
	type track struct {
		last, step time.Duration
		n          int
	}
	var video, audio track
	for _, f := range frames {
		t := &audio
		if f.IsVideo() {
			t = &video
		}
		if t.n > 0 {
			t.step = f.DTS - t.last
		}
		t.last = f.DTS
		t.n++
	}
	end := time.Duration(0)
	for _, t := range []track{video, audio} {
		if t.n == 0 {
			continue
		}
		if t.step <= 0 {
			t.step = 40 * time.Millisecond // a single frame: one 25 fps picture
		}
		end = max(end, t.last+t.step)
	}
	return end - firstDTS(frames)
}

func firstDTS(frames []*media.Frame) time.Duration {
	first := frames[0].DTS
	for _, f := range frames {
		first = min(first, f.DTS)
	}
	return first
}

func cloneVideo(v *media.VideoTrack) *media.VideoTrack {
	if v == nil {
		return nil
	}
	c := *v
	return &c
}

func cloneAudio(a *media.AudioTrack) *media.AudioTrack {
	if a == nil {
		return nil
	}
	c := *a
	return &c
}
