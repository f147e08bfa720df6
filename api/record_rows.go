package api

import (
	"github.com/lubo-edge/lubo/recorder"
	"github.com/lubo-edge/lubo/storage"
)

// RecordRow is one recording as the HTTP surface lists it (GET
// /api/records and the dashboard's recordings): the record, and the URLs
// of its file and cover under /records/.
type RecordRow struct {
	*storage.Record
	// URL plays and downloads the file; "" until a finished file with
	// content exists. A failed slice that the recorder finalized keeps
	// what was written, so it has a URL too.
	URL      string `json:"url,omitempty"`
	CoverURL string `json:"cover_url,omitempty"`
}

// RecordRows makes the rows of recs. sessions are the recorder's sessions
// (Recorder.Sessions): the store learns a slice's size and duration when
// it closes, so while a slice is written they come from its session. recs
// are not changed.
func RecordRows(recs []*storage.Record, sessions []recorder.SessionStatus) []RecordRow {
	open := make(map[string]recorder.SessionStatus, len(sessions)) // by the open slice's path
	for _, st := range sessions {
		if st.Path != "" {
			open[st.Path] = st
		}
	}
	rows := make([]RecordRow, 0, len(recs))
	for _, x := range recs {
		if st, ok := open[x.Path]; ok && x.State == storage.StateRecording {
			cp := *x
			cp.Size, cp.Duration = st.Bytes, st.Duration
			x = &cp
		}
		row := RecordRow{Record: x}
		if x.State.Finished() && x.Path != "" && x.Size > 0 {
			row.URL = "/records/" + x.Path
		}
		if x.Cover != "" {
			row.CoverURL = "/records/" + x.Cover
		}
		rows = append(rows, row)
	}
	return rows
}
