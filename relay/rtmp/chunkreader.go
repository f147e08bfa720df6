package rtmp

import (
	"encoding/binary"
	"math/bits"
	"time"
)

// inbound is lubo's own reader of the RTMP chunk stream a peer sends. It
// stands between the socket and gomedia's chunk reader, which can loop for
// ever on a chunk size of 0 or a zero-length message and buffers whatever
// length a peer declares. inbound checks every header against the limits
// in inbound.go, reassembles each message itself, and hands gomedia only
// whole, well-formed messages, each as a single type-0 chunk, so gomedia's
// reader never sees a split chunk, a chunk size it did not get from lubo,
// or an empty message.
//
// Every step consumes at least one input byte, so one read's bytes are
// parsed in time linear in their length.
type inbound struct {
	deliver func([]byte) error // hands gomedia bytes; they are not kept

	handshake int       // handshake bytes still to pass through
	hsSince   time.Time // first handshake byte
	progress  time.Time // the last handshake bytes or whole message

	chunkSize uint32
	streams   map[uint32]*chunkStream
	buffered  int // capacity of every chunk stream's buffer

	cur       *chunkStream // stream whose chunk payload comes next
	chunkLeft int          // payload bytes left in the current chunk

	hdr  [maxHeader]byte // a chunk header split across reads
	nhdr int
}

// chunkStream is one chunk stream's header state and the message being
// assembled on it.
type chunkStream struct {
	// The last header, which type 1-3 headers inherit.
	tsField  uint32 // timestamp or delta of the last header (the extended value if ext)
	ext      bool   // the last header carried an extended timestamp
	ts       uint32 // the current (or last) message's timestamp
	length   int
	typ      uint8
	streamID uint32

	// The message being assembled: headroom, then its payload.
	buf   []byte
	inMsg bool
	since time.Time // when the message's first chunk arrived
}

func newInbound(deliver func([]byte) error) *inbound {
	return &inbound{
		deliver:   deliver,
		handshake: handshakeSize,
		chunkSize: 128, // the protocol's initial chunk size
		streams:   make(map[uint32]*chunkStream),
	}
}

// pendingSince returns when the oldest unfinished part of the input (the
// handshake or a message) began, or the zero time when nothing is pending.
// A peer that starts something and never finishes it is dropped by this
// clock, however slowly it keeps trickling bytes.
func (r *inbound) pendingSince() time.Time {
	var oldest time.Time
	if r.handshake > 0 && !r.hsSince.IsZero() {
		oldest = r.hsSince
	}
	for _, cs := range r.streams {
		if cs.inMsg && (oldest.IsZero() || cs.since.Before(oldest)) {
			oldest = cs.since
		}
	}
	return oldest
}

// lastProgress returns when the last handshake bytes or non-empty message
// arrived; the zero time before any. Bytes that complete nothing (empty
// messages, a message trickled in) are not progress.
func (r *inbound) lastProgress() time.Time { return r.progress }

// feed parses p, received at now, handing each completed message to
// deliver. An error (the peer's, wrapping ErrProtocol, or deliver's) ends
// the connection; feed must not be called again after one.
func (r *inbound) feed(p []byte, now time.Time) error {
	if r.handshake > 0 && len(p) > 0 {
		if r.hsSince.IsZero() {
			r.hsSince = now
		}
		r.progress = now
		n := min(r.handshake, len(p))
		if err := r.deliver(p[:n]); err != nil {
			return err
		}
		p = p[n:]
		r.handshake -= n
		if r.handshake > 0 {
			return nil
		}
		// From here on gomedia reads whole messages in one chunk each.
		if err := r.deliver(setChunkSizeChunk(maxChunkSize)); err != nil {
			return err
		}
	}
	return r.parse(p, now)
}

// parse consumes chunk headers and payload.
func (r *inbound) parse(p []byte, now time.Time) error {
	for len(p) > 0 {
		if r.cur != nil {
			n, err := r.payload(p, now)
			if err != nil {
				return err
			}
			p = p[n:]
			continue
		}
		n, done, err := r.header(p, now)
		if err != nil || !done {
			return err // !done: the rest of the header is in a later read
		}
		p = p[n:]
	}
	return nil
}

