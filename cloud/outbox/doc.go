// Package outbox is lubo's one persistent upload queue: pictures, covers,
// recordings and files waiting for a cloud target (OneNET now, other clouds
// later), kept in the bbolt store (storage.Outbox) so they survive restarts,
// power cuts and days offline.
//
// Producers call Queue.Enqueue (a file already on disk) or
// Queue.EnqueueBytes (a picture in memory, written into the queue's spool
// directory first); both return after local disk writes and never wait for
// the network. Queue.Run runs one uploader goroutine per Target.
//
// Delivery is at-least-once with deterministic names chosen by the producer
// (see ObjectName):
//   - an item is removed only after its target accepted it; a crash between
//     the upload and that removal sends it again, and the platform refuses
//     the second copy by name: Target.AlreadyThere turns that refusal into
//     success, so the platform never holds two copies;
//   - a retryable failure waits Backoff (exponential, capped, jittered)
//     before the same item is tried again; a target's items go in enqueue
//     order and the head item blocks the ones behind it;
//   - a permanent refusal sets the item aside (state "refused"): it stays
//     visible in List and Stats, no longer blocks its target, does not hold
//     its file against retention, and goes back into its place in the queue
//     on RetryNow;
//   - an item whose file vanished is dropped, counted and logged.
//
// Disk: with Options.DiskFree set, every Enqueue first makes sure the disk
// keeps Options.MinFree free, dropping the oldest queued snapshots, then
// covers, whose files the queue owns (Item.Owned). Recordings are never
// dropped for space, and storage.Outbox.HasPending tells retention which
// recordings still wait for a target. Every drop is counted by reason and
// logged.
//
// Time comes from Options.Clock, so tests run a day-long outage without
// waiting. Stats is the snapshot that /metrics, the dashboard and
// `lubo outbox` show.
package outbox
