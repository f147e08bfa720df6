package segmenter

import (
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/lubo-edge/lubo/media"
)

// HLS defaults.
const (
	DefaultHLSTarget = 2 * time.Second
	DefaultHLSWindow = 6
	// extraSegments are kept in memory beyond the playlist window, so a slow
	// client fetching the oldest listed segment still finds it after the
	// playlist has moved on.
	extraSegments = 4
)

// HLSOptions configures an HLS muxer. The zero value is usable.
type HLSOptions struct {
	// Channel names the channel in logs.
	Channel string
	// Target is the shortest segment; a segment ends at the first keyframe
	// at or after it. Default 2s.
	Target time.Duration
	// Window is how many segments the playlist lists. Default 6.
	Window int
	// FirstSequence is the media sequence number (and file name number) of
	// the first segment. Default 0. A caller that recreates the muxer of a
	// channel can continue the numbering, so segment URLs never repeat.
	FirstSequence uint64
	// Dir, when set, is where finished segments are written as seg{N}.ts
	// files and served from (with sendfile), instead of being held in
	// memory: at 4 Mbps a window of segments is megabytes per channel, which
	// a small box should leave to the page cache. The muxer owns the folder's
	// seg*.ts files: stale ones are removed at start and at Close.
	// Default "" (memory).
	Dir string
	// Logger receives the muxer's logs. Default slog.Default().
	Logger *slog.Logger
}

// HLSStats counts what an HLS muxer did since it was created.
type HLSStats struct {
	Segments uint64 // finished segments
	Bytes    uint64 // bytes in finished segments
	Dropped  HLSDropped
}

// HLSDropped counts frames left out of HLS, by reason.
type HLSDropped struct {
	// Unsupported frames have a codec MPEG-TS for HLS players cannot carry
	// (G.711).
	Unsupported uint64
	// BeforeKeyframe frames came before the first video keyframe of a
	// session, where no segment can begin.
	BeforeKeyframe uint64
	// Invalid frames could not be muxed: no Tracks, AAC without a usable
	// config, an access unit too big for ADTS, a codec the session's tracks
	// do not declare.
	Invalid uint64
}

// HLS is a live HLS muxer for one channel: it cuts the channel's frames into
// MPEG-TS segments held in memory and serves them with a sliding playlist
// (see ServeHTTP). WriteFrame is called from one goroutine, the stream's
// reader loop; ServeHTTP from any number. It starts no goroutines.
type HLS struct {
	opts HLSOptions
	log  *slog.Logger
	keep int // segments kept in memory

	// Writer side: WriteFrame and Close.
	wmu         sync.Mutex
	closed      bool
	cutter      Cutter
	ts          tsWriter
	aacTrack    *media.AudioTrack // the track aacHeader was built for
	aacHeader   adtsHeader
	aacErr      error
	warnedCodec *media.Tracks // session whose unsupported audio was logged
	warnedAAC   *media.Tracks // session whose unusable AAC config was logged

	// Published side: what ServeHTTP reads.
	mu        sync.Mutex
	segments  []*segment // oldest first, contiguous sequence numbers
	nextSeq   uint64
	discSeq   uint64
	maxDur    time.Duration
	ended     bool
	playlist  []byte        // rendered on every change; nil before the first segment
	ready     chan struct{} // closed at the first segment or at Close
	readyDone bool

	lastRequest   atomic.Int64 // unix nanoseconds of the last HTTP request
	segmentsDone  atomic.Uint64
	bytesDone     atomic.Uint64
	dropUnsupport atomic.Uint64
	dropBeforeKey atomic.Uint64
	dropInvalid   atomic.Uint64
}

// segment is one finished MPEG-TS segment: in memory (data, never modified
// once published and shared by every client that fetches it) or in a file
// (path, data nil).
type segment struct {
	seq           uint64
	discSeq       uint64 // discontinuity sequence number
	discontinuity bool
	dur           time.Duration
	size          int
	data          []byte
	path          string
}

// NewHLS returns a muxer with defaults filled in.
func NewHLS(opts HLSOptions) *HLS {
	if opts.Target <= 0 {
		opts.Target = DefaultHLSTarget
	}
	if opts.Window <= 0 {
		opts.Window = DefaultHLSWindow
	}
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	if opts.Dir != "" {
		removeSegmentFiles(opts.Dir, opts.Logger)
	}
	return &HLS{
		opts:    opts,
		log:     opts.Logger.With("channel", opts.Channel),
		keep:    opts.Window + extraSegments,
		cutter:  Cutter{Target: opts.Target},
		nextSeq: opts.FirstSequence,
		ready:   make(chan struct{}),
	}
}

// WriteFrame adds the next frame of the stream. Frames HLS cannot carry are
// dropped and counted.
func (h *HLS) WriteFrame(f *media.Frame) {
	h.wmu.Lock()
	defer h.wmu.Unlock()
	if h.closed || !h.accept(f) {
		return
	}
	cut := h.cutter.Next(f)
	if cut.End {
		end := h.ts.end()
		if cut.Start && !cut.Discontinuity {
			end = f.DTS
		}
		h.finishSegment(end)
	}
	if cut.Drop {
		h.dropBeforeKey.Add(1)
		return
	}
	if cut.Start {
		t := f.Tracks
		withAudio := t.Audio != nil && t.Audio.Codec == media.AAC && h.aacUsable(t)
		h.ts.begin(t, withAudio, h.aacHeader, f.DTS, cut.Discontinuity)
		if h.opts.Dir != "" {
			h.mu.Lock()
			seq := h.nextSeq
			h.mu.Unlock()
			h.ts.file = createSegmentFile(h.opts.Dir, seq)
		}
	}
	if err := h.ts.write(f); err != nil {
		h.dropInvalid.Add(1)
		h.log.Debug("hls: frame dropped", "codec", f.Codec, "err", err)
	}
}

