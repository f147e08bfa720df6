package yunlubo

import (
	"context"
	"encoding/json"
	"net/url"
	"strconv"
	"time"
)

// ListRecords is one page of §3.25 (with storage_addr).
func (c *Client) ListRecords(ctx context.Context, cur, per int) (*Page[Record], error) {
	return listPage[Record](ctx, c, EndpointListRecord, nil, cur, per)
}

// AllRecords walks every page of §3.25.
func (c *Client) AllRecords(ctx context.Context) (recs []Record, storageAddr string, err error) {
	return walk[Record](ctx, c, EndpointListRecord, nil)
}

// DelRecords is §3.26 (the server deletes the files and snapshots too).
func (c *Client) DelRecords(ctx context.Context, ids ...Int) error {
	v, err := idList("record_id", ids)
	if err != nil {
		return err
	}
	return c.call(ctx, EndpointDelRecord, v, nil)
}

// PlayRecord is §3.32: the play_url of a recording's player page.
func (c *Client) PlayRecord(ctx context.Context, id Int, width, height int) (string, error) {
	return c.playCall(ctx, EndpointPlayRecord, idValue("record_id", id), width, height)
}

// ListCourses is one page of §3.27 for one camera.
func (c *Client) ListCourses(ctx context.Context, cameraID Int, cur, per int) (*Page[Course], error) {
	return listPage[Course](ctx, c, EndpointListCourse, idValue("camera_id", cameraID), cur, per)
}

// AllCourses walks every page of §3.27 for one camera.
func (c *Client) AllCourses(ctx context.Context, cameraID Int) ([]Course, error) {
	rows, _, err := walk[Course](ctx, c, EndpointListCourse, idValue("camera_id", cameraID))
	return rows, err
}

// CourseInput is what add_course and mod_course send. Start is the time of
// day (whole seconds, 00:00:00-23:59:59), Elapse the length; Start+Elapse
// past 23:59:59 is refused by the server (1013).
type CourseInput struct {
	CameraID  Int
	SubjectID Int
	TeacherID Int
	WeekID    time.Weekday // Sunday 0 … Saturday 6
	Start     time.Duration
	Elapse    time.Duration
}

func (in CourseInput) values() url.Values {
	return url.Values{
		"camera_id":  {in.CameraID.String()},
		"subject_id": {in.SubjectID.String()},
		"teacher_id": {in.TeacherID.String()},
		"week_id":    {strconv.Itoa(int(in.WeekID))},
		"elapse_sec": {strconv.FormatInt(int64(in.Elapse/time.Second), 10)},
		"start_time": {formatStart(in.Start)},
	}
}

// formatStart writes a time of day; a negative or too large one is written
// as is (e.g. "-00:00:01", "24:00:00") so the server refuses it with 1011.
func formatStart(d time.Duration) string {
	sec := int64(d / time.Second)
	if sec < 0 {
		return "-" + FormatClock(int(-sec%86400))
	}
	if sec > LastSecondOfDay {
		return strconv.FormatInt(sec/3600, 10) + ":00:00"
	}
	return FormatClock(int(sec))
}

// CourseSaved is the answer of add_course and mod_course.
type CourseSaved struct {
	CourseID Int             `json:"course_id"`
	CameraID Int             `json:"camera_id"`
	Transmit json.RawMessage `json:"transmit"`
}

// AddCourse is §3.28.
func (c *Client) AddCourse(ctx context.Context, in CourseInput) (*CourseSaved, error) {
	var ans CourseSaved
	if err := c.call(ctx, EndpointAddCourse, in.values(), &ans); err != nil {
		return nil, err
	}
	return &ans, nil
}

// ModCourse is §3.29.
func (c *Client) ModCourse(ctx context.Context, id Int, in CourseInput) (*CourseSaved, error) {
	v := in.values()
	v.Set("course_id", id.String())
	var ans CourseSaved
	if err := c.call(ctx, EndpointModCourse, v, &ans); err != nil {
		return nil, err
	}
	return &ans, nil
}

// DelCourses is §3.30; it returns the transmit result.
func (c *Client) DelCourses(ctx context.Context, ids ...Int) (json.RawMessage, error) {
	v, err := idList("course_id", ids)
	if err != nil {
		return nil, err
	}
	return c.transmitCall(ctx, EndpointDelCourse, v)
}
