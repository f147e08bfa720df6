// Package snapshot turns a channel's latest keyframe into a JPEG with the
// ffmpeg executable: one keyframe in, one picture out, no long-running
// process. A Decoder runs ffmpeg; a Snapshotter takes a picture of every
// registered channel each interval, keeps the newest as {dir}/{ch}.jpg and
// files a copy per day, and writes the cover of each recording.
//
// Wiring: a channel's keyframe provider is its relay.Stream's GOP cache,
//
//	snaps.Add(ch.ID, stream.LatestKeyframe)
//
// which peeks at the cache without attaching a reader, so a snapshot never
// keeps an on-demand source running: a channel nobody watches or records
// has no picture to take, and that round is counted as skipped.
//
// Without ffmpeg on PATH NewDecoder fails with *ErrNoFFmpeg; a Snapshotter
// given no Decoder says once in the log that snapshots are off and reports
// Enabled=false in its Stats, and recording goes on without pictures.
package snapshot
