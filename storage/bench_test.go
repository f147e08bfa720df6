package storage

import (
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"
)

// BenchmarkPutRecord inserts one record per op, each its own fsync'd
// transaction: what the recorder pays per slice start and end.
func BenchmarkPutRecord(b *testing.B) {
	db := openTest(b)
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		r := newRecord("c"+string(rune('0'+i%8)), base.Add(time.Duration(i)*time.Minute), 1, StateComplete)
		if err := db.PutRecord(r); err != nil {
			b.Fatal(err)
		}
		i++
	}
}

// BenchmarkUpdateRecord is the state change of an existing record among
// 1000 (recording -> complete -> uploaded).
func BenchmarkUpdateRecord(b *testing.B) {
	db, rs := benchDB(b, 1000)
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		err := db.UpdateRecord(rs[i%len(rs)].ID, func(r *Record) error {
			r.Size++
			return nil
		})
		if err != nil {
			b.Fatal(err)
		}
		i++
	}
}

// BenchmarkListRecords reads from a store of 1000 records over 8 channels.
func BenchmarkListRecords(b *testing.B) {
	db, _ := benchDB(b, 1000)
	cases := []struct {
		name string
		q    RecordQuery
		want int
	}{
		{"all-1000", RecordQuery{}, 1000},
		{"channel-125", RecordQuery{Channel: "c3"}, 125},
		{"page-20-desc", RecordQuery{Limit: 20, Offset: 40, Order: OrderDesc}, 20},
		{"channel-day", RecordQuery{Channel: "c3", From: base.Add(2 * time.Hour), To: base.Add(10 * time.Hour)}, 60},
		{"state-filter", RecordQuery{States: []State{StateFailed}}, 200},
	}
	for _, tc := range cases {
		b.Run(tc.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				rs, err := db.ListRecords(tc.q)
				if err != nil || len(rs) != tc.want {
					b.Fatalf("%d records, %v; want %d", len(rs), err, tc.want)
				}
			}
		})
	}
	b.Run("count-all", func(b *testing.B) {
		for b.Loop() {
			if n, err := db.CountRecords(RecordQuery{}); err != nil || n != 1000 {
				b.Fatalf("%d, %v", n, err)
			}
		}
	})
	b.Run("oldest-finished-10", func(b *testing.B) {
		for b.Loop() {
			if rs, err := db.OldestFinished(10, StateUploaded); err != nil || len(rs) != 10 {
				b.Fatalf("%d, %v", len(rs), err)
			}
		}
	})
}

// benchDB fills a store with n records in one transaction (setup speed;
// the records and indexes are the same as n PutRecord calls).
func benchDB(b *testing.B, n int) (*DB, []*Record) {
	b.Helper()
	db := openTest(b)
	rs := make([]*Record, n)
	err := db.bolt.Update(func(tx *bolt.Tx) error {
		for i := range rs {
			rs[i] = newRecord("c"+string(rune('0'+i%8)), base.Add(time.Duration(i)*time.Minute), 1, states[i%len(states)])
			if err := putRecordTx(tx, rs[i], nil, db.now()); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
	return db, rs
}
