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
	// or seg{N}.m4s files and served from (with sendfile), instead of being
	// held in memory: at 4 Mbps a window of segments is megabytes per
	// channel, which a small box should leave to the page cache. The muxer
	// owns the folder's seg* files: stale ones are removed at start and at
	// Close. fMP4 init sections (a few hundred bytes) stay in memory.
	// Default "" (memory).
	Dir string
	// Variant is the segment format: VariantTS, VariantFMP4, or VariantAuto
	// (fMP4 when a session's video is H.265, which players only take in
	// fMP4; MPEG-TS otherwise). Decided per source session. Default
	// VariantAuto.
	Variant Variant
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
// MPEG-TS or fMP4 segments, held in memory or in files, and serves them with
// a sliding playlist (see ServeHTTP).
//
// The playlist's EXT-X-TARGETDURATION is fixed when the muxer is made: the
// segment target rounded to whole seconds (at least 1). RFC 8216 6.2.1 wants
// every segment's duration, rounded, at most that, and forbids changing it.
// So a segment ends at the first keyframe at or after the segment target,
// or after the target duration - 0.5 s when that is earlier (it still
// rounds to the target duration); and a camera whose GOP is too long for
// that gets its segment split before it would exceed the target duration,
// on a picture that is not a keyframe (see Cutter.Limit): no picture is
// lost and the value never changes. While
// such a segment is listed, an fMP4 playlist does not claim
// EXT-X-INDEPENDENT-SEGMENTS. WriteFrame is called from one goroutine, the stream's
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
	fmp4        fmp4Writer
	seg         openSegment // the segment being written
	lastVariant Variant     // variant of the last session that began a segment
	init        *fmp4Init   // init section of the fMP4 session
	initTracks  *media.Tracks
	initFailed  *media.Tracks     // session whose init section could not be built
	leadAudio   *media.Frame      // the last AAC frame dropped before a session's first keyframe
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
	listFrom  uint64 // the playlist lists no segment before this one
	target    int    // EXT-X-TARGETDURATION, seconds
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
	split         bool // begins on a picture that is not a keyframe
	fresh         bool // first of a session with another variant: the playlist starts over
	dur           time.Duration
	size          int
	data          []byte
	path          string
	ext           string    // ".ts" or ".m4s"
	init          *fmp4Init // fMP4 only
}

// name is the segment's file name, relative to the playlist.
func (s *segment) name() string { return segmentName(s.seq, s.ext) }

// openSegment is what HLS knows of the segment being written.
type openSegment struct {
	variant       Variant // "" when no segment is open
	start         time.Duration
	discontinuity bool
	split         bool
	init          *fmp4Init
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
	target := targetDuration(opts.Target)
	return &HLS{
		opts: opts,
		log:  opts.Logger.With("channel", opts.Channel),
		keep: opts.Window + extraSegments,
		// A keyframe from half a second below the target duration on
		// ends the segment (it rounds to the target duration): cameras
		// with irregular GOPs (x265's scene cuts) then need fewer splits.
		cutter:  Cutter{Target: min(opts.Target, target-500*time.Millisecond), Limit: segmentLimit(target)},
		nextSeq: opts.FirstSequence,
		target:  int(target / time.Second),
		ready:   make(chan struct{}),
	}
}

// targetDuration is the playlist's EXT-X-TARGETDURATION for a segment
// target: rounded to the nearest second, at least one.
func targetDuration(target time.Duration) time.Duration {
	return max(1, target.Round(time.Second)/time.Second) * time.Second
}

// segmentLimit is the length every segment stays below so that, rounded to
// the nearest second, it is at most target. The EXTINF value is printed
// with three decimals, so the limit keeps 1 ms below the half second.
func segmentLimit(target time.Duration) time.Duration {
	return target + 499*time.Millisecond
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
		end := h.openEnd()
		if cut.Start && !cut.Discontinuity {
			end = f.DTS
		}
		h.finishSegment(end)
	}
	if cut.Drop {
		h.dropBeforeKey.Add(1)
		if f.Codec == media.AAC {
			h.leadAudio = f
		}
		return
	}
	if cut.Start {
		h.beginSegment(f, cut)
		h.addLeadAudio(f)
	}
	var err error
	switch h.seg.variant {
	case VariantTS:
		err = h.ts.write(f)
	case VariantFMP4:
		err = h.fmp4.write(f)
	default: // the session cannot be muxed; said once in beginSegment
		err = errNoStream
	}
	if err != nil {
		h.dropInvalid.Add(1)
		h.log.Debug("hls: frame dropped", "codec", f.Codec, "err", err)
	}
}

