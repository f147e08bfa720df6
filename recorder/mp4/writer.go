package mp4

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"sync/atomic"
	"time"

	"github.com/lubo-edge/lubo/internal/bmff"
	"github.com/lubo-edge/lubo/internal/durable"
	"github.com/lubo-edge/lubo/media"
)

var (
	// ErrTracksChanged is returned by WriteFrame for a frame whose codec
	// parameters differ from the file's: the caller starts a new file.
	ErrTracksChanged = errors.New("mp4: codec parameters differ from the file's")
	// ErrNothingToRecord is returned by Create for tracks of which MP4 can
	// carry none (e.g. G.711 audio without video).
	ErrNothingToRecord = errors.New("mp4: no track MP4 can carry")
	// ErrClosed is returned by WriteFrame after Close.
	ErrClosed = errors.New("mp4: writer is closed")
)

// Writer writes one recording as a fragmented MP4 (the .part file): an
// init segment (ftyp+moov) at once, then one moof+mdat fragment per
// keyframe interval or Options.FragmentMax, each written in a few large
// Writes straight from the frames' data (no copy of the fragment is held)
// and made durable with fdatasync. A crash therefore loses at most the
// fragment being collected, and Finalize turns whatever is on disk into a
// progressive MP4.
//
// Write errors are sticky: after one, WriteFrame returns it again and the
// file keeps exactly the fragments written before (a half-written one is
// cut off where the file allows, and is ignored by Finalize otherwise).
//
// WriteFrame and Close must be called from one goroutine; the accessors
// (Bytes, Duration, Frames, Fragments, DroppedAudio) may be called from any.
type Writer struct {
	path   string
	f      File
	opts   Options
	tracks *media.Tracks // the session the file records

	video, audio *trackWriter
	all          []*trackWriter // in track ID order
	skippedAudio error

	headerDone bool
	started    bool
	start      time.Duration // DTS of the first frame: time zero of the file
	fragStart  time.Duration // DTS of the open fragment's first frame
	fragOpen   bool
	seq        uint32
	out        bmff.Builder // the init segment, then each fragment's head
	head       bmff.FragmentHead
	err        error // sticky write error
	closed     bool

	written   atomic.Int64
	frames    atomic.Int64
	fragments atomic.Int64
	dropped   atomic.Int64
	dur       atomic.Int64
}

// Create opens path (the caller passes "….mp4.part") and writes the init
// segment for t. Audio MP4 cannot carry (G.711) is left out: SkippedAudio
// says why and DroppedAudio counts its frames. When the video parameter
// sets are not known yet, the init segment is written at the first
// keyframe that carries them.
func Create(path string, t *media.Tracks, opts Options) (*Writer, error) {
	if t == nil {
		return nil, ErrNothingToRecord
	}
	w := &Writer{path: path, opts: opts.withDefaults(), tracks: t}
	id := uint32(1)
	if v := t.Video; v != nil {
		var cfg *trackConfig
		if !missingParamSets(v) {
			var err error
			if cfg, err = newVideoConfig(v); err != nil {
				return nil, fmt.Errorf("mp4 %s: %w", path, err)
			}
		} else if !v.Codec.IsVideo() {
			return nil, fmt.Errorf("mp4 %s: video codec %v cannot go into MP4", path, v.Codec)
		}
		w.video = newTrackWriter(id, v.Codec, cfg)
		w.all = append(w.all, w.video)
		id++
	}
	if a := t.Audio; a != nil {
		cfg, err := newAudioConfig(a)
		if err != nil {
			w.skippedAudio = err
		} else {
			w.audio = newTrackWriter(id, a.Codec, cfg)
			w.all = append(w.all, w.audio)
		}
	}
	if len(w.all) == 0 {
		return nil, fmt.Errorf("mp4 %s: %s: %w", path, t, ErrNothingToRecord)
	}

	f, err := w.opts.OpenFile(path)
	if err != nil {
		return nil, fmt.Errorf("mp4: create %s: %w", path, err)
	}
	w.f = f
	if w.video == nil || w.video.cfg != nil {
		if err := w.writeHeader(); err != nil {
			f.Close()
			return nil, err
		}
	}
	return w, nil
}

func missingParamSets(v *media.VideoTrack) bool {
	return len(v.SPS) == 0 || len(v.PPS) == 0 || (v.Codec == media.H265 && len(v.VPS) == 0)
}

