// Package mp4 writes lesson recordings so that a crash, a power cut or a
// full disk loses at most the last second.
//
// A recording is written as a fragmented MP4, "….mp4.part" (Create,
// Writer.WriteFrame, Writer.Close): the init segment (ftyp+moov) first,
// then one moof+mdat fragment per keyframe interval (at most
// Options.FragmentMax of media), each written with a single Write and
// made durable with fdatasync before the next is collected. Whatever the
// process dies of, the file on disk is a run of complete fragments,
// possibly followed by one cut short.
//
// Finalize turns such a .part, complete or not, into the file users get: a
// progressive MP4 with the moov in front (starts playing at once over HTTP)
// written beside the final name, synced and renamed into place. It reads
// the fragments with its own small box reader and copies the sample data
// by byte ranges, so a two-hour lesson never sits in memory.
//
// G.711 audio (common on classroom cameras) has no portable MP4 mapping: a
// recording of such a source holds the video only, and the Writer says so
// once (SkippedAudio) and counts the frames (DroppedAudio).
package mp4
