// Package rtmp is lubo's RTMP: a play source (lubo pulls from a camera or
// server), a pusher (lubo publishes to an ingest) and a server (publishers
// and players connect to lubo). The protocol handling is gomedia's go-rtmp;
// conversion to and from media.Frame is lubo's.
//
// # Hostile peers
//
// gomedia's chunk reader trusts the peer: a chunk size of 0, or an empty
// message followed by more bytes, makes it loop for ever inside one read's
// bytes (no read deadline can fire), and it buffers whatever length a
// message header declares. So every byte a peer sends passes lubo's own
// chunk reader (chunkreader.go) first, which:
//
//   - reassembles messages itself and hands gomedia only whole non-empty
//     messages, each as one type-0 chunk after a Set Chunk Size of its own,
//     so gomedia's reader never sees the peer's chunking;
//   - rejects a chunk size of 0 or with the top bit set; sizes above
//     0xFFFFFF (valid up to 0x7FFFFFFF) are read as 0xFFFFFF, which the
//     specification says they equal: no chunk outgrows its message, and
//     the reader's memory depends on message lengths, never on the chunk
//     size, so no tighter cap is needed;
//   - caps a message's declared length by type (video 8 MiB, audio and
//     metadata 256 KiB, commands 64 KiB, control 64 bytes), checked at the
//     header before anything is buffered;
//   - caps the buffer capacity of all unfinished messages of a connection
//     at 10 MiB (one largest video message plus interleaved audio) and the
//     chunk streams at 64;
//   - drops empty messages, handles Abort, and tolerates both readings of
//     extended timestamps on continuation chunks;
//   - checks every AMF0 command (amf0check.go) before gomedia decodes it:
//     gomedia allocates whatever a long string declares (up to 4 GiB).
//
// Progress watchdogs sit on top: whatever a peer has begun (the handshake,
// a message) must be finished within the read timeout; a publisher must
// complete a message every read timeout; the play source must receive
// audio or video every 10 s. Bytes that complete nothing do not count.
//
// # Why guard gomedia rather than replace it with gortmplib
//
// Measured on one box with `go test -bench` (the fastest of 8-12 runs; the
// box was shared and noisy), on the same 273-frame H.264+AAC publish:
//
//   - BenchmarkServerRead, gomedia's server handle plus lubo's converter:
//     fed straight, 414 µs and 2120 allocations per stream (1.5 µs,
//     7.8 allocations a frame); behind lubo's chunk reader, 368 µs and
//     2128 allocations. The guard costs nothing measurable: it even saves
//     gomedia's own partial-chunk copying.
//   - BenchmarkChunkReader, lubo's chunk reader alone: 23 µs and 19
//     allocations for 282 messages (81 ns, 0.07 allocations each).
//     gortmplib v1.0.1's chunk and message layer (pkg/message Reader) on
//     the same bytes, measured in a scratch module: 121 µs and 1255
//     allocations (430 ns, 4.5 allocations a message).
//
// Replacing gomedia would rewrite the server, source, pusher, sender and
// converter (about 1,300 lines), and gortmplib v1.0.1 refuses chunk stream
// ids above 63, which the protocol allows. The guard is about 630 lines
// and leaves the rest as it was.
package rtmp