// writeHeader writes and syncs the init segment, and syncs the directory
// so the file itself survives a crash.
func (w *Writer) writeHeader() error {
	encodeInit(&w.out, w.all)
	err := w.writeDurably(w.out.Bytes(), "init segment", 0)
	w.out = bmff.Builder{} // its index reservation; fragment heads are far smaller
	if err != nil {
		return err
	}
	if !w.opts.NoSync {
		if err := durable.SyncDir(filepath.Dir(w.path)); err != nil {
			w.err = fmt.Errorf("mp4 %s: %w", w.path, err)
			return w.err
		}
	}
	w.headerDone = true
	return nil
}

// WriteFrame adds one frame. Video before the first keyframe, and audio
// before it when there is video, is dropped: the file starts with a
// picture, at time zero. f.Data is not copied: the writer reads it when it
// writes the fragment (at the next keyframe, FragmentMax or Close), so the
// caller must not modify it until then; relay frames are never modified.
func (w *Writer) WriteFrame(f *media.Frame) error {
	if w.err != nil {
		return w.err
	}
	if w.closed {
		return ErrClosed
	}
	if f.Tracks != nil && f.Tracks != w.tracks {
		if !sameCodecs(w.tracks, f.Tracks) {
			return fmt.Errorf("mp4 %s: %w: %s, file has %s", w.path, ErrTracksChanged, f.Tracks, w.tracks)
		}
		w.tracks = f.Tracks
	}
	t := w.trackOf(f.Codec)
	if t == nil {
		if f.Codec.IsAudio() && w.audio == nil && w.tracks.Audio != nil && w.tracks.Audio.Codec == f.Codec {
			w.dropped.Add(1)
			return nil
		}
		return fmt.Errorf("mp4 %s: %w: a %v frame, file has %s", w.path, ErrTracksChanged, f.Codec, w.tracks)
	}
	if !w.headerDone {
		if t != w.video || !f.Key {
			return nil
		}
		v := *w.tracks.Video
		media.FillParamSets(&v, f.Data)
		if missingParamSets(&v) {
			return nil
		}
		cfg, err := newVideoConfig(&v)
		if err != nil {
			return fmt.Errorf("mp4 %s: %w", w.path, err)
		}
		w.video.cfg = cfg
		if err := w.writeHeader(); err != nil {
			return err
		}
	}
	if !w.started {
		if w.video != nil && (t != w.video || !f.Key) {
			return nil
		}
		w.started, w.start = true, f.DTS
	}
	rel := f.DTS - w.start
	if rel < 0 {
		return nil // audio from before the first picture
	}
	ts := t.timescale()
	dts, pts := bmff.Ticks(rel, ts), bmff.Ticks(f.PTS-w.start, ts)
	if t.last >= 0 && dts <= t.last {
		dts = t.last + 1 // decode times must grow; the composition offset keeps the PTS
	}

	if w.fragOpen && w.cutBefore(t, f) {
		if err := w.flush(t, dts); err != nil {
			return err
		}
	}
	if !t.add(f, dts, pts) {
		return nil
	}
	if !w.fragOpen {
		w.fragOpen, w.fragStart = true, f.DTS
	}
	w.frames.Add(1)
	if d := duration(t.end(), ts); d > time.Duration(w.dur.Load()) {
		w.dur.Store(int64(d))
	}
	return nil
}

// maxFragmentBytes bounds a fragment's payload: seconds of the fastest
// camera are a few MB.
const maxFragmentBytes = 64 << 20

// cutBefore decides whether the open fragment ends before frame f of track
// t: at every video keyframe, so fragments start with a picture, and when
// the fragment would grow past FragmentMax. With video, the length limit is
// checked on video frames (so the last picture's duration is known exactly)
// unless video stalls for twice the limit.
func (w *Writer) cutBefore(t *trackWriter, f *media.Frame) bool {
	if t == w.video && f.Key {
		return true
	}
	// A camera whose clock stands still and sends no keyframe would grow
	// the fragment, and the frames it holds, without end.
	open := len(f.Data)
	for _, x := range w.all {
		open += x.size
	}
	if open > maxFragmentBytes {
		return true
	}
	age := f.DTS - w.fragStart
	if w.video == nil || t == w.video {
		return age >= w.opts.FragmentMax
	}
	return age >= 2*w.opts.FragmentMax
}

func (w *Writer) trackOf(c media.Codec) *trackWriter {
	switch {
	case w.video != nil && w.video.codec == c:
		return w.video
	case w.audio != nil && w.audio.codec == c:
		return w.audio
	}
	return nil
}

