package relay

import (
	"log/slog"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/lubo-edge/lubo/media"
)

// StreamOptions configures a Stream. Zero values mean the documented default.
type StreamOptions struct {
	// OnDemand runs the source only while the stream has readers. Default false.
	OnDemand bool
	// IdleTimeout is how long an on-demand source keeps running after its
	// last reader left. Default 30s.
	IdleTimeout time.Duration
	// ReaderQueue is the most frames each reader may queue before it drops
	// to the next keyframe. Default 1024 (about 14 s of 25 fps video with
	// 48 kHz AAC). A reader's ring starts small and grows to it only while
	// the reader falls behind.
	ReaderQueue int
	// StopTimeout is how long a source may take to stop once cancelled;
	// after it the source's goroutine is abandoned and logged. Default 5s.
	StopTimeout time.Duration
	// Backoff paces reconnects after a failed source session.
	Backoff Backoff
	// Logger receives the stream's log lines; a "channel" attribute is added.
	Logger *slog.Logger

	// Parent makes this stream one derived from Parent: its source reads
	// Parent and republishes it changed (G.711 encoded to AAC), and Passes
	// says which of Parent's sessions it would republish unchanged. While
	// Parent's session passes, a reader added here is attached to Parent
	// itself, saving the derived stream's hop per frame; when Parent
	// begins a session that does not pass, those readers move here (at
	// the next keyframe) and the source runs for them. Both or neither.
	Parent *Stream
	Passes func(*media.Tracks) bool
}

// GOP cache bounds: a camera with a huge or missing keyframe interval must
// not make the cache grow without limit.
const (
	maxGOPFrames = 4096
	maxGOPBytes  = 64 << 20
)

// Stats are a stream's counters, read by the metrics and the dashboard.
type Stats struct {
	Up         atomic.Bool
	BytesIn    atomic.Uint64
	FramesIn   atomic.Uint64
	Sessions   atomic.Uint64 // source sessions that delivered tracks
	Reconnects atomic.Uint64 // failed sessions followed by a retry
	Dropped    atomic.Uint64 // frames lost by slow readers, all readers summed
	Jumps      atomic.Uint64 // clock jumps inside a session, each a discontinuity
	Abandoned  atomic.Uint64 // sources that would not stop and were left behind
	Invalid    atomic.Uint64 // pictures dropped at the edge: no NAL unit in them
}

// Stream is one live channel: it takes frames from its Source, keeps the
// current GOP for newcomers and fans every frame out to its readers.
type Stream struct {
	ID   string
	src  Source
	opts StreamOptions
	log  *slog.Logger

	stats   Stats
	demand  chan struct{} // cap 1: reader count changed
	lastErr atomic.Pointer[string]
	// nextRetry is when a failed source is tried again (unix ns); 0 while
	// it runs or waits for readers.
	nextRetry atomic.Int64

	mu      sync.Mutex
	readers []*Reader
	tracks  *media.Tracks
	gop     []*media.Frame
	gopSize int
	closed  bool
	tl      timeline
	// gen numbers source sessions; a publisher of an older one (a source
	// abandoned because it would not stop) can no longer write.
	gen uint64
}

// NewStream makes a stream that pulls from src once Run is called.
func NewStream(id string, src Source, opts StreamOptions) *Stream {
	if opts.IdleTimeout <= 0 {
		opts.IdleTimeout = 30 * time.Second
	}
	if opts.StopTimeout <= 0 {
		opts.StopTimeout = 5 * time.Second
	}
	if opts.ReaderQueue <= 0 {
		opts.ReaderQueue = 1024
	}
	opts.Backoff = opts.Backoff.WithDefaults()
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	return &Stream{
		ID:     id,
		src:    src,
		opts:   opts,
		log:    opts.Logger.With("channel", id),
		demand: make(chan struct{}, 1),
	}
}

// Stats gives the stream's live counters.
func (s *Stream) Stats() *Stats { return &s.stats }

