package rtmp

import (
	"encoding/binary"
	"math"
)

// gomedia's server handle answers createStream with message stream 1 and
// has no way to tell a player that the stream is over, so lubo writes those
// last messages itself: StreamEOF, then onStatus UnpublishNotify, which
// players (ffmpeg, OBS, flash-era ones) take as a clean end of stream
// rather than a broken connection.
const (
	playStreamID = 1 // the message stream gomedia's server hands out
	endChunkID   = 4 // a chunk stream gomedia never writes on
)

// endOfPlay returns the bytes that end a play cleanly.
func endOfPlay() []byte {
	eof := make([]byte, 6) // user control: event 1 (StreamEOF), stream id
	binary.BigEndian.PutUint16(eof, 1)
	binary.BigEndian.PutUint32(eof[2:], playStreamID)
	out := chunk(2, 4, 0, eof)

	var status []byte
	status = amfString(status, "onStatus")
	status = amfNumber(status, 0)
	status = append(status, 0x05) // null: no command object
	status = append(status, 0x03) // object
	for _, kv := range [][2]string{
		{"level", "status"},
		{"code", "NetStream.Play.UnpublishNotify"},
		{"description", "publisher stopped"},
	} {
		status = binary.BigEndian.AppendUint16(status, uint16(len(kv[0])))
		status = append(status, kv[0]...)
		status = amfString(status, kv[1])
	}
	status = append(status, 0, 0, 0x09) // object end
	return append(out, chunk(endChunkID, 20, playStreamID, status)...)
}

// chunk frames one message as a single type-0 chunk. The payloads here are
// far below the 128-byte minimum chunk size.
func chunk(csid byte, msgType byte, streamID uint32, payload []byte) []byte {
	b := make([]byte, 12, 12+len(payload))
	b[0] = csid // fmt 0
	n := len(payload)
	b[4], b[5], b[6] = byte(n>>16), byte(n>>8), byte(n)
	b[7] = msgType
	binary.LittleEndian.PutUint32(b[8:], streamID) // the one little-endian field of RTMP
	return append(b, payload...)
}

func amfString(b []byte, s string) []byte {
	b = append(b, 0x02)
	b = binary.BigEndian.AppendUint16(b, uint16(len(s)))
	return append(b, s...)
}

func amfNumber(b []byte, v float64) []byte {
	b = append(b, 0x00)
	return binary.BigEndian.AppendUint64(b, math.Float64bits(v))
}
