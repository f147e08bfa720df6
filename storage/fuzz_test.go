package storage

import (
	"slices"
	"testing"
	"time"
)

// fuzzStates maps a fuzz byte to a state, valid or not.
var fuzzStates = append(slices.Clone(states), "", "bogus", "Complete")

// FuzzListRecords checks ListRecords and CountRecords against modelList
// for any query: valid queries must give the model's answer, invalid ones
// must be refused, and nothing may panic. Query fields come from API
// parameters, so every combination is outside input.
func FuzzListRecords(f *testing.F) {
	for _, tc := range queryCases {
		q := tc.q
		var fromNs, toNs int64
		if !q.From.IsZero() {
			fromNs = int64(q.From.Sub(base))
		}
		if !q.To.IsZero() {
			toNs = int64(q.To.Sub(base))
		}
		var st []byte
		for _, s := range q.States {
			st = append(st, byte(slices.Index(fuzzStates, s)))
		}
		f.Add(q.Channel, !q.From.IsZero(), fromNs, !q.To.IsZero(), toNs, st, q.Limit, q.Offset, string(q.Order))
	}
	f.Add("c1", true, int64(time.Hour), true, int64(-time.Hour), []byte{6}, -1, -5, "sideways")

	db := openTest(f)
	all := loadFixture(f, db)
	f.Fuzz(func(t *testing.T, channel string, hasFrom bool, fromNs int64, hasTo bool, toNs int64,
		st []byte, limit, offset int, order string) {
		q := RecordQuery{Channel: channel, Limit: limit, Offset: offset, Order: Order(order)}
		if hasFrom {
			q.From = base.Add(time.Duration(fromNs))
		}
		if hasTo {
			q.To = base.Add(time.Duration(toNs))
		}
		for _, b := range st {
			q.States = append(q.States, fuzzStates[int(b)%len(fuzzStates)])
		}

		got, listErr := db.ListRecords(q)
		count, countErr := db.CountRecords(q)
		if q.Validate() != nil {
			if listErr == nil {
				t.Fatalf("ListRecords accepted invalid %+v", q)
			}
			// CountRecords ignores paging, so only the other faults matter.
			q.Limit, q.Offset = 0, 0
			if q.Validate() != nil && countErr == nil {
				t.Fatalf("CountRecords accepted invalid %+v", q)
			}
			return
		}
		if listErr != nil || countErr != nil {
			t.Fatalf("valid %+v: list %v, count %v", q, listErr, countErr)
		}
		if want := modelList(all, q); !slices.Equal(ids(got), ids(want)) {
			t.Fatalf("%+v:\n got %v\nwant %v", q, ids(got), ids(want))
		}
		q.Limit, q.Offset = 0, 0
		if want := len(modelList(all, q)); count != want {
			t.Fatalf("%+v: count %d, want %d", q, count, want)
		}
	})
}
