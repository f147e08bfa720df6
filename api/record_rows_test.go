package api

import (
	"testing"
	"time"

	"github.com/lubo-edge/lubo/recorder"
	"github.com/lubo-edge/lubo/storage"
)

func TestRecordRows(t *testing.T) {
	open := recorder.SessionStatus{Channel: "c1", Path: "c1/2026-11-23/103000_1.mp4", Bytes: 4096, Duration: 3 * time.Second}
	cases := []struct {
		name           string
		rec            storage.Record
		wantURL, cover string
		wantSize       int64
		wantDur        time.Duration
	}{
		{"being written: size and duration from its session, no URL yet",
			storage.Record{Path: open.Path, State: storage.StateRecording}, "", "", 4096, 3 * time.Second},
		{"being written, no session (yet): as stored",
			storage.Record{Path: "c1/2026-11-23/103000_2.mp4", State: storage.StateRecording, Size: 7}, "", "", 7, 0},
		{"complete with a cover",
			storage.Record{Path: "c1/2026-11-23/090000_1.mp4", Cover: "c1/2026-11-23/090000_1.jpg", State: storage.StateComplete, Size: 10, Duration: time.Minute},
			"/records/c1/2026-11-23/090000_1.mp4", "/records/c1/2026-11-23/090000_1.jpg", 10, time.Minute},
		{"finished with the open slice's path: the store's numbers, not the session's",
			storage.Record{Path: open.Path, State: storage.StateComplete, Size: 99}, "/records/" + open.Path, "", 99, 0},
		{"failed, the written part finalized: playable",
			storage.Record{Path: "c1/2026-11-23/080000_1.mp4", State: storage.StateFailed, Size: 5}, "/records/c1/2026-11-23/080000_1.mp4", "", 5, 0},
		{"failed with nothing kept", storage.Record{Path: "c1/2026-11-23/070000_1.mp4", State: storage.StateFailed}, "", "", 0, 0},
		{"uploaded", storage.Record{Path: "c1/x.mp4", State: storage.StateUploaded, Size: 1}, "/records/c1/x.mp4", "", 1, 0},
		{"recovered without a path", storage.Record{State: storage.StateRecovered, Size: 1}, "", "", 1, 0},
		{"unknown state", storage.Record{Path: "c1/y.mp4", State: "lost", Size: 1}, "", "", 1, 0},
	}
	recs := make([]*storage.Record, len(cases))
	for i := range cases {
		recs[i] = &cases[i].rec
	}
	rows := RecordRows(recs, []recorder.SessionStatus{{Channel: "c2"}, open})
	if len(rows) != len(cases) {
		t.Fatalf("%d rows of %d records", len(rows), len(cases))
	}
	for i, c := range cases {
		r := rows[i]
		if r.URL != c.wantURL || r.CoverURL != c.cover || r.Size != c.wantSize || r.Duration != c.wantDur {
			t.Errorf("%s: url %q cover %q size %d duration %v; want %q %q %d %v",
				c.name, r.URL, r.CoverURL, r.Size, r.Duration, c.wantURL, c.cover, c.wantSize, c.wantDur)
		}
	}
	if cases[0].rec.Size != 0 {
		t.Error("RecordRows changed the record it was given")
	}
	if rows := RecordRows(nil, nil); rows == nil || len(rows) != 0 {
		t.Errorf("no records: %#v, want an empty list (JSON [])", rows)
	}
}