// header consumes one chunk header from p, using bytes saved from earlier
// reads. It returns how many bytes of p it used, and false when p ended
// inside the header (p has then been saved).
func (r *inbound) header(p []byte, now time.Time) (int, bool, error) {
	old := r.nhdr
	take := copy(r.hdr[old:], p)
	b := r.hdr[:old+take]
	n, err := r.parseHeader(b, now)
	switch {
	case err != nil:
		return 0, false, err
	case n == 0 && take < len(p):
		return 0, false, protocolError("chunk header longer than %d bytes", maxHeader) // cannot happen
	case n == 0:
		r.nhdr = len(b)
		return 0, false, nil
	}
	r.nhdr = 0
	if n < old {
		// The header ended inside the saved bytes: four bytes peeked
		// for a repeated extended timestamp were payload after all.
		// They come before p. (Their own parse never peeks again: the
		// saved bytes are gone.)
		var rest [maxHeader]byte
		k := copy(rest[:], b[n:old])
		return 0, true, r.parse(rest[:k], now)
	}
	return n - old, true, nil
}

// parseHeader parses the chunk header at the start of b and sets up the
// chunk that follows. It returns the header's length, or 0 when b is too
// short to hold it.
func (r *inbound) parseHeader(b []byte, now time.Time) (int, error) {
	typ, csid := b[0]>>6, uint32(b[0]&0x3F)
	n := 1
	switch csid {
	case 0:
		n = 2
	case 1:
		n = 3
	}
	if len(b) < n {
		return 0, nil
	}
	switch csid {
	case 0:
		csid = 64 + uint32(b[1])
	case 1:
		csid = 64 + uint32(b[1]) + 256*uint32(b[2])
	}
	cs := r.streams[csid]
	if cs == nil && typ != 0 {
		return 0, protocolError("chunk stream %d begins with a type-%d header, which needs a previous one", csid, typ)
	}
	fields := [4]int{11, 7, 3, 0}[typ]
	if len(b) < n+fields {
		return 0, nil
	}
	h := b[n : n+fields]
	n += fields

	if cs == nil {
		if len(r.streams) >= maxChunkStreams {
			return 0, protocolError("more than %d chunk streams", maxChunkStreams)
		}
		cs = &chunkStream{}
		r.streams[csid] = cs
	}
	continuation := typ == 3 && cs.inMsg
	tsField, ext := cs.tsField, cs.ext // a type-3 header repeats the last one
	if typ < 3 {
		tsField = uint32(h[0])<<16 | uint32(h[1])<<8 | uint32(h[2])
		ext = tsField == 0xFFFFFF
	}
	if ext {
		if len(b) < n+4 {
			return 0, nil
		}
		v := binary.BigEndian.Uint32(b[n:])
		switch {
		case !continuation:
			tsField = v
			n += 4
		case v == cs.tsField:
			// Peers disagree on whether a continuation chunk repeats
			// the extended timestamp (the specification says it does);
			// take the four bytes as the repeat only when they are one.
			n += 4
		}
	}
	if continuation {
		r.startChunk(cs)
		return n, nil
	}

	if cs.inMsg {
		// A new message before the last one ended: the peer gave up on
		// it without an Abort message. Drop it, as an abort would.
		r.abort(cs)
	}
	// After the first message, type 1-3 headers carry a delta; a type-3
	// header after a type-0 one repeats its absolute value as the delta,
	// as FFmpeg and librtmp read it.
	if typ == 0 {
		cs.ts = tsField
		cs.streamID = binary.LittleEndian.Uint32(h[7:])
	} else {
		cs.ts += tsField
	}
	if typ <= 1 {
		cs.length = int(h[3])<<16 | int(h[4])<<8 | int(h[5])
		cs.typ = h[6]
	}
	cs.tsField, cs.ext = tsField, ext
	if limit := maxMessageLen(cs.typ); cs.length > limit {
		return 0, protocolError("message of type %d on chunk stream %d declares %d bytes; at most %d are accepted",
			cs.typ, csid, cs.length, limit)
	}
	if cs.length == 0 {
		// An empty message carries nothing any handler uses, and
		// gomedia's reader cannot take one: drop it here.
		return n, nil
	}
	if cs.buf == nil {
		if r.buffered+headroom > maxBuffered {
			return 0, protocolError("more than %d bytes of unfinished messages", maxBuffered)
		}
		cs.buf = make([]byte, headroom)
		r.buffered += headroom
	}
	cs.inMsg = true
	cs.since = now
	cs.buf = cs.buf[:headroom]
	r.startChunk(cs)
	return n, nil
}

