package yunlubo

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"strconv"
)

// maxRowsPerPage caps the rows accepted in one page, so that 8 MiB of "{},"
// cannot become millions of structs.
const maxRowsPerPage = MaxPerPage

// maxWalkRows caps the rows one walk collects.
const maxWalkRows = 200_000

// Page is one page of a list answer (cur/per as asked; the answer's own
// counters as sent).
type Page[T any] struct {
	TotalNum    Int    `json:"total_num"`
	MaxPage     Int    `json:"max_page"`
	CurPage     Int    `json:"cur_page"`
	PerPage     Int    `json:"per_page"`
	StorageAddr string `json:"storage_addr,omitempty"` // list_camera, list_record
	Data        []T    `json:"data"`
}

// rawPage holds rows undecoded until their number is checked.
type rawPage struct {
	TotalNum    Int               `json:"total_num"`
	MaxPage     Int               `json:"max_page"`
	CurPage     Int               `json:"cur_page"`
	PerPage     Int               `json:"per_page"`
	StorageAddr string            `json:"storage_addr"`
	Data        []json.RawMessage `json:"data"`
}

// DecodePage decodes a list answer's page (err_code aside), refusing more
// than 1000 rows.
func DecodePage[T any](body []byte) (*Page[T], error) {
	var raw rawPage
	if err := json.Unmarshal(body, &raw); err != nil {
		return nil, err
	}
	if len(raw.Data) > maxRowsPerPage {
		return nil, fmt.Errorf("%d rows in one page, at most %d accepted", len(raw.Data), maxRowsPerPage)
	}
	p := &Page[T]{TotalNum: raw.TotalNum, MaxPage: raw.MaxPage, CurPage: raw.CurPage,
		PerPage: raw.PerPage, StorageAddr: raw.StorageAddr, Data: make([]T, len(raw.Data))}
	for i, row := range raw.Data {
		if err := json.Unmarshal(row, &p.Data[i]); err != nil {
			return nil, fmt.Errorf("row %d: %w", i, err)
		}
	}
	return p, nil
}

// pageDecoder lets call() decode into a Page through DecodePage.
type pageDecoder[T any] struct{ p *Page[T] }

func (d *pageDecoder[T]) UnmarshalJSON(b []byte) error {
	p, err := DecodePage[T](b)
	if err != nil {
		return err
	}
	d.p = p
	return nil
}

// listPage fetches one page of a list endpoint.
func listPage[T any](ctx context.Context, c *Client, op string, extra url.Values, cur, per int) (*Page[T], error) {
	params := url.Values{}
	for k, v := range extra {
		params[k] = v
	}
	if cur > 0 {
		params.Set("cur", strconv.Itoa(cur))
	}
	if per > 0 {
		params.Set("per", strconv.Itoa(per))
	}
	var d pageDecoder[T]
	if err := c.call(ctx, op, params, &d); err != nil {
		return nil, err
	}
	return d.p, nil
}

// walk fetches every page (cur = 1 … max_page) of a list endpoint, stopping
// at an empty page and failing past Options.MaxPages.
func walk[T any](ctx context.Context, c *Client, op string, extra url.Values) ([]T, string, error) {
	var all []T
	storage := ""
	for cur := 1; ; cur++ {
		if cur > c.opts.MaxPages {
			return nil, "", fmt.Errorf("%w: %s announces more than %d pages", ErrTooManyPages, op, c.opts.MaxPages)
		}
		p, err := listPage[T](ctx, c, op, extra, cur, c.opts.PerPage)
		if err != nil {
			return nil, "", fmt.Errorf("page %d: %w", cur, err)
		}
		if len(all)+len(p.Data) > maxWalkRows {
			return nil, "", fmt.Errorf("yunlubo: %s: more than %d rows", op, maxWalkRows)
		}
		all = append(all, p.Data...)
		if p.StorageAddr != "" {
			storage = p.StorageAddr
		}
		if len(p.Data) == 0 || int64(p.MaxPage) <= int64(cur) {
			return all, storage, nil
		}
	}
}
