// Package push keeps a channel published to RTMP ingests (a school's own
// nginx-rtmp or SRS, a cloud's ingest): configured pushes and pushes started
// through the HTTP API, each one a reader of the channel's relay.Stream
// feeding a relay/rtmp Pusher.
//
// A push survives what happens around it:
//   - a camera reconnect (a new source session) keeps the ingest connection
//     when the codec parameters stay the same; the push skips to the
//     session's first keyframe. When they change (new resolution, new
//     codec) the push reconnects to the ingest, since one RTMP publish
//     carries one set of sequence headers, and counts a reconnect;
//   - a replaced Stream (a config reload) is found again through Lookup,
//     which is called on every (re)connect;
//   - an ingest that fails or goes away is redialled with the capped,
//     jittered relay.Backoff;
//   - a slow or stalled ingest never holds the source up: the push's reader
//     has a bounded ring and drops whole GOPs, up to the next keyframe,
//     when it falls behind; the drops are counted.
//
// Ingest URLs carry their stream key in the path or the query, so a push is
// shown everywhere (status, logs, errors, metric labels) by Redact's form
// rtmp://host:port/app/******; the full URL is only ever sent to the ingest.
package push
