// Package storage is lubo's small embedded database: one bbolt file under
// data_dir that keeps the records index now and, later, the schedule cache,
// the upload outbox and cloud tokens.
//
// Every kind of data lives in its own file of this package and its own
// buckets; bucket names are listed in schema.go so Open can create them all
// and the schema version in the "meta" bucket says how they are laid out.
//
// Every write is one bbolt read-write transaction, which bbolt fsyncs before
// it returns: once a write method returns nil, a crash or a power loss does
// not lose it. NoSync is never set.
//
// Records buckets:
//
//	records              id -> Record as JSON
//	records_by_channel   channel 0x00 start id -> state
//	records_by_start     start id -> state
//	records_by_state     state 0x00 start id -> (empty)
//	records_by_path      path -> id
//	records_by_seq       seq (8 bytes big-endian) -> id
//
// "start" is a 12-byte key that sorts in time order (see timeKey). The
// secondary indexes are written in the same transaction as the record, so
// they can never disagree with it; Check verifies that.
package storage
