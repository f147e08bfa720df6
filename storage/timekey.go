package storage

import (
	"encoding/binary"
	"time"
)

// timeKeyLen is the size of a timeKey: 8 bytes of seconds, 4 of nanoseconds.
const timeKeyLen = 12

// appendTimeKey appends t as 12 bytes that sort like the times do: Unix
// seconds with the sign bit flipped (so times before 1970 sort first), then
// nanoseconds, both big-endian. Unlike UnixNano it covers every time.Time.
func appendTimeKey(b []byte, t time.Time) []byte {
	b = binary.BigEndian.AppendUint64(b, uint64(t.Unix())^(1<<63))
	return binary.BigEndian.AppendUint32(b, uint32(t.Nanosecond()))
}

// parseTimeKey reads the 12 bytes appendTimeKey wrote.
func parseTimeKey(b []byte) time.Time {
	sec := int64(binary.BigEndian.Uint64(b) ^ (1 << 63))
	nsec := int64(binary.BigEndian.Uint32(b[8:]))
	return time.Unix(sec, nsec)
}
