package storage

import (
	"encoding/json"
	"errors"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"
)

func TestRecordCRUD(t *testing.T) {
	db := openTest(t)
	r := newRecord("c101", base, 1, StateRecording)
	mustPut(t, db, r)
	if r.Seq != 1 || r.Created.IsZero() || !r.Updated.Equal(r.Created) {
		t.Fatalf("after insert seq=%d created=%v updated=%v, want seq 1 and both set", r.Seq, r.Created, r.Updated)
	}
	got, err := db.GetRecord(r.ID)
	if err != nil {
		t.Fatal(err)
	}
	sameRecord(t, got, r)

	// Replace: the store keeps Seq and Created, moves Updated.
	repl := *r
	repl.Seq, repl.Created = 0, time.Time{}
	repl.State, repl.Size = StateComplete, 5<<20
	mustPut(t, db, &repl)
	if repl.Seq != r.Seq || !repl.Created.Equal(r.Created) || !repl.Updated.After(r.Updated) {
		t.Errorf("after replace seq=%d created=%v updated=%v; want seq %d, created %v, updated later than %v",
			repl.Seq, repl.Created, repl.Updated, r.Seq, r.Created, r.Updated)
	}
	got, _ = db.GetRecord(r.ID)
	sameRecord(t, got, &repl)

	// UpdateRecord is read-modify-write.
	err = db.UpdateRecord(r.ID, func(rec *Record) error {
		if rec.Size != 5<<20 {
			t.Errorf("fn saw size %d, want the stored %d", rec.Size, 5<<20)
		}
		rec.State = StateUploaded
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	got, _ = db.GetRecord(r.ID)
	if got.State != StateUploaded || got.Size != 5<<20 || !got.Updated.After(repl.Updated) {
		t.Errorf("after update: %+v", got)
	}

	// A failing fn writes nothing and its error comes back.
	errNo := errors.New("changed my mind")
	err = db.UpdateRecord(r.ID, func(rec *Record) error { rec.State = StateFailed; return errNo })
	if !errors.Is(err, errNo) {
		t.Errorf("UpdateRecord error %v, want %v", err, errNo)
	}
	if again, _ := db.GetRecord(r.ID); again.State != StateUploaded {
		t.Errorf("failed update changed state to %s", again.State)
	}
	// fn may not move the record to another id, nor make it invalid.
	if err := db.UpdateRecord(r.ID, func(rec *Record) error { rec.ID = "other"; return nil }); err == nil {
		t.Error("UpdateRecord let fn change the id")
	}
	if err := db.UpdateRecord(r.ID, func(rec *Record) error { rec.State = "lost"; return nil }); err == nil {
		t.Error("UpdateRecord stored an unknown state")
	}

	if err := db.DeleteRecord(r.ID); err != nil {
		t.Fatal(err)
	}
	for name, err := range map[string]error{
		"GetRecord":    second(db.GetRecord(r.ID)),
		"RecordByPath": second(db.RecordByPath(r.Path)),
		"RecordBySeq":  second(db.RecordBySeq(r.Seq)),
		"DeleteRecord": db.DeleteRecord(r.ID),
		"UpdateRecord": db.UpdateRecord(r.ID, func(*Record) error { return nil }),
	} {
		if !errors.Is(err, ErrNotFound) {
			t.Errorf("%s after delete: %v, want ErrNotFound", name, err)
		}
	}
	mustCheck(t, db)

	// Seq numbers are not reused after a delete.
	next := newRecord("c101", base.Add(time.Hour), 1, StateRecording)
	mustPut(t, db, next)
	if next.Seq != 2 {
		t.Errorf("seq after delete %d, want 2", next.Seq)
	}
}

func second[T any](_ T, err error) error { return err }

func TestRecordLookups(t *testing.T) {
	db := openTest(t)
	a := newRecord("c101", base, 1, StateComplete)
	b := newRecord("c102", base, 1, StateComplete)
	mustPut(t, db, a)
	mustPut(t, db, b)
	for _, tc := range []struct {
		name string
		get  func() (*Record, error)
		want string
	}{
		{"by path a", func() (*Record, error) { return db.RecordByPath(a.Path) }, a.ID},
		{"by path b", func() (*Record, error) { return db.RecordByPath(b.Path) }, b.ID},
		{"by seq 1", func() (*Record, error) { return db.RecordBySeq(1) }, a.ID},
		{"by seq 2", func() (*Record, error) { return db.RecordBySeq(2) }, b.ID},
		{"by id", func() (*Record, error) { return db.GetRecord(b.ID) }, b.ID},
	} {
		r, err := tc.get()
		if err != nil || r.ID != tc.want {
			t.Errorf("%s: %v, %v; want %s", tc.name, r, err, tc.want)
		}
	}
	if _, err := db.RecordByPath("c101/2026-11-23/080000_2.mp4"); !errors.Is(err, ErrNotFound) {
		t.Errorf("unknown path: %v, want ErrNotFound", err)
	}
}

func TestPutRecordRejectsInvalid(t *testing.T) {
	db := openTest(t)
	cases := []struct {
		name   string
		change func(r *Record)
		want   string // in the error
	}{
		{"no id", func(r *Record) { r.ID = "" }, "id is required"},
		{"long id", func(r *Record) { r.ID = strings.Repeat("x", 201) }, "at most 200"},
		{"no channel", func(r *Record) { r.Channel = "" }, "channel is required"},
		{"NUL in channel", func(r *Record) { r.Channel = "c1\x00" }, "NUL"},
		{"no start", func(r *Record) { r.Start = time.Time{} }, "start is required"},
		{"no state", func(r *Record) { r.State = "" }, "is not one of"},
		{"unknown state", func(r *Record) { r.State = "paused" }, "is not one of"},
		{"absolute path", func(r *Record) { r.Path = "/etc/passwd" }, "clean relative path"},
		{"escaping path", func(r *Record) { r.Path = "../../etc/passwd" }, "clean relative path"},
		{"unclean path", func(r *Record) { r.Path = "c101//x.mp4" }, "clean relative path"},
		{"dot path", func(r *Record) { r.Path = "." }, "clean relative path"},
		{"backslash path", func(r *Record) { r.Path = `c101\x.mp4` }, "backslash"},
		{"escaping cover", func(r *Record) { r.Cover = "../x.jpg" }, "cover"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := newRecord("c101", base, 1, StateComplete)
			tc.change(r)
			before := *r
			err := db.PutRecord(r)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("PutRecord: %v, want an error containing %q", err, tc.want)
			}
			if *r != before {
				t.Errorf("a refused PutRecord changed the record: %+v", r)
			}
		})
	}
	if n, err := db.CountRecords(RecordQuery{}); err != nil || n != 0 {
		t.Errorf("after refused puts: %d records, %v", n, err)
	}
	mustCheck(t, db)
}