// flush writes the open fragment; next and nextDTS are the frame that
// closes it (nil at the end).
func (w *Writer) flush(next *trackWriter, nextDTS int64) error {
	w.seq++
	if err := encodeFragmentHead(&w.out, &w.head, w.seq, w.all, next, nextDTS); err != nil {
		w.err = fmt.Errorf("mp4 %s: fragment %d: %w", w.path, w.seq, err)
		return w.err
	}
	if err := w.writeFragment(); err != nil {
		return err
	}
	for _, t := range w.all {
		t.clearFragment()
	}
	w.fragOpen = false
	w.fragments.Add(1)
	return nil
}

// writeDurably writes b with one Write and syncs it.
func (w *Writer) writeDurably(b []byte, what string, seq uint32) error {
	n, err := w.f.Write(b)
	if err == nil && n < len(b) {
		err = io.ErrShortWrite
	}
	return w.finishWrite(int64(max(n, 0)), err, what, seq)
}

// finishWrite ends the write of one box or fragment, of which n bytes
// reached the file: on success it syncs them. On failure it makes the
// error sticky and tries to cut the file back to its last complete box, so
// a later look at the file finds no half-written one (Finalize copes
// without that too).
func (w *Writer) finishWrite(n int64, err error, what string, seq uint32) error {
	if err != nil {
		if tr, ok := w.f.(interface{ Truncate(int64) error }); ok && n > 0 {
			_ = tr.Truncate(w.written.Load())
		}
	} else {
		w.written.Add(n)
		if !w.opts.NoSync {
			// After a failed fsync the kernel may have dropped the dirty
			// pages: what is on disk is unknown, so the writer stops there too.
			err = w.f.Sync()
		}
	}
	if err != nil {
		if seq > 0 {
			what = fmt.Sprintf("%s %d", what, seq)
		}
		w.err = fmt.Errorf("mp4 %s: write %s: %w", w.path, what, err)
		return w.err
	}
	return nil
}

// Close writes the open fragment and an end marker, and closes the file.
// It returns the writer's sticky error, if any, or the first new one.
// The .part is then ready for Finalize.
func (w *Writer) Close() error {
	if w.closed {
		return w.err
	}
	w.closed = true
	err := w.err
	if err == nil && w.headerDone {
		if w.fragOpen {
			err = w.flush(nil, 0)
		}
		if err == nil {
			err = w.writeDurably(endMarker, "end marker", 0)
		}
	}
	if cerr := w.f.Close(); cerr != nil && err == nil {
		err = fmt.Errorf("mp4 %s: close: %w", w.path, cerr)
	}
	return err
}

// Bytes is the size of what has been written to the file.
func (w *Writer) Bytes() int64 { return w.written.Load() }

// Duration is the media time from the file's first frame to the end of the
// newest frame accepted (written or still in the open fragment).
func (w *Writer) Duration() time.Duration { return time.Duration(w.dur.Load()) }

// Frames counts the frames accepted (written or still in the open fragment).
func (w *Writer) Frames() int64 { return w.frames.Load() }

// Fragments counts the fragments written and synced.
func (w *Writer) Fragments() int64 { return w.fragments.Load() }

// DroppedAudio counts the audio frames left out because MP4 cannot carry
// their codec (see SkippedAudio).
func (w *Writer) DroppedAudio() int64 { return w.dropped.Load() }

// SkippedAudio says why the source's audio track is not in the file (e.g.
// G.711), or is nil when it is (or when there is none). The caller logs it
// once.
func (w *Writer) SkippedAudio() error { return w.skippedAudio }

// sameCodecs reports whether two sessions' tracks make the same file.
func sameCodecs(a, b *media.Tracks) bool {
	if (a.Video == nil) != (b.Video == nil) || (a.Audio == nil) != (b.Audio == nil) {
		return false
	}
	if v, u := a.Video, b.Video; v != nil {
		if v.Codec != u.Codec || !bytes.Equal(v.SPS, u.SPS) || !bytes.Equal(v.PPS, u.PPS) || !bytes.Equal(v.VPS, u.VPS) {
			return false
		}
	}
	if x, y := a.Audio, b.Audio; x != nil {
		if x.Codec != y.Codec || x.SampleRate != y.SampleRate || x.Channels != y.Channels || !bytes.Equal(x.Config, y.Config) {
			return false
		}
	}
	return true
}