// startChunk sets up the payload of cs's next chunk.
func (r *inbound) startChunk(cs *chunkStream) {
	r.cur = cs
	r.chunkLeft = min(int(r.chunkSize), cs.length-(len(cs.buf)-headroom))
}

// payload consumes chunk payload from p and returns how many bytes it used.
func (r *inbound) payload(p []byte, now time.Time) (int, error) {
	cs := r.cur
	k := min(r.chunkLeft, len(p))
	if err := r.grow(cs, k); err != nil {
		return 0, err
	}
	cs.buf = append(cs.buf, p[:k]...)
	r.chunkLeft -= k
	if r.chunkLeft > 0 {
		return k, nil
	}
	r.cur = nil
	if len(cs.buf)-headroom < cs.length {
		return k, nil // more chunks to come
	}
	r.progress = now
	return k, r.complete(cs)
}

// grow makes room for k more payload bytes in cs's buffer, never beyond
// the declared length, within the connection's buffer budget. The size
// depends only on how much has arrived, not on how the reads split it,
// so whether a peer exceeds the budget does not depend on the network.
func (r *inbound) grow(cs *chunkStream, k int) error {
	need := len(cs.buf) + k
	if need <= cap(cs.buf) {
		return nil
	}
	size := min(max(4<<10, 1<<bits.Len(uint(need-1))), headroom+cs.length)
	if r.buffered-cap(cs.buf)+size > maxBuffered {
		return protocolError("more than %d bytes of unfinished messages", maxBuffered)
	}
	buf := make([]byte, len(cs.buf), size)
	copy(buf, cs.buf)
	r.buffered += size - cap(cs.buf)
	cs.buf = buf
	return nil
}

// abort drops the message being assembled on cs.
func (r *inbound) abort(cs *chunkStream) {
	cs.inMsg = false
	if r.cur == cs {
		r.cur = nil
	}
	r.release(cs)
}

// release gives a large buffer back after its message.
func (r *inbound) release(cs *chunkStream) {
	if cap(cs.buf) > keepBuffer {
		r.buffered -= cap(cs.buf)
		cs.buf = nil
	}
}

// complete handles the whole message on cs: the chunk-layer control
// messages here, everything else in gomedia.
func (r *inbound) complete(cs *chunkStream) error {
	cs.inMsg = false
	defer r.release(cs)
	body := cs.buf[headroom:]
	switch cs.typ {
	case msgSetChunkSize:
		if len(body) < 4 {
			return protocolError("Set Chunk Size of %d bytes", len(body))
		}
		size := binary.BigEndian.Uint32(body)
		if size == 0 || size > 0x7FFFFFFF {
			return protocolError("chunk size %d; 1 to 2147483647 is valid", size)
		}
		r.chunkSize = min(size, maxChunkSize)
		return nil
	case msgAbort:
		if len(body) < 4 {
			return protocolError("Abort Message of %d bytes", len(body))
		}
		if other := r.streams[binary.BigEndian.Uint32(body)]; other != nil && other.inMsg {
			r.abort(other)
		}
		return nil
	case msgCommandAMF0:
		if err := checkAMF0(body); err != nil {
			return err
		}
	}
	start := headroom - putChunkHeader(cs.buf[:headroom], cs.ts, cs.length, cs.typ, cs.streamID)
	return r.deliver(cs.buf[start : headroom+cs.length])
}

// putChunkHeader writes a type-0 header on outChunkStream at the end of
// dst and returns its length.
func putChunkHeader(dst []byte, ts uint32, length int, typ uint8, streamID uint32) int {
	n := 12
	if ts >= 0xFFFFFF {
		n = 16
	}
	h := dst[len(dst)-n:]
	h[0] = outChunkStream
	stamp := min(ts, 0xFFFFFF)
	h[1], h[2], h[3] = byte(stamp>>16), byte(stamp>>8), byte(stamp)
	h[4], h[5], h[6] = byte(length>>16), byte(length>>8), byte(length)
	h[7] = typ
	binary.LittleEndian.PutUint32(h[8:12], streamID)
	if n == 16 {
		binary.BigEndian.PutUint32(h[12:], ts)
	}
	return n
}

// setChunkSizeChunk is a Set Chunk Size message as one chunk.
func setChunkSizeChunk(size uint32) []byte {
	return chunk(2, msgSetChunkSize, 0, binary.BigEndian.AppendUint32(nil, size))
}
