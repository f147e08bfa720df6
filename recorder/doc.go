// Package recorder records lessons: it follows the weekly timetable
// (recorder/schedule) and manual requests, attaches a Session to a channel's
// main stream for each lesson, and writes it as sliced MP4 files
// (recorder/mp4) with a cover JPEG (recorder/snapshot) beside each, indexed
// in the store (storage).
//
// Layout, relative to {data_dir}/records:
//
//	{ch}/{YYYY-MM-DD}/{HHMMSS}_{slice}.mp4       a finished slice
//	{ch}/{YYYY-MM-DD}/{HHMMSS}_{slice}.mp4.part  a slice being written
//	{ch}/{YYYY-MM-DD}/{HHMMSS}_{slice}.jpg       its cover
//
// HHMMSS is the session's start (the course's start, or when a manual
// recording was asked for) in the box's time zone; slices count from 1, and
// a lesson picked up again after a restart continues with the next free
// number, so a recovered file is never overwritten.
//
// What a Recorder guarantees, in order of importance: a crash loses at most
// the last second (the .part is recovered at the next start, in the
// background: recording does not wait for it, and a lesson or a manual
// recording still on goes on in the next slice number); a full disk keeps
// what was written and never leaves a slice unfinished (without room for
// a progressive copy a slice is finalized in place, see mp4.FinalizeInPlace),
// opens nothing while the disk is below Options.Reserve (no file, no record,
// no cover), frees space and resumes; a camera that reconnects ends the
// slice cleanly and opens a new one; the file begins on the keyframe at or
// just before the course start and ends on the first keyframe at or after
// its end. Nothing empty is ever indexed: a slice without one complete
// fragment is dropped with its cover and record, and counted as "empty".
//
// Manual recordings in progress are remembered in {records}/.manual.json
// so a crash or restart resumes one whose end is still ahead.
package recorder
