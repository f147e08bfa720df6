package transcode

import "sync/atomic"

// Stats are a Source's counters since it was made, for metrics.
type Stats struct {
	AudioIn  atomic.Uint64 // G.711 frames read from the parent stream
	AudioOut atomic.Uint64 // AAC access units written
	VideoOut atomic.Uint64 // pictures passed through
	// Dropped counts G.711 frames that were not encoded: the encoder's
	// queue was full, or no encoder was running (restarting or missing).
	Dropped atomic.Uint64
	// Died counts encoder processes that exited on their own or were
	// stopped for output that is not the AAC asked for.
	Died atomic.Uint64
	// Restarts counts encoder processes started after one died.
	Restarts atomic.Uint64
	// EncoderMissing counts sessions that ran without an encoder because
	// ffmpeg was not found: their outputs have video and no audio.
	EncoderMissing atomic.Uint64
	// Gaps counts places where the G.711 timestamps strayed from its
	// sample count (lost packets, clock drift) and were corrected.
	Gaps atomic.Uint64
	// Running is the number of encoder processes alive now (0 or 1).
	Running atomic.Int64
}