// Tracks is the current session's tracks, nil before the first session.
// A derived stream whose parent's session passes unchanged reports the
// parent's: that is what its readers get.
func (s *Stream) Tracks() *media.Tracks {
	if p := s.opts.Parent; p != nil {
		if t := p.Tracks(); t != nil && s.opts.Passes(t) {
			return t
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.tracks
}

// NextRetry is when a failed source will be tried again; zero while it is
// running or not wanted. A derived stream whose own source has not failed
// gives its parent's.
func (s *Stream) NextRetry() time.Time {
	if ns := s.nextRetry.Load(); ns != 0 {
		return time.Unix(0, ns)
	}
	if p := s.opts.Parent; p != nil {
		return p.NextRetry()
	}
	return time.Time{}
}

// LastError is the most recent source failure, "" when none. A derived
// stream whose own source has not failed gives its parent's: that is why
// its readers have no picture.
func (s *Stream) LastError() string {
	if p := s.lastErr.Load(); p != nil {
		return *p
	}
	if p := s.opts.Parent; p != nil {
		return p.LastError()
	}
	return ""
}

// ReaderCount is the number of attached readers.
func (s *Stream) ReaderCount() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.readers)
}

// AddReader attaches a reader. Its first frames are the cached GOP, so a
// viewer sees a picture at once; on an on-demand stream it starts the source.
// It fails only when the stream has been shut down.
func (s *Stream) AddReader(name string) (*Reader, error) {
	r := newReader(name, s, s.opts.ReaderQueue)
	if p := s.opts.Parent; p != nil && p.addPassing(r, s) {
		return r, nil
	}
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return nil, ErrReaderClosed
	}
	s.attachLocked(r)
	s.mu.Unlock()
	s.poke()
	return r, nil
}

// attachLocked gives r the cached GOP and adds it to the readers; s.mu is
// held.
func (s *Stream) attachLocked(r *Reader) {
	r.stream.Store(s)
	if len(s.gop) <= r.limit {
		r.reserve(len(s.gop))
		copy(r.ring, s.gop)
		r.n = len(s.gop)
	} else {
		r.waitKey = true
	}
	if r.n == 0 && s.tracks != nil && s.tracks.Video != nil {
		r.waitKey = true // mid-GOP: start at the next keyframe
	}
	s.readers = append(s.readers, r)
}

// addPassing attaches r, a new reader of the derived stream home, to s
// itself when s's session passes home's filter or s has none yet (its
// first session moves r if it does not pass); false when it does not (or
// s is shut), and r is home's to attach.
func (s *Stream) addPassing(r *Reader, home *Stream) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed || (s.tracks != nil && !home.opts.Passes(s.tracks)) {
		return false
	}
	home.mu.Lock()
	closed := home.closed
	home.mu.Unlock()
	if closed {
		return false // home refuses it
	}
	r.home = home
	s.attachLocked(r)
	s.poke()
	return true
}

// moveNotPassing hands the readers of derived streams whose filter this
// session (t) fails to those streams; s.mu is held. They restart at the
// derived stream's next keyframe, which its source makes from this
// session's first. The streams to start are returned.
func (s *Stream) moveNotPassing(t *media.Tracks) []*Stream {
	var started []*Stream
	kept := s.readers[:0]
	for _, r := range s.readers {
		if r.home == nil || r.home.opts.Passes(t) {
			kept = append(kept, r)
			continue
		}
		home := r.home
		r.home = nil
		r.restartAtKey()
		home.mu.Lock()
		if home.closed {
			home.mu.Unlock()
			r.shut()
			continue
		}
		r.stream.Store(home)
		home.readers = append(home.readers, r)
		home.mu.Unlock()
		if !slices.Contains(started, home) {
			started = append(started, home)
		}
	}
	clear(s.readers[len(kept):])
	s.readers = kept
	return started
}

// removeReader detaches r; false when r was not attached to s.
func (s *Stream) removeReader(r *Reader) bool {
	s.mu.Lock()
	found := false
	for i, x := range s.readers {
		if x == r {
			last := len(s.readers) - 1
			s.readers[i] = s.readers[last]
			s.readers[last] = nil
			s.readers = s.readers[:last]
			found = true
			break
		}
	}
	s.mu.Unlock()
	s.poke()
	return found
}

func (s *Stream) poke() {
	select {
	case s.demand <- struct{}{}:
	default:
	}
}

// begin starts a new source session.
func (s *Stream) begin(gen uint64, t *media.Tracks) {
	s.mu.Lock()
	if gen != s.gen {
		s.mu.Unlock()
		return
	}
	n := int(s.stats.Sessions.Add(1))
	tracks := *t
	tracks.Session = n
	s.tracks = &tracks
	s.gop = clearFrames(s.gop)
	s.gopSize = 0
	s.tl.newSession()
	moved := s.moveNotPassing(&tracks)
	s.mu.Unlock()
	for _, d := range moved {
		d.poke() // an on-demand derived stream starts its source for them
	}
	if len(moved) > 0 {
		s.poke() // fewer readers here
	}
	s.stats.Up.Store(true)
	s.log.Info("source session started", "session", n, "tracks", tracks.String())
}

