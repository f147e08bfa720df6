package onenet

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
)

// Picture names a picture of a channel (5.x). Name is the caller's
// deterministic name: the platform refuses a second picture of that name.
type Picture struct {
	DeviceID  string
	ChannelID int
	Name      string // at most 256 characters (lubo's bound; the document has none)
	Desc      string
	Format    string // "jpg" or "png"
}

// PictureInfo is what the platform holds about a picture (5.3).
type PictureInfo struct {
	Name   string
	Desc   string
	Format string
	Size   int64 // bytes
	Date   int64 // UNIX seconds
	URL    string
}

const (
	opPictureUpload  = "picture/upload"
	opPictureInfo    = "picture/get_info"
	opPictureDelete  = "picture/delete"
	opFileUpload     = "file/upload"
	opFileList       = "file/list"
	opFileDelete     = "file/delete"
	opRecordingStart = "record_video start"
	opRecordingStop  = "record_video stop"
)

func (p Picture) check(op string, withFormat bool) error {
	if err := checkID(op, "device_id", p.DeviceID); err != nil {
		return err
	}
	if err := checkChannelID(op, p.ChannelID); err != nil {
		return err
	}
	if err := checkText(op, "name", p.Name, maxNameOrIDLength, true); err != nil {
		return err
	}
	if !withFormat {
		return nil
	}
	if p.Format != "jpg" && p.Format != "png" {
		return fieldBad(op, "format", fmt.Sprintf("is %q", p.Format), `"jpg" or "png"`)
	}
	return checkText(op, "desc", p.Desc, 0, false)
}

func (p Picture) query() url.Values {
	return url.Values{"device_id": {p.DeviceID}, "channel_id": {strconv.Itoa(p.ChannelID)}, "name": {p.Name}}
}

// UploadPicture uploads size bytes of body as picture p (5.1). A body
// that can seek (a file, bytes.Reader) is retried on transport errors;
// another is sent once. If the platform refuses because p.Name exists, the
// error matches ErrDuplicateName.
func (c *Client) UploadPicture(ctx context.Context, p Picture, body io.Reader, size int64) error {
	const op = opPictureUpload
	if err := p.check(op, true); err != nil {
		return err
	}
	if size < 0 || size > maxPictureSize {
		return fieldLen(op, "body", int(min(size, 1<<40)), maxPictureSize, "bytes")
	}
	payload, err := readerPayload(body, size)
	if err != nil {
		return fmt.Errorf("onenet: %s: %w", op, err)
	}
	q := p.query()
	q.Set("format", p.Format)
	if p.Desc != "" {
		q.Set("desc", p.Desc)
	}
	_, err = c.do(ctx, call{op: op, method: http.MethodPut, path: "/ipc/video/picture/upload", query: q,
		body: payload, contentType: "image/" + map[string]string{"jpg": "jpeg", "png": "png"}[p.Format]})
	return c.explainRefusal(ctx, op, p.Name, err, func() (bool, error) {
		_, err := c.PictureInfo(ctx, p)
		if err == nil {
			return true, nil
		}
		var e *Error
		if errors.As(err, &e) && !e.retryable() {
			return false, nil // not there (or not visible): the refusal stands
		}
		return false, err
	})
}

// explainRefusal turns a permanent refusal of an upload into a duplicate
// when exists says an object of that name is there. A lookup that fails
// transiently makes the result retryable: the refusal might be a duplicate.
func (c *Client) explainRefusal(ctx context.Context, op, name string, err error, exists func() (bool, error)) error {
	var e *Error
	if err == nil || !errors.As(err, &e) || e.retryable() || ctx.Err() != nil {
		return err
	}
	found, lerr := exists()
	if lerr != nil {
		return fmt.Errorf("onenet: %s refused (%v) and the check for an existing %q failed: %w", op, e, name, lerr)
	}
	if found {
		return &duplicateError{op: op, name: name, refusal: err}
	}
	return err
}

// PictureInfo asks for one picture by name (5.3). Format and Desc of p are
// not used.
func (c *Client) PictureInfo(ctx context.Context, p Picture) (PictureInfo, error) {
	const op = opPictureInfo
	if err := p.check(op, false); err != nil {
		return PictureInfo{}, err
	}
	env, err := c.do(ctx, call{op: op, method: http.MethodGet, path: "/ipc/video/picture/get_info", query: p.query()})
	if err != nil {
		return PictureInfo{}, err
	}
	var data struct {
		Format string  `json:"format"`
		Size   flexInt `json:"size"`
		Date   flexInt `json:"date"`
		Name   string  `json:"name"`
		Desc   string  `json:"desc"`
		URL    string  `json:"url"`
	}
	if err := decodeInto(op, env.Data, &data); err != nil {
		return PictureInfo{}, err
	}
	return PictureInfo{Name: data.Name, Desc: data.Desc, Format: data.Format, Size: int64(data.Size), Date: int64(data.Date), URL: data.URL}, nil
}

// DeletePicture deletes a picture by name (5.4; the path is spelled
// "delete_pictrue" in the document).
func (c *Client) DeletePicture(ctx context.Context, p Picture) error {
	const op = opPictureDelete
	if err := p.check(op, false); err != nil {
		return err
	}
	_, err := c.do(ctx, call{op: op, method: http.MethodDelete, path: "/ipc/video/picture/delete_pictrue", query: p.query()})
	return err
}
