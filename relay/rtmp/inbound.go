package rtmp

import (
	"errors"
	"fmt"
)

// ErrProtocol is wrapped by the error that ends a connection whose peer
// broke the RTMP chunk protocol or one of lubo's limits on it (a chunk size
// of 0, a message longer than its type may be, too much unfinished data).
var ErrProtocol = errors.New("rtmp: peer broke the protocol")

// Limits on what one peer can make lubo hold. A message's length is
// declared in its first chunk header and checked there, before anything
// is buffered for it.
const (
	// maxVideoMessage fits a 4K H.265 keyframe several times over.
	maxVideoMessage = 8 << 20
	// maxAudioMessage is far above any AAC or G.711 frame.
	maxAudioMessage = 256 << 10
	// maxDataMessage bounds metadata (onMetaData and the like).
	maxDataMessage = 256 << 10
	// maxCommandMessage bounds AMF commands, shared objects and any
	// other message type.
	maxCommandMessage = 64 << 10
	// maxControlMessage bounds protocol and user control messages,
	// which carry 4 to 10 bytes.
	maxControlMessage = 64
	// maxBuffered is the most message-buffer capacity one connection
	// may hold: one largest video message plus room for interleaved
	// audio and data.
	maxBuffered = 10 << 20
	// maxChunkStreams is the most chunk streams one peer may open;
	// encoders use 2 to 8.
	maxChunkStreams = 64
	// keepBuffer is the largest buffer a chunk stream keeps for its next
	// message; bigger ones (keyframes) are given back to the GC.
	keepBuffer = 64 << 10
	// maxChunkSize is the largest chunk size that means anything: a
	// chunk never exceeds its message, and no message exceeds 0xFFFFFF
	// bytes. Larger valid values (up to 0x7FFFFFFF) are equivalent.
	maxChunkSize = 0xFFFFFF
	// handshakeSize is C0+C1+C2 (read by a server) or S0+S1+S2 (read by
	// a client), passed through to gomedia as they are.
	handshakeSize = 1 + 1536 + 1536
)

// RTMP message types lubo's reader handles or limits by type.
const (
	msgSetChunkSize = 1
	msgAbort        = 2
	msgUserControl  = 4
	msgSetPeerBW    = 6
	msgAudio        = 8
	msgVideo        = 9
	msgDataAMF3     = 15
	msgDataAMF0     = 18
	msgCommandAMF0  = 20
	msgAggregate    = 22
)

// maxMessageLen is the longest message of type typ lubo accepts.
func maxMessageLen(typ uint8) int {
	switch {
	case typ == msgVideo, typ == msgAggregate:
		return maxVideoMessage
	case typ == msgAudio:
		return maxAudioMessage
	case typ == msgDataAMF0, typ == msgDataAMF3:
		return maxDataMessage
	case typ >= msgSetChunkSize && typ <= msgSetPeerBW:
		return maxControlMessage
	}
	return maxCommandMessage
}

// Layout of what inbound hands gomedia: every message as one type-0 chunk
// on one chunk stream, after one Set Chunk Size of maxChunkSize.
const (
	outChunkStream = 3
	headroom       = 1 + 11 + 4 // basic header, type-0 header, extended timestamp
	maxHeader      = 3 + 11 + 4 // the longest chunk header a peer can send
)

// protocolError wraps ErrProtocol with what the peer did.
func protocolError(format string, args ...any) error {
	return fmt.Errorf("%w: %s", ErrProtocol, fmt.Sprintf(format, args...))
}
