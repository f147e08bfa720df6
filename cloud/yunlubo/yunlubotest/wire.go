package yunlubotest

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/url"

	"github.com/lubo-edge/lubo/cloud/yunlubo"
)

// object is one JSON answer or row.
type object = map[string]any

func writeJSON(w http.ResponseWriter, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	_, _ = w.Write(b)
}

func okAnswer(fields object) object {
	ans := object{"err_code": 0, "err_msg": "OK"}
	for k, v := range fields {
		ans[k] = v
	}
	return ans
}

func errAnswer(endpoint string, code int) object {
	msg := yunlubo.Meaning(endpoint, code)
	if msg == "" {
		msg = "error"
	}
	return object{"err_code": code, "err_msg": msg}
}

// toObject turns a row into its JSON object (numbers kept exact).
func toObject(v any) object {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err) // rows are plain structs
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	var o object
	if err := dec.Decode(&o); err != nil {
		panic(err)
	}
	return o
}

// asStrings writes the named fields as JSON strings, as the document's
// examples do for some ids and sizes.
func asStrings(o object, keys ...string) object {
	for _, k := range keys {
		if n, ok := o[k].(json.Number); ok {
			o[k] = n.String()
		}
	}
	return o
}

// page answers one page of rows, rendering only that page's rows.
// stringCounters writes cur_page/per_page as strings, as the examples of
// §3.12, 3.16, 3.18, 3.25 and 3.27 do.
func page[T any](rows []T, render func(T) object, p url.Values, stringCounters bool, extra object) object {
	cur, per := yunlubo.PageParams(p)
	total := len(rows)
	maxPage := (total + per - 1) / per
	data := []object{}
	if cur <= maxPage {
		from := (cur - 1) * per
		for _, r := range rows[from:min(from+per, total)] {
			data = append(data, render(r))
		}
	}
	ans := okAnswer(extra)
	ans["total_num"] = total
	ans["max_page"] = maxPage
	ans["data"] = data
	if stringCounters {
		ans["cur_page"] = yunlubo.Int(cur).String()
		ans["per_page"] = yunlubo.Int(per).String()
	} else {
		ans["cur_page"] = cur
		ans["per_page"] = per
	}
	return ans
}
