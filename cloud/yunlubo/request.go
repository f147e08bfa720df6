package yunlubo

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
)

// APIPrefix is the path every endpoint lives under.
const APIPrefix = "/api/v1/"

// Limits on a request, so a hostile caller cannot make a server of this API
// allocate without bound.
const (
	maxPathBytes  = 8 << 10
	maxParams     = 128
	maxIDsPerList = 1000
	// MaxPerPage caps per on a server; the document sets none, lubo does.
	MaxPerPage = 1000
)

// Errors of ParseRequest; a server answers them with an HTTP status, not an
// err_code, because the document gives no code for them.
var (
	ErrNotGET          = errors.New("yunlubo: only GET is supported")
	ErrUnknownEndpoint = errors.New("yunlubo: unknown endpoint")
	ErrBadPath         = errors.New("yunlubo: malformed path")
)

// ParseRequest reads an /api/v1 request in either URL form of §1:
// /api/v1/<endpoint>?a=1&b=2 or /api/v1/<endpoint>/a/1/b/2 (both may be
// mixed; path pairs come first in params). Paths and names are
// case-sensitive; only GET is accepted.
func ParseRequest(r *http.Request) (endpoint string, params url.Values, err error) {
	if r.Method != http.MethodGet {
		return "", nil, ErrNotGET
	}
	if r.URL == nil {
		return "", nil, ErrBadPath
	}
	return ParseURL(r.URL)
}

// ParseURL is ParseRequest without the method check.
func ParseURL(u *url.URL) (endpoint string, params url.Values, err error) {
	path := u.EscapedPath()
	if len(path) > maxPathBytes || len(u.RawQuery) > maxPathBytes {
		return "", nil, fmt.Errorf("%w: too long", ErrBadPath)
	}
	rest, ok := strings.CutPrefix(path, APIPrefix)
	if !ok {
		return "", nil, ErrUnknownEndpoint
	}
	segs := strings.Split(rest, "/")
	endpoint = segs[0]
	if !knownEndpoint(endpoint) {
		return "", nil, ErrUnknownEndpoint
	}
	pairs := segs[1:]
	if n := len(pairs); n > 0 && pairs[n-1] == "" {
		pairs = pairs[:n-1] // one trailing slash
	}
	if len(pairs)%2 != 0 {
		return "", nil, fmt.Errorf("%w: a name without a value", ErrBadPath)
	}
	if len(pairs)/2 > maxParams {
		return "", nil, fmt.Errorf("%w: too many parameters", ErrBadPath)
	}
	params = url.Values{}
	for i := 0; i < len(pairs); i += 2 {
		k, err1 := url.PathUnescape(pairs[i])
		v, err2 := url.PathUnescape(pairs[i+1])
		if err1 != nil || err2 != nil || k == "" {
			return "", nil, fmt.Errorf("%w: bad parameter in path", ErrBadPath)
		}
		params.Add(k, v)
	}
	if u.RawQuery != "" {
		if strings.Count(u.RawQuery, "&")+strings.Count(u.RawQuery, ";") >= maxParams {
			return "", nil, fmt.Errorf("%w: too many parameters", ErrBadPath)
		}
		q, err := url.ParseQuery(u.RawQuery)
		if err != nil {
			return "", nil, fmt.Errorf("%w: bad query", ErrBadPath)
		}
		for k, vs := range q {
			params[k] = append(params[k], vs...)
		}
	}
	return endpoint, params, nil
}

// PageParams reads cur and per with the document's defaults (1 and 10);
// a missing, malformed or non-positive value takes the default, per is
// capped at MaxPerPage.
func PageParams(p url.Values) (cur, per int) {
	cur, per = 1, 10
	if v, err := strconv.Atoi(strings.TrimSpace(p.Get("cur"))); err == nil && v > 0 {
		cur = v
	}
	if v, err := strconv.Atoi(strings.TrimSpace(p.Get("per"))); err == nil && v > 0 {
		per = min(v, MaxPerPage)
	}
	return cur, per
}

// ParseID reads a positive integer id.
func ParseID(s string) (int64, bool) {
	v, err := strconv.ParseInt(strings.TrimSpace(s), 10, 64)
	return v, err == nil && v > 0
}

// ParseIDList reads a comma-separated list of positive ids ("1,2,3"), at most
// 1000 of them.
func ParseIDList(s string) ([]int64, bool) {
	s = strings.TrimSpace(s)
	if s == "" || strings.Count(s, ",") >= maxIDsPerList {
		return nil, false
	}
	var ids []int64
	for _, f := range strings.Split(s, ",") {
		id, ok := ParseID(f)
		if !ok {
			return nil, false
		}
		ids = append(ids, id)
	}
	return ids, true
}

// ParseClock reads a time of day "HH:MM:SS" (00:00:00 to 23:59:59) as
// seconds since midnight.
func ParseClock(s string) (int, bool) {
	parts := strings.Split(s, ":")
	if len(parts) != 3 {
		return 0, false
	}
	limits := [3]int{23, 59, 59}
	sec := 0
	for i, p := range parts {
		if len(p) != 2 || p[0] < '0' || p[0] > '9' || p[1] < '0' || p[1] > '9' {
			return 0, false
		}
		v := int(p[0]-'0')*10 + int(p[1]-'0')
		if v > limits[i] {
			return 0, false
		}
		sec = sec*60 + v
	}
	return sec, true
}

// FormatClock writes seconds since midnight as "HH:MM:SS".
func FormatClock(sec int) string {
	return fmt.Sprintf("%02d:%02d:%02d", sec/3600, sec/60%60, sec%60)
}
