package yunlubo

import (
	"context"
	"net/url"
)

// ListSubjects is one page of §3.7.
func (c *Client) ListSubjects(ctx context.Context, cur, per int) (*Page[Subject], error) {
	return listPage[Subject](ctx, c, EndpointListSubject, nil, cur, per)
}

// AllSubjects walks every page of §3.7.
func (c *Client) AllSubjects(ctx context.Context) ([]Subject, error) {
	rows, _, err := walk[Subject](ctx, c, EndpointListSubject, nil)
	return rows, err
}

// AddSubject is §3.8; it returns the new subject_id.
func (c *Client) AddSubject(ctx context.Context, name string) (Int, error) {
	var ans struct {
		SubjectID Int `json:"subject_id"`
	}
	err := c.call(ctx, EndpointAddSubject, url.Values{"subject_name": {name}}, &ans)
	return ans.SubjectID, err
}

// ModSubject is §3.9.
func (c *Client) ModSubject(ctx context.Context, id Int, name string) error {
	v := idValue("subject_id", id)
	v.Set("subject_name", name)
	return c.call(ctx, EndpointModSubject, v, nil)
}

// DelSubjects is §3.10 (del_subject; the document's del_school there is a copy error).
func (c *Client) DelSubjects(ctx context.Context, ids ...Int) error {
	v, err := idList("subject_id", ids)
	if err != nil {
		return err
	}
	return c.call(ctx, EndpointDelSubject, v, nil)
}

// ListGrades is one page of §3.11.
func (c *Client) ListGrades(ctx context.Context, cur, per int) (*Page[Grade], error) {
	return listPage[Grade](ctx, c, EndpointListGrade, nil, cur, per)
}

// AllGrades walks every page of §3.11.
func (c *Client) AllGrades(ctx context.Context) ([]Grade, error) {
	rows, _, err := walk[Grade](ctx, c, EndpointListGrade, nil)
	return rows, err
}
