package boxapi

import (
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/lubo-edge/lubo/cloud/yunlubo"
)

// call is one /api/v1 request after parsing.
type call struct {
	endpoint string
	p        url.Values
	r        *http.Request
	base     string // the box's address, for storage_addr and play_url
}

// refusal is an answer with a non-zero err_code. msg "" means the
// document's text for the code.
type refusal struct {
	code int
	msg  string
}

func refuse(code int) *refusal { return &refusal{code: code} }

func refuseWhy(code int, msg string) *refusal { return &refusal{code: code, msg: msg} }

// endpointFunc answers a call whose token and parameters passed the checks.
type endpointFunc func(h *Handler, c *call) (any, *refusal)

var endpoints = map[string]endpointFunc{
	yunlubo.EndpointVersion:         (*Handler).version,
	yunlubo.EndpointAccessToken:     (*Handler).accessToken,
	yunlubo.EndpointListSchool:      (*Handler).listSchool,
	yunlubo.EndpointListGrade:       (*Handler).listGrade,
	yunlubo.EndpointListSubject:     (*Handler).listSubject,
	yunlubo.EndpointListTeacher:     (*Handler).listTeacher,
	yunlubo.EndpointListGather:      (*Handler).listGather,
	yunlubo.EndpointListCamera:      (*Handler).listCamera,
	yunlubo.EndpointGetCameraStatus: (*Handler).cameraStatus,
	yunlubo.EndpointStartCamera:     (*Handler).startCamera,
	yunlubo.EndpointStopCamera:      (*Handler).stopCamera,
	yunlubo.EndpointAddCamera:       (*Handler).addCamera,
	yunlubo.EndpointModCamera:       (*Handler).modCamera,
	yunlubo.EndpointDelCamera:       (*Handler).delCamera,
	yunlubo.EndpointListCourse:      (*Handler).listCourse,
	yunlubo.EndpointAddCourse:       (*Handler).addCourse,
	yunlubo.EndpointModCourse:       (*Handler).modCourse,
	yunlubo.EndpointDelCourse:       (*Handler).delCourse,
	yunlubo.EndpointListRecord:      (*Handler).listRecord,
	yunlubo.EndpointDelRecord:       (*Handler).delRecord,
	yunlubo.EndpointPlayCamera:      (*Handler).playCamera,
	yunlubo.EndpointPlayRecord:      (*Handler).playRecord,
}

// notHere answers the documented endpoints a box does not serve (schools,
// subjects, teachers and gathers are edited on a 云录播 server): 1003, the
// code for "this account may not call it", with the reason.
func notHere(h *Handler, c *call) (any, *refusal) {
	return nil, refuseWhy(yunlubo.CodeNoAPIAccess, "采集端不支持 "+c.endpoint+": 请在云录播服务器上管理 (this box does not manage "+
		strings.TrimPrefix(strings.TrimPrefix(strings.TrimPrefix(c.endpoint, "add_"), "mod_"), "del_")+"s; a 云录播 server does)")
}

func (h *Handler) serveAPI(w http.ResponseWriter, r *http.Request) {
	endpoint, params, err := yunlubo.ParseRequest(r)
	if err != nil {
		status := http.StatusBadRequest
		msg := "bad request: " + strings.TrimPrefix(err.Error(), "yunlubo: ")
		switch {
		case errors.Is(err, yunlubo.ErrNotGET):
			status, msg = http.StatusMethodNotAllowed, "only GET is supported (§1)"
			w.Header().Set("Allow", http.MethodGet)
		case errors.Is(err, yunlubo.ErrUnknownEndpoint):
			status, msg = http.StatusNotFound, "no such endpoint under /api/v1/ (names are lower case)"
		}
		http.Error(w, msg, status)
		return
	}
	c := &call{endpoint: endpoint, p: params, r: r, base: h.baseURL(r)}
	ans, ref := h.answer(c)
	if ref != nil {
		// err_msg is the document's text for the code, then the box's
		// reason in parentheses when it has one.
		msg, doc := ref.msg, yunlubo.Meaning(endpoint, ref.code)
		switch {
		case msg == "":
			msg = doc
		case !strings.HasPrefix(msg, doc):
			msg = doc + " (" + msg + ")"
		}
		ans = struct {
			ErrCode int    `json:"err_code"`
			ErrMsg  string `json:"err_msg"`
		}{ref.code, msg}
	}
	body, err := json.Marshal(ans)
	if err != nil { // answers are plain structs: this is a bug, not input
		h.log.Error("boxapi: encoding an answer", "endpoint", endpoint, "err", err)
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	hd := w.Header()
	hd.Set("Content-Type", "application/json; charset=utf-8")
	hd.Set("Cache-Control", "no-store")
	hd.Set("Access-Control-Allow-Origin", "*")
	_, _ = w.Write(body)
}

func (h *Handler) answer(c *call) (any, *refusal) {
	if yunlubo.NeedsToken(c.endpoint) {
		if code := h.tokens.check(c.p.Get("token")); code != 0 {
			return nil, refuse(code)
		}
	}
	if err := yunlubo.ValidateParams(c.endpoint, c.p); err != nil {
		var e *yunlubo.Error
		if errors.As(err, &e) {
			return nil, refuse(e.Code)
		}
		return nil, refuse(yunlubo.CodeNoID)
	}
	fn, ok := endpoints[c.endpoint]
	if !ok {
		fn = notHere
	}
	return fn(h, c)
}

// baseURL is the box's address as the client reached it.
func (h *Handler) baseURL(r *http.Request) string {
	if h.opts.PublicURL != "" {
		return strings.TrimRight(h.opts.PublicURL, "/")
	}
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	host := r.Host
	if host == "" || strings.ContainsAny(host, "/\\@ \"'<>") {
		host = "localhost"
	}
	return scheme + "://" + host
}

// ok is the plain success answer.
type ok struct {
	ErrCode int    `json:"err_code"`
	ErrMsg  string `json:"err_msg"`
}

var okAnswer = ok{0, "OK"}

// transmit stands for "the relay server's answer" of §3.19-3.30: a box has
// no relay server, so it reports its own result the same way.
type transmit = ok

// page is a list answer. The document writes cur_page and per_page as
// numbers in some examples and strings in others; the box writes them as
// each endpoint's example does (stringCounters).
type page struct {
	ErrCode     int    `json:"err_code"`
	ErrMsg      string `json:"err_msg"`
	TotalNum    int    `json:"total_num"`
	MaxPage     int    `json:"max_page"`
	CurPage     any    `json:"cur_page"`
	PerPage     any    `json:"per_page"`
	StorageAddr string `json:"storage_addr,omitempty"`
	Data        any    `json:"data"`
}

// paginate cuts rows to the asked page (cur/per as PageParams reads them).
func paginate[T any](p url.Values, rows []T, stringCounters bool) page {
	cur, per := yunlubo.PageParams(p)
	total := len(rows)
	data := []T{}
	if from := (cur - 1) * per; from < total && from >= 0 {
		data = rows[from:min(from+per, total)]
	}
	return makePage(cur, per, total, data, stringCounters)
}

func makePage(cur, per, total int, data any, stringCounters bool) page {
	pg := page{ErrMsg: "OK", TotalNum: total, MaxPage: (total + per - 1) / per, CurPage: cur, PerPage: per, Data: data}
	if stringCounters {
		pg.CurPage, pg.PerPage = itoa(int64(cur)), itoa(int64(per))
	}
	return pg
}

// stamp writes a time as the document does: "2017-07-01 14:39:30".
func (h *Handler) stamp(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.In(h.opts.Location).Format(time.DateTime)
}
