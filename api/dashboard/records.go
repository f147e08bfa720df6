package dashboard

import (
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/lubo-edge/lubo/api"
	"github.com/lubo-edge/lubo/storage"
)

// Paging of GET /api/dash/records.
const (
	defaultPerPage = 20
	maxPerPage     = 100
	// maxFilterScan bounds how many records a subject or teacher filter
	// reads (the index has no such key); the newest are read first.
	maxFilterScan = 5000
)

// recordsQuery is what GET /api/dash/records?channel=&date=&subject=&teacher=&state=&page=&per_page= asks.
type recordsQuery struct {
	q       storage.RecordQuery
	subject string
	teacher string
	page    int
	perPage int
}

// parseRecordsQuery reads the query string; dates are days in loc.
func parseRecordsQuery(v url.Values, loc *time.Location) (recordsQuery, []Problem) {
	rq := recordsQuery{q: storage.RecordQuery{Channel: v.Get("channel"), Order: storage.OrderDesc}, page: 1, perPage: defaultPerPage,
		subject: strings.TrimSpace(v.Get("subject")), teacher: strings.TrimSpace(v.Get("teacher"))}
	var ps []Problem
	if d := v.Get("date"); d != "" {
		day, err := time.ParseInLocation(time.DateOnly, d, loc)
		if err != nil {
			ps = append(ps, Problem{Field: "date", Msg: fmt.Sprintf("%q is not a date like 2026-11-23", d)})
		} else {
			rq.q.From, rq.q.To = day, day.AddDate(0, 0, 1)
		}
	}
	if s := v.Get("state"); s != "" {
		st, err := storage.ParseState(s)
		if err != nil {
			ps = append(ps, Problem{Field: "state", Msg: err.Error()})
		}
		rq.q.States = []storage.State{st}
	}
	num := func(name string, lo, hi int, dst *int) {
		s := v.Get(name)
		if s == "" {
			return
		}
		n, err := strconv.Atoi(s)
		if err != nil || n < lo || n > hi {
			ps = append(ps, Problem{Field: name, Msg: fmt.Sprintf("%q is not a whole number from %d to %d", s, lo, hi)})
			return
		}
		*dst = n
	}
	num("page", 1, 1_000_000, &rq.page)
	num("per_page", 1, maxPerPage, &rq.perPage)
	if len(rq.subject) > 4*maxName || len(rq.teacher) > 4*maxName {
		ps = append(ps, Problem{Field: "subject", Msg: "the filter is too long"})
	}
	if len(ps) == 0 {
		if err := rq.q.Validate(); err != nil {
			ps = append(ps, Problem{Msg: err.Error()})
		}
	}
	return rq, ps
}

func (h *Handler) serveRecords(w http.ResponseWriter, r *http.Request) {
	rq, ps := parseRecordsQuery(r.URL.Query(), h.opts.Config().Location())
	if len(ps) > 0 {
		writeProblems(w, http.StatusBadRequest, "bad query", ps)
		return
	}
	rec := h.recorder(w)
	if rec == nil {
		return
	}
	var recs []*storage.Record
	var total int
	var err error
	truncated := false
	if rq.subject == "" && rq.teacher == "" {
		q := rq.q
		q.Limit, q.Offset = rq.perPage, (rq.page-1)*rq.perPage
		recs, total, err = rec.Records(q)
	} else {
		q := rq.q
		q.Limit = maxFilterScan
		var all []*storage.Record
		all, total, err = rec.Records(q)
		truncated = total > maxFilterScan
		var hit []*storage.Record
		for _, x := range all {
			if (rq.subject == "" || strings.Contains(x.Subject, rq.subject)) && (rq.teacher == "" || strings.Contains(x.Teacher, rq.teacher)) {
				hit = append(hit, x)
			}
		}
		total = len(hit)
		from := min((rq.page-1)*rq.perPage, len(hit))
		recs = hit[from:min(from+rq.perPage, len(hit))]
	}
	if err != nil {
		writeError(w, http.StatusInternalServerError, err.Error())
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"total": total, "page": rq.page, "per_page": rq.perPage, "truncated": truncated,
		"records": api.RecordRows(recs, rec.Sessions())})
}
