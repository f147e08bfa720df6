package yunlubo

import (
	"context"
	"errors"
	"net/url"
	"strconv"
	"strings"
)

// Ptr returns a pointer to v, for the optional fields of the *Change types.
func Ptr[T any](v T) *T { return &v }

// Version is §3.1 (no token needed).
func (c *Client) Version(ctx context.Context) (*Version, error) {
	// version answers without err_code: fetched and decoded on its own.
	ctx, cancel := context.WithTimeout(ctx, c.opts.CallTimeout)
	defer cancel()
	body, err := c.fetch(ctx, EndpointVersion, nil, "")
	if err != nil {
		return nil, err
	}
	var v Version
	if err := decodeJSON(EndpointVersion, body, &v); err != nil {
		return nil, err
	}
	return &v, nil
}

// ListSchools is one page of §3.3 (cur, per <= 0: the server's defaults).
func (c *Client) ListSchools(ctx context.Context, cur, per int) (*Page[School], error) {
	return listPage[School](ctx, c, EndpointListSchool, nil, cur, per)
}

// AllSchools walks every page of §3.3.
func (c *Client) AllSchools(ctx context.Context) ([]School, error) {
	rows, _, err := walk[School](ctx, c, EndpointListSchool, nil)
	return rows, err
}

// SchoolInput is what add_school and mod_school send (phone optional).
type SchoolInput struct {
	Name, Addr, Phone string
}

func (in SchoolInput) values() url.Values {
	v := url.Values{"name": {in.Name}, "addr": {in.Addr}}
	if in.Phone != "" {
		v.Set("phone", in.Phone)
	}
	return v
}

// AddSchool is §3.4; it returns the new school_id.
func (c *Client) AddSchool(ctx context.Context, in SchoolInput) (Int, error) {
	var ans struct {
		SchoolID Int `json:"school_id"`
	}
	err := c.call(ctx, EndpointAddSchool, in.values(), &ans)
	return ans.SchoolID, err
}

// ModSchool is §3.5.
func (c *Client) ModSchool(ctx context.Context, id Int, in SchoolInput) error {
	v := in.values()
	v.Set("school_id", id.String())
	return c.call(ctx, EndpointModSchool, v, nil)
}

// DelSchools is §3.6.
func (c *Client) DelSchools(ctx context.Context, ids ...Int) error {
	v, err := idList("school_id", ids)
	if err != nil {
		return err
	}
	return c.call(ctx, EndpointDelSchool, v, nil)
}

// String is the decimal form used in requests.
func (n Int) String() string { return strconv.FormatInt(int64(n), 10) }

// idList is the comma-separated list of the del_* endpoints.
func idList(name string, ids []Int) (url.Values, error) {
	if len(ids) == 0 {
		return nil, errors.New("yunlubo: no " + name + " given")
	}
	parts := make([]string, len(ids))
	for i, id := range ids {
		parts[i] = id.String()
	}
	return url.Values{name: {strings.Join(parts, ",")}}, nil
}

func idValue(name string, id Int) url.Values { return url.Values{name: {id.String()}} }
