package storage

import (
	"cmp"
	"slices"
	"strings"
	"testing"
	"time"
)

// fixtureRecords are three channels whose names share a prefix ("c1" and
// "c10"), starts that interleave between channels and coincide on one, and
// every state.
func fixtureRecords() []*Record {
	var out []*Record
	for ci, ch := range []string{"c1", "c10", "c2"} {
		for i := range 10 {
			start := base.Add(time.Duration(i)*30*time.Minute + time.Duration(ci)*7*time.Minute)
			if i == 4 {
				start = base.Add(2 * time.Hour) // the same start on every channel
			}
			out = append(out, newRecord(ch, start, i%3+1, states[(i+ci)%len(states)]))
		}
	}
	return out
}

func loadFixture(t testing.TB, db *DB) []*Record {
	t.Helper()
	rs := fixtureRecords()
	for _, r := range rs {
		mustPut(t, db, r)
	}
	return rs
}

// modelList is ListRecords written the slow, obvious way.
func modelList(all []*Record, q RecordQuery) []*Record {
	var out []*Record
	for _, r := range all {
		if q.Channel != "" && r.Channel != q.Channel ||
			!q.From.IsZero() && r.Start.Before(q.From) ||
			!q.To.IsZero() && !r.Start.Before(q.To) ||
			len(q.States) > 0 && !slices.Contains(q.States, r.State) {
			continue
		}
		out = append(out, r)
	}
	slices.SortFunc(out, func(a, b *Record) int {
		return cmp.Or(a.Start.Compare(b.Start), strings.Compare(a.ID, b.ID))
	})
	if q.Order == OrderDesc {
		slices.Reverse(out)
	}
	out = out[min(q.Offset, len(out)):]
	if q.Limit > 0 && len(out) > q.Limit {
		out = out[:q.Limit]
	}
	return out
}

// queryCases feed TestListRecords and the seeds of FuzzListRecords.
var queryCases = []struct {
	name string
	q    RecordQuery
	n    int // expected count, a check on the model itself
}{
	{"all", RecordQuery{}, 30},
	{"all desc", RecordQuery{Order: OrderDesc}, 30},
	{"channel c1 not c10", RecordQuery{Channel: "c1"}, 10},
	{"channel c10", RecordQuery{Channel: "c10", Order: OrderDesc}, 10},
	{"unknown channel", RecordQuery{Channel: "c3"}, 0},
	{"channel prefix only", RecordQuery{Channel: "c"}, 0},
	{"from", RecordQuery{From: base.Add(4 * time.Hour)}, 6},
	{"to", RecordQuery{To: base.Add(time.Hour)}, 6},
	{"range on start", RecordQuery{From: base.Add(2 * time.Hour), To: base.Add(2*time.Hour + time.Nanosecond)}, 3},
	{"range desc", RecordQuery{From: base.Add(time.Hour), To: base.Add(3 * time.Hour), Order: OrderDesc}, 12},
	{"range in channel desc", RecordQuery{Channel: "c2", From: base.Add(time.Hour), To: base.Add(3 * time.Hour), Order: OrderDesc}, 4},
	{"empty range", RecordQuery{From: base.Add(time.Hour), To: base.Add(time.Hour)}, 0},
	{"range after all", RecordQuery{From: base.Add(100 * time.Hour)}, 0},
	{"range before all desc", RecordQuery{To: base.Add(-time.Hour), Order: OrderDesc}, 0},
	{"one state", RecordQuery{States: []State{StateUploaded}}, 6},
	{"two states in channel", RecordQuery{Channel: "c10", States: []State{StateFailed, StateRecording}}, 4},
	{"limit", RecordQuery{Limit: 4}, 4},
	{"page 2", RecordQuery{Limit: 4, Offset: 4}, 4},
	{"last page short", RecordQuery{Limit: 4, Offset: 28}, 2},
	{"offset past end", RecordQuery{Offset: 31}, 0},
	{"everything at once", RecordQuery{Channel: "c1", From: base.Add(30 * time.Minute), To: base.Add(5 * time.Hour),
		States: []State{StateComplete, StateRecovered, StateUploaded}, Limit: 2, Offset: 1, Order: OrderDesc}, 2},
}

func TestListRecords(t *testing.T) {
	db := openTest(t)
	all := loadFixture(t, db)
	for _, tc := range queryCases {
		t.Run(tc.name, func(t *testing.T) {
			got, err := db.ListRecords(tc.q)
			if err != nil {
				t.Fatal(err)
			}
			want := modelList(all, tc.q)
			if len(want) != tc.n {
				t.Fatalf("model gives %d records, the case expects %d: fix the case or the model", len(want), tc.n)
			}
			if !slices.Equal(ids(got), ids(want)) {
				t.Errorf("ids\n got %v\nwant %v", ids(got), ids(want))
			}
			for i := range min(len(got), len(want)) {
				sameRecord(t, got[i], want[i])
			}
			count, err := db.CountRecords(tc.q)
			if err != nil {
				t.Fatal(err)
			}
			if wantCount := len(modelList(all, RecordQuery{Channel: tc.q.Channel, From: tc.q.From, To: tc.q.To, States: tc.q.States})); count != wantCount {
				t.Errorf("CountRecords = %d, want %d", count, wantCount)
			}
		})
	}
}