func TestPathBelongsToOneRecord(t *testing.T) {
	db := openTest(t)
	a := newRecord("c101", base, 1, StateComplete)
	mustPut(t, db, a)
	b := newRecord("c101", base, 2, StateComplete)
	b.Path = a.Path
	err := db.PutRecord(b)
	if err == nil || !strings.Contains(err.Error(), "already belongs to record "+a.ID) {
		t.Fatalf("second record on the same path: %v", err)
	}
	// The refused write must not have disturbed a's entries.
	mustCheck(t, db)
	if got, err := db.RecordByPath(a.Path); err != nil || got.ID != a.ID {
		t.Errorf("RecordByPath = %v, %v; want %s", got, err, a.ID)
	}
	if err := db.DeleteRecord(a.ID); err != nil {
		t.Fatal(err)
	}
	mustPut(t, db, b)
	mustCheck(t, db)
}

func TestNewRecordID(t *testing.T) {
	utc := time.Date(2026, 11, 23, 2, 30, 0, 0, time.UTC)
	cases := []struct {
		channel string
		start   time.Time
		slice   int
		want    string
	}{
		{"c101", utc, 1, "20261123T023000Z_c101_1"},
		{"c101", utc.In(cst), 1, "20261123T023000Z_c101_1"}, // same instant, other zone
		{"c101", utc.Add(999 * time.Millisecond), 1, "20261123T023000Z_c101_1"},
		{"c101", utc, 12, "20261123T023000Z_c101_12"},
		{"room_3-b", utc, 1, "20261123T023000Z_room_3-b_1"},
	}
	for _, tc := range cases {
		if got := NewRecordID(tc.channel, tc.start, tc.slice); got != tc.want {
			t.Errorf("NewRecordID(%q, %v, %d) = %q, want %q", tc.channel, tc.start, tc.slice, got, tc.want)
		}
	}
	// Sorting ids sorts by start, across days, years and channels.
	var inOrder []string
	for _, d := range []time.Duration{0, time.Second, time.Hour, 24 * time.Hour, 400 * 24 * time.Hour} {
		for _, ch := range []string{"a", "b"} {
			inOrder = append(inOrder, NewRecordID(ch, utc.Add(d), 1))
		}
	}
	shuffled := slices.Clone(inOrder)
	slices.Reverse(shuffled)
	sort.Strings(shuffled)
	if !slices.Equal(shuffled, inOrder) {
		t.Errorf("sorted ids %v, want %v", shuffled, inOrder)
	}
}

// The JSON form is served by the dashboard and the API: its keys are a
// contract.
func TestRecordJSONKeys(t *testing.T) {
	r := newRecord("c101", base, 1, StateFailed)
	r.Reason = "camera unreachable"
	raw, err := json.Marshal(r)
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(raw, &m); err != nil {
		t.Fatal(err)
	}
	var keys []string
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	want := []string{"channel", "course_id", "cover", "created", "duration_ns", "end", "id", "path", "reason",
		"seq", "size", "slice", "start", "state", "subject", "teacher", "trigger", "updated"}
	if !slices.Equal(keys, want) {
		t.Errorf("JSON keys %v, want %v", keys, want)
	}
	if m["state"] != "failed" || m["duration_ns"] != float64(30*time.Minute) {
		t.Errorf("state %v duration_ns %v", m["state"], m["duration_ns"])
	}
}

func TestParseState(t *testing.T) {
	for _, s := range states {
		if got, err := ParseState(string(s)); err != nil || got != s {
			t.Errorf("ParseState(%q) = %q, %v", s, got, err)
		}
		if s.Finished() != (s != StateRecording) {
			t.Errorf("%s.Finished() = %v", s, s.Finished())
		}
	}
	for _, bad := range []string{"", "Complete", "done", "uploaded "} {
		if _, err := ParseState(bad); err == nil {
			t.Errorf("ParseState(%q) accepted", bad)
		}
	}
}