// beginSegment opens a segment starting with f, in the variant of f's
// session.
func (h *HLS) beginSegment(f *media.Frame, cut Cut) {
	t := f.Tracks
	withAudio := t.Audio != nil && t.Audio.Codec == media.AAC && h.aacUsable(t)
	h.mu.Lock()
	seq := h.nextSeq
	h.mu.Unlock()
	variant := h.opts.Variant.resolve(t)
	h.seg = openSegment{variant: variant, start: f.DTS, discontinuity: cut.Discontinuity, split: cut.Split}
	switch variant {
	case VariantTS:
		h.ts.begin(t, withAudio, h.aacHeader, f.DTS, cut.Discontinuity)
		if h.opts.Dir != "" {
			h.ts.file = createSegmentFile(h.opts.Dir, seq, ".ts")
		}
	case VariantFMP4:
		in := h.initFor(f, withAudio, seq)
		if in == nil {
			h.seg.variant = ""
			return
		}
		var file *segmentFile
		if h.opts.Dir != "" {
			file = createSegmentFile(h.opts.Dir, seq, ".m4s")
		}
		h.seg.init = in
		// mfhd sequence numbers start at 1.
		h.fmp4.begin(in, f.DTS, uint32(seq+1), file)
	}
}

// addLeadAudio puts the audio frame that was playing when a session's first
// keyframe came (dropped, as it came before it) into an fMP4 segment
// starting with that keyframe. Otherwise the audio would start a fraction
// of a frame after the video, and a browser's MediaSource, which buffers
// where both have data, would begin with a hole hls.js stalls on and seeks
// over. (In MPEG-TS, hls.js's own remuxer lines the tracks up.)
func (h *HLS) addLeadAudio(key *media.Frame) {
	lead := h.leadAudio
	h.leadAudio = nil
	if lead == nil || h.seg.variant != VariantFMP4 || lead.Tracks != key.Tracks || h.seg.init.audioID == 0 {
		return
	}
	frame := time.Duration(1024 * float64(time.Second) / float64(h.seg.init.audioRate))
	if lead.DTS > key.DTS || key.DTS-lead.DTS >= frame {
		return
	}
	if h.fmp4.write(lead) == nil {
		h.dropBeforeKey.Add(^uint64(0)) // not dropped after all
	}
}

// initFor returns the fMP4 init section for f's session: the current one
// when the session's tracks decode the same, else a new one named after
// seq, the first segment using it. It is nil, and said once in the log,
// when the tracks cannot be described (no parameter sets, say).
func (h *HLS) initFor(f *media.Frame, withAudio bool, seq uint64) *fmp4Init {
	t := f.Tracks
	if t == h.initTracks && h.init != nil {
		return h.init
	}
	if t == h.initFailed {
		return nil
	}
	v := t.Video
	if v != nil && (len(v.SPS) == 0 || len(v.PPS) == 0 || (v.Codec == media.H265 && len(v.VPS) == 0)) {
		// Sources that carry the parameter sets only in band: take them
		// from the keyframe, on a copy (Tracks are never modified).
		c := *v
		media.FillParamSets(&c, f.Data)
		v = &c
	}
	var a *media.AudioTrack
	if withAudio {
		a = t.Audio
	}
	if in := h.init; in != nil && media.SameVideo(in.video, v) && media.SameAudio(in.audio, a) {
		h.initTracks = t
		return in
	}
	in, err := newFMP4Init(initName(seq), v, a)
	if err != nil {
		h.initFailed = t
		h.log.Warn("hls: cannot describe the session's tracks in fMP4, leaving it out", "tracks", t.String(), "session", t.Session, "err", err)
		return nil
	}
	h.init, h.initTracks = in, t
	return in
}

// openEnd estimates where the open segment ends.
func (h *HLS) openEnd() time.Duration {
	switch h.seg.variant {
	case VariantTS:
		return h.ts.end()
	case VariantFMP4:
		return h.fmp4.end()
	}
	return h.seg.start
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
	open := h.seg
	h.seg = openSegment{}
	s := &segment{
		dur: max(end-open.start, 0), discontinuity: open.discontinuity, split: open.split,
		init: open.init, fresh: h.lastVariant != "" && h.lastVariant != open.variant,
	}
	var data []byte
	var file *segmentFile
	switch open.variant {
	case VariantTS:
		if !h.ts.open {
			return
		}
		s.ext = ".ts"
		if h.ts.file != nil {
			file = h.ts.finishFile()
		} else {
			data = h.ts.finish()
		}
	case VariantFMP4:
		s.ext = ".m4s"
		data, file = h.fmp4.finish(end)
	default:
		return
	}
	if file != nil {
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
	} else {
		if len(data) == 0 {
			return
		}
		s.data, s.size = data, len(data)
	}
	if s.dur >= segmentLimit(time.Duration(h.target)*time.Second) {
		// Only a gap in the source's timestamps inside the segment gets
		// here: the Cutter keeps segments of a steady stream below it.
		h.log.Warn("hls: segment longer than the target duration (a gap in the source's timestamps)", "duration", s.dur, "target_duration", h.target)
	}
	h.lastVariant = open.variant
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
	if s.fresh {
		// Another segment format: a playlist cannot go from MPEG-TS to
		// fMP4 or back, so it starts over as if the older segments had
		// slid out of the window (they stay fetchable a while).
		h.listFrom = s.seq
	}
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
	h.finishSegment(h.openEnd())
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