// A few answers spelled out, so the model is not the only judge.
func TestListRecordsExplicit(t *testing.T) {
	db := openTest(t)
	loadFixture(t, db)
	got, err := db.ListRecords(RecordQuery{From: base.Add(2 * time.Hour), To: base.Add(2*time.Hour + 1), Order: OrderDesc})
	if err != nil {
		t.Fatal(err)
	}
	// Equal starts are ordered by id, and "c10_" sorts before "c1_".
	want := []string{"20261123T020000Z_c2_2", "20261123T020000Z_c1_2", "20261123T020000Z_c10_2"}
	if !slices.Equal(ids(got), want) {
		t.Errorf("same-start desc: %v, want %v", ids(got), want)
	}
	got, err = db.ListRecords(RecordQuery{Channel: "c1", Limit: 3})
	if err != nil {
		t.Fatal(err)
	}
	want = []string{"20261123T000000Z_c1_1", "20261123T003000Z_c1_2", "20261123T010000Z_c1_3"}
	if !slices.Equal(ids(got), want) {
		t.Errorf("c1 first three: %v, want %v", ids(got), want)
	}
}

func TestRecordQueryValidate(t *testing.T) {
	cases := []struct {
		name string
		q    RecordQuery
		want string // "" for valid
	}{
		{"zero", RecordQuery{}, ""},
		{"full", RecordQuery{Channel: "c1", From: base, To: base.Add(time.Hour), States: []State{StateComplete}, Limit: 10, Offset: 5, Order: OrderDesc}, ""},
		{"from equals to", RecordQuery{From: base, To: base}, ""},
		{"to before from", RecordQuery{From: base, To: base.Add(-time.Second)}, "before from"},
		{"negative limit", RecordQuery{Limit: -1}, "limit -1"},
		{"negative offset", RecordQuery{Offset: -1}, "offset -1"},
		{"bad order", RecordQuery{Order: "newest"}, `order "newest"`},
		{"bad state", RecordQuery{States: []State{StateComplete, "gone"}}, `state "gone"`},
		{"NUL channel", RecordQuery{Channel: "c\x00"}, "NUL"},
		{"several", RecordQuery{Limit: -1, Offset: -2}, "limit -1 is negative (0 means no limit); offset -2"},
	}
	db := openTest(t)
	for _, tc := range cases {
		err := tc.q.Validate()
		if tc.want == "" {
			if err != nil {
				t.Errorf("%s: %v", tc.name, err)
			}
			continue
		}
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: %v, want an error containing %q", tc.name, err, tc.want)
		}
		if _, err := db.ListRecords(tc.q); err == nil {
			t.Errorf("%s: ListRecords accepted the query", tc.name)
		}
	}
}

func TestOldestFinished(t *testing.T) {
	db := openTest(t)
	// Oldest first: a failed, a recording, an uploaded, a complete, an
	// uploaded, a recovered.
	plan := []State{StateFailed, StateRecording, StateUploaded, StateComplete, StateUploaded, StateRecovered}
	var rs []*Record
	for i, s := range plan {
		r := newRecord("c"+string(rune('1'+i%2)), base.Add(time.Duration(i)*time.Hour), 1, s)
		mustPut(t, db, r)
		rs = append(rs, r)
	}
	cases := []struct {
		name   string
		n      int
		prefer []State
		want   []int // indexes into rs
	}{
		{"uploaded first", 10, []State{StateUploaded}, []int{2, 4, 0, 3, 5}},
		{"uploaded first, cut", 3, []State{StateUploaded}, []int{2, 4, 0}},
		{"only the preferred", 1, []State{StateUploaded}, []int{2}},
		{"no preference", 10, nil, []int{0, 2, 3, 4, 5}},
		{"two ranked", 10, []State{StateRecovered, StateUploaded}, []int{5, 2, 4, 0, 3}},
		{"repeated preference", 10, []State{StateUploaded, StateUploaded}, []int{2, 4, 0, 3, 5}},
		{"zero", 0, []State{StateUploaded}, nil},
	}
	for _, tc := range cases {
		got, err := db.OldestFinished(tc.n, tc.prefer...)
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		var want []string
		for _, i := range tc.want {
			want = append(want, rs[i].ID)
		}
		if !slices.Equal(ids(got), want) {
			t.Errorf("%s: %v, want %v", tc.name, ids(got), want)
		}
	}
	if _, err := db.OldestFinished(1, StateRecording); err == nil {
		t.Error("OldestFinished accepted recording as a preferred state")
	}
	if _, err := db.OldestFinished(1, "stale"); err == nil {
		t.Error("OldestFinished accepted an unknown state")
	}
	// Moving a record to uploaded moves it up the list.
	if err := db.UpdateRecord(rs[0].ID, func(r *Record) error { r.State = StateUploaded; return nil }); err != nil {
		t.Fatal(err)
	}
	got, err := db.OldestFinished(1, StateUploaded)
	if err != nil || len(got) != 1 || got[0].ID != rs[0].ID {
		t.Errorf("after upload: %v, %v; want %s", got, err, rs[0].ID)
	}
}

func TestTimeKeyOrder(t *testing.T) {
	times := []time.Time{
		time.Date(1, 1, 1, 0, 0, 0, 0, time.UTC), // the zero time
		time.Date(1969, 12, 31, 23, 59, 59, 999999999, time.UTC),
		time.Unix(0, 0),
		time.Unix(0, 1),
		time.Unix(1, 0),
		base,
		base.Add(time.Nanosecond),
		time.Date(2300, 1, 1, 0, 0, 0, 0, time.UTC), // past UnixNano's range
	}
	for i, tm := range times {
		k := appendTimeKey(nil, tm)
		if len(k) != timeKeyLen {
			t.Fatalf("key length %d", len(k))
		}
		if back := parseTimeKey(k); !back.Equal(tm) {
			t.Errorf("parseTimeKey(appendTimeKey(%v)) = %v", tm, back)
		}
		if i > 0 {
			if prev := appendTimeKey(nil, times[i-1]); string(prev) >= string(k) {
				t.Errorf("key of %v does not sort before key of %v", times[i-1], tm)
			}
		}
	}
}
