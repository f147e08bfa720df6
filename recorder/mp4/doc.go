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
// FinalizeInPlace is the way when the disk has no room for that copy: the
// .part itself becomes the MP4, cut after its last complete fragment, with
// a segment index (one sidx per track, in 16 KiB the writer reserves after
// the init segment) and the duration (mehd) written over bytes already on
// disk, so it needs no free space and no time proportional to the file.
// The result is a fragmented MP4 with its moov in front: ffmpeg and
// browsers play it at once; the sidx lets them seek without reading every
// fragment (ffprobe -read_intervals lands on the right keyframe; without
// the index ffmpeg scans the moofs, which over HTTP is one range request
// per fragment). The progressive copy stays the first choice where there
// is room: a plain moov+mdat is what every player, old ones included,
// seeks in with the least work.
//
// G.711 audio (common on classroom cameras) has no portable MP4 mapping: a
// recording of such a source holds the video only, and the Writer says so
// once (SkippedAudio) and counts the frames (DroppedAudio).
package mp4