// accept tells whether f can go into HLS at all, counting and logging (once
// per session) what cannot.
func (h *HLS) accept(f *media.Frame) bool {
	switch {
	case f.Tracks == nil:
		h.dropInvalid.Add(1)
		return false
	case f.Codec == media.H264 || f.Codec == media.H265:
		return true
	case f.Codec == media.AAC:
		if h.aacUsable(f.Tracks) {
			return true
		}
		h.dropInvalid.Add(1)
		if h.warnedAAC != f.Tracks {
			h.warnedAAC = f.Tracks
			h.log.Warn("hls: dropping AAC audio, its config cannot be carried in ADTS", "err", h.aacErr)
		}
		return false
	default:
		h.dropUnsupport.Add(1)
		if h.warnedCodec != f.Tracks {
			h.warnedCodec = f.Tracks
			h.log.Info("hls: dropping audio, HLS players cannot play it in MPEG-TS", "codec", f.Codec, "session", f.Tracks.Session)
		}
		return false
	}
}

// aacUsable reports whether the session's AAC track gives an ADTS header,
// building it once per track.
func (h *HLS) aacUsable(t *media.Tracks) bool {
	if t.Audio == nil {
		h.aacTrack, h.aacErr = nil, errNoStream
		return false
	}
	if t.Audio != h.aacTrack {
		h.aacTrack = t.Audio
		h.aacHeader, h.aacErr = newADTSHeader(t.Audio)
	}
	return h.aacErr == nil
}

// finishSegment closes the open segment, ending at end, and publishes it.
func (h *HLS) finishSegment(end time.Duration) {
	if h.ts.mux == nil {
		return
	}
	s := &segment{dur: max(end-h.ts.start, 0), discontinuity: h.ts.discontinuity}
	if h.ts.file != nil {
		file := h.ts.finishFile()
		size, err := file.commit()
		if err != nil {
			h.dropInvalid.Add(1)
			h.log.Warn("hls: segment lost", "err", err)
			return
		}
		if size == 0 {
			return
		}
		s.path, s.size = file.path, int(size)
		h.publish(s)
		return
	}
	s.data = h.ts.finish()
	if len(s.data) == 0 {
		return
	}
	s.size = len(s.data)
	h.publish(s)
}

// publish adds a finished segment, slides the window and renders the playlist.
func (h *HLS) publish(s *segment) {
	h.mu.Lock()
	defer h.mu.Unlock()
	s.seq = h.nextSeq
	h.nextSeq++
	if s.discontinuity {
		h.discSeq++
	}
	s.discSeq = h.discSeq
	h.maxDur = max(h.maxDur, s.dur)
	h.segments = append(h.segments, s)
	if n := len(h.segments) - h.keep; n > 0 {
		for _, old := range h.segments[:n] {
			removeSegment(old, h.log)
		}
		copy(h.segments, h.segments[n:])
		clear(h.segments[len(h.segments)-n:])
		h.segments = h.segments[:len(h.segments)-n]
	}
	h.segmentsDone.Add(1)
	h.bytesDone.Add(uint64(s.size))
	h.renderLocked()
	h.markReadyLocked()
}

func (h *HLS) markReadyLocked() {
	if !h.readyDone {
		h.readyDone = true
		close(h.ready)
	}
}

// Close finishes the open segment and ends the playlist (EXT-X-ENDLIST).
// Segments stay available to ServeHTTP; frames written afterwards are
// ignored. Safe to call more than once.
func (h *HLS) Close() {
	h.wmu.Lock()
	defer h.wmu.Unlock()
	if h.closed {
		return
	}
	h.closed = true
	h.finishSegment(h.ts.end())
	h.mu.Lock()
	defer h.mu.Unlock()
	h.ended = true
	if len(h.segments) > 0 {
		h.renderLocked()
	}
	h.markReadyLocked()
	if h.opts.Dir != "" {
		// A closed muxer is dropped by its owner; its files go with it.
		for _, s := range h.segments {
			removeSegment(s, h.log)
		}
		h.segments = nil
	}
}

// LastRequest is when a client last asked for anything, zero before the
// first request. An owner running HLS on demand stops it after this gets old.
func (h *HLS) LastRequest() time.Time {
	if ns := h.lastRequest.Load(); ns != 0 {
		return time.Unix(0, ns)
	}
	return time.Time{}
}

// Stats returns the muxer's counters. Safe to call from any goroutine.
func (h *HLS) Stats() HLSStats {
	return HLSStats{
		Segments: h.segmentsDone.Load(),
		Bytes:    h.bytesDone.Load(),
		Dropped: HLSDropped{
			Unsupported:    h.dropUnsupport.Load(),
			BeforeKeyframe: h.dropBeforeKey.Load(),
			Invalid:        h.dropInvalid.Load(),
		},
	}
}