// write rebases f onto the stream timeline, caches and fans it out.
// It never blocks on a reader.
func (s *Stream) write(gen uint64, f *media.Frame) {
	if f.IsVideo() {
		// The relay's edge: every output may trust that a picture is
		// non-empty NAL units behind 4-byte start codes.
		data, ok := media.CanonicalAnnexB(f.Data)
		if !ok {
			s.stats.Invalid.Add(1)
			return
		}
		f.Data = data
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if gen != s.gen {
		return // an abandoned session
	}
	s.stats.FramesIn.Add(1)
	s.stats.BytesIn.Add(uint64(len(f.Data)))
	if s.tracks == nil {
		return // a source that forgot Begin; nothing can describe this frame
	}
	hasVideo := s.tracks.Video != nil
	if s.tl.rebase(f, hasVideo) {
		s.newEpoch(f)
	}
	f.Tracks = s.tracks
	s.cache(f, hasVideo)
	for _, r := range s.readers {
		r.push(s, f, hasVideo)
	}
}

// newEpoch marks a jump of the camera's clock inside a session: readers
// see a new *Tracks, as after a reconnect, and treat it as a discontinuity
// (HLS marks it, recording starts a new slice). The cached GOP belongs to
// the old epoch and is dropped.
func (s *Stream) newEpoch(f *media.Frame) {
	tracks := *s.tracks
	s.tracks = &tracks
	s.gop = clearFrames(s.gop)
	s.gopSize = 0
	s.stats.Jumps.Add(1)
	s.log.Warn("source clock jumped; marking a discontinuity", "codec", f.Codec.String(), "at", f.DTS)
}

// endSession forgets the session's cached GOP: a viewer that arrives while
// the source is stopped or reconnecting must not get stale pictures.
func (s *Stream) endSession() {
	s.mu.Lock()
	s.gop = clearFrames(s.gop)
	s.gopSize = 0
	s.mu.Unlock()
}

// cache keeps the frames since the last video keyframe.
func (s *Stream) cache(f *media.Frame, hasVideo bool) {
	if !hasVideo {
		return
	}
	if f.IsVideo() && f.Key {
		s.gop = clearFrames(s.gop)
		s.gopSize = 0
	} else if len(s.gop) == 0 {
		return // no keyframe yet in this session
	}
	if len(s.gop) >= maxGOPFrames || s.gopSize+len(f.Data) > maxGOPBytes {
		s.gop = clearFrames(s.gop)
		s.gopSize = 0
		return
	}
	s.gop = append(s.gop, f)
	s.gopSize += len(f.Data)
}

// clearFrames empties a frame slice, releasing the frames for the GC.
func clearFrames(fs []*media.Frame) []*media.Frame {
	clear(fs)
	return fs[:0]
}

// shut closes every reader; Run calls it on its way out.
func (s *Stream) shut() {
	if p := s.opts.Parent; p != nil {
		p.shutParked(s) // readers of s sitting on its parent are s's too
	}
	s.mu.Lock()
	s.closed = true
	readers := s.readers
	s.readers = nil
	s.gop = clearFrames(s.gop)
	s.mu.Unlock()
	for _, r := range readers {
		r.shut()
	}
}

// shutParked closes the readers of the derived stream home attached to s.
func (s *Stream) shutParked(home *Stream) {
	var parked []*Reader
	s.mu.Lock()
	kept := s.readers[:0]
	for _, r := range s.readers {
		if r.home == home {
			parked = append(parked, r)
			continue
		}
		kept = append(kept, r)
	}
	clear(s.readers[len(kept):])
	s.readers = kept
	s.mu.Unlock()
	for _, r := range parked {
		r.shut()
	}
	s.poke()
}

// publisher is what a source session writes into.
type publisher struct {
	s   *Stream
	gen uint64
}

func (p publisher) Begin(t *media.Tracks)     { p.s.begin(p.gen, t) }
func (p publisher) WriteFrame(f *media.Frame) { p.s.write(p.gen, f) }

// nextSession makes the publisher of a new source session, retiring the
// previous one.
func (s *Stream) nextSession() publisher {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.gen++
	return publisher{s: s, gen: s.gen}
}

// retire stops the current session's publisher from writing.
func (s *Stream) retire() {
	s.mu.Lock()
	s.gen++
	s.mu.Unlock()
}
