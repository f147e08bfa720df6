// Package transcode gives a channel with G.711 audio an AAC version, for
// the outputs that cannot carry G.711: HLS, MP4 recording and HTTP-FLV for
// web players.
//
// A Source reads a parent relay.Stream and republishes it: pictures pass
// through untouched (new Frame structs around the same payloads), G.711 is
// encoded to AAC-LC, AAC or no audio passes as it is. Run it in a
// relay.Stream of its own with OnDemand set: that derived stream is the
// channel's AAC version, shared by every reader that needs it, and its
// encoder runs only while such a reader is attached, since the derived
// stream runs the Source only then and the Source reads the parent only
// while it runs.
//
// # The encoder
//
// One ffmpeg process per running Source (found on PATH, as for snapshots),
// raw G.711 in on stdin, ADTS out on stdout, split into access units here.
// Chosen by measurement over a library: the Debian ffmpeg is already a
// dependency of the box, and its AAC encoder costs about 1.5-2% of one
// core per mono channel at 48 kHz (BenchmarkEncoderRealtime; 300 s of
// sound took 4.5 s of CPU offline, 0.9 s at 16 kHz). No pure-Go AAC
// encoder is among the modules the proxy serves that we know of; the Go
// AAC encoders that exist bind C libraries (fdk-aac, vo-aacenc) through
// cgo, which would end lubo's static, cross-compiled binary. A process
// also isolates a crash of the encoder from the daemon.
//
// The process is fed through a bounded queue by its own goroutine (a full
// queue drops audio and counts it, video is never held up by it), read by
// another, killed with its process group when the Source stops (and by the
// kernel if lubo dies: Pdeathsig), and restarted with a jittered backoff
// (Options.RestartMin to RestartMax) when it dies. Output that is not the
// AAC asked for (checked on every ADTS header) stops it as a failure.
// stderr is kept, bounded, for the log line. "-fflags nobuffer" is not
// used: it discards the packet read while probing, 40 ms of sound.
//
// # Sample rate
//
// AAC at 48 kHz by default (Options.SampleRate): it is the rate every
// player is built for, and an access unit lasts 21.3 ms, so the first
// audio unit of an HLS segment or a recording, which starts at a keyframe,
// is within 40 ms of the picture; at 16 kHz a unit lasts 64 ms, at 8 kHz
// 128 ms. The G.711 band (4 kHz) is kept whole. TestPlaysInChromium plays
// the output in Chromium with hls.js and mpegts.js: 48, 16 and 8 kHz all
// decode there, so a lower rate is an option for a box short of CPU (the
// encoder costs about a fifth at 16 kHz); Safari and Firefox were not
// tried, which is one more reason to keep 48 kHz the default.
//
// # Timing
//
// Timestamps are counted in samples, not taken from the encoder: access
// unit k of a process starts with output sample k*1024, less the encoder's
// delay of 1024 samples (ffmpeg's AAC priming; its resampler adds under a
// sample). The first unit, which decodes to what came before the input, is
// dropped, and unit k is stamped with the time of input sample
// (k-1)*1024*inRate/outRate, mapped through the timestamp of the first
// G.711 frame fed. Holes in the G.711 timing (lost packets) are filled with
// silence up to 1 s, overlaps are skipped, and longer holes re-anchor the
// count. TestJudgeMP4AndHLS hears each tone burst of a test camera within
// 1 ms of its place on the video timeline in lubo's MP4 and HLS output.
//
// Pictures are held back until the audio of their time has come out of
// the encoder (at most Options.MaxHold of stream time), so readers get the
// frames in time order and an HLS segment or MP4 fragment that starts at a
// keyframe starts with audio too. This delays the derived stream's video
// by the encoder latency: about 60 ms median on the test machine, with
// 20 ms G.711 packets.
//
// A new parent session (a reconnect, a clock jump) ends the derived one:
// the encoder is closed and drained (bounded by Options.DrainTimeout) so
// the session's last sound is kept, and a new process starts with the new
// session.
//
// Without ffmpeg, a session has video and no audio, as outputs do today
// with G.711: one log line per Source and Stats.EncoderMissing.
package transcode
