package yunlubo

import (
	"context"
	"net/url"
	"strconv"
)

// ListTeachers is one page of §3.12.
func (c *Client) ListTeachers(ctx context.Context, cur, per int) (*Page[Teacher], error) {
	return listPage[Teacher](ctx, c, EndpointListTeacher, nil, cur, per)
}

// AllTeachers walks every page of §3.12.
func (c *Client) AllTeachers(ctx context.Context) ([]Teacher, error) {
	rows, _, err := walk[Teacher](ctx, c, EndpointListTeacher, nil)
	return rows, err
}

// TeacherInput is what add_teacher sends (DetailInfo optional).
type TeacherInput struct {
	TeacherName string
	SexName     string // 男|女
	TitleName   string
	TitleID     int // 0 正高级 … 4 三级
	DetailInfo  string
}

// AddTeacher is §3.13; it returns the new teacher_id.
func (c *Client) AddTeacher(ctx context.Context, in TeacherInput) (Int, error) {
	v := url.Values{
		"teacher_name": {in.TeacherName},
		"sex_name":     {in.SexName},
		"title_name":   {in.TitleName},
		"title_id":     {strconv.Itoa(in.TitleID)},
	}
	if in.DetailInfo != "" {
		v.Set("detail_info", in.DetailInfo)
	}
	var ans struct {
		TeacherID Int `json:"teacher_id"`
	}
	err := c.call(ctx, EndpointAddTeacher, v, &ans)
	return ans.TeacherID, err
}

// TeacherChange lists the fields mod_teacher changes (nil: unchanged).
type TeacherChange struct {
	TeacherName, SexName, TitleName, DetailInfo *string
	TitleID                                     *int
}

// ModTeacher is §3.14.
func (c *Client) ModTeacher(ctx context.Context, id Int, ch TeacherChange) error {
	v := idValue("teacher_id", id)
	setString(v, "teacher_name", ch.TeacherName)
	setString(v, "sex_name", ch.SexName)
	setString(v, "title_name", ch.TitleName)
	setString(v, "detail_info", ch.DetailInfo)
	setInt(v, "title_id", ch.TitleID)
	return c.call(ctx, EndpointModTeacher, v, nil)
}

// DelTeachers is §3.15.
func (c *Client) DelTeachers(ctx context.Context, ids ...Int) error {
	v, err := idList("teacher_id", ids)
	if err != nil {
		return err
	}
	return c.call(ctx, EndpointDelTeacher, v, nil)
}

func setString(v url.Values, k string, s *string) {
	if s != nil {
		v.Set(k, *s)
	}
}

func setInt(v url.Values, k string, n *int) {
	if n != nil {
		v.Set(k, strconv.Itoa(*n))
	}
}
