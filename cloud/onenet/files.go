package onenet

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
)

// StoredFile is an object in the product's object storage (15.4).
type StoredFile struct {
	Name string
	Desc string
	Size int64 // bytes
	Date int64 // UNIX seconds
}

// maxFileList bounds the entries a list answer may hold.
const maxFileList = 10000

func (c *Client) checkProduct(op string) error {
	if c.productID == "" {
		return fieldBad(op, "product_id", "is not configured", "the product id (Config.ProductID)")
	}
	return checkID(op, "product_id", c.productID)
}

// UploadFile stores size bytes of body under name in the product's
// object storage (15.1). Files over MaxFileSize (8 MiB) are refused with
// ErrFileTooLarge before anything is sent. The body is streamed; one that
// can seek is retried on transport errors, another is sent once. If the
// platform refuses because the name exists, the error matches
// ErrDuplicateName. Needs the master key.
func (c *Client) UploadFile(ctx context.Context, name, desc string, body io.Reader, size int64) error {
	const op = opFileUpload
	if size > MaxFileSize {
		return fmt.Errorf("onenet: %s: %q is %d bytes, limit %d: %w", op, name, size, MaxFileSize, ErrFileTooLarge)
	}
	if size < 0 {
		return fieldBad(op, "body", "has a negative size", "0-8388608 bytes")
	}
	if err := c.checkProduct(op); err != nil {
		return err
	}
	if err := checkFileName(op, name); err != nil {
		return err
	}
	if err := checkText(op, "desc", desc, MaxFileDesc, false); err != nil {
		return err
	}
	payload, err := readerPayload(body, size)
	if err != nil {
		return fmt.Errorf("onenet: %s: %w", op, err)
	}
	q := url.Values{"product_id": {c.productID}, "name": {name}}
	if desc != "" {
		q.Set("desc", desc)
	}
	_, err = c.do(ctx, call{op: op, method: http.MethodPut, path: "/ipc/video/file/upload", query: q,
		body: payload, contentType: "application/octet-stream", storage: true, successCode: 200})
	return c.explainRefusal(ctx, op, name, err, func() (bool, error) {
		files, err := c.Files(ctx, name)
		if err != nil {
			var e *Error
			if errors.As(err, &e) && !e.retryable() {
				return false, nil
			}
			return false, err
		}
		for _, f := range files {
			if f.Name == name {
				return true, nil
			}
		}
		return false, nil
	})
}

// UploadFilePath uploads the file at path under name: its size is taken
// from the open file before anything is sent, and the body streams from
// disk.
func (c *Client) UploadFilePath(ctx context.Context, path, name, desc string) error {
	f, err := os.Open(path)
	if err != nil {
		return fmt.Errorf("onenet: %s: %w", opFileUpload, err)
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return fmt.Errorf("onenet: %s: %w", opFileUpload, err)
	}
	if !st.Mode().IsRegular() {
		return fmt.Errorf("onenet: %s: %s is not a regular file", opFileUpload, path)
	}
	return c.UploadFile(ctx, name, desc, f, st.Size())
}

// Files lists the product's stored objects whose name matches (15.4; an
// empty name lists without the filter).
func (c *Client) Files(ctx context.Context, name string) ([]StoredFile, error) {
	const op = opFileList
	if err := c.checkProduct(op); err != nil {
		return nil, err
	}
	q := url.Values{"product_id": {c.productID}}
	if name != "" {
		if err := checkFileName(op, name); err != nil {
			return nil, err
		}
		q.Set("name", name)
	}
	env, err := c.do(ctx, call{op: op, method: http.MethodGet, path: "/ipc/video/file/list", query: q, storage: true})
	if err != nil {
		return nil, err
	}
	var data []struct {
		Name string  `json:"name"`
		Desc string  `json:"desc"`
		Size flexInt `json:"size"`
		Date flexInt `json:"date"`
	}
	if len(env.Data) == 0 || string(env.Data) == "null" {
		return nil, nil
	}
	if err := decodeInto(op, env.Data, &data); err != nil {
		return nil, err
	}
	if len(data) > maxFileList {
		return nil, &ProtocolError{Op: op, HTTPStatus: 200, Reason: "too many entries"}
	}
	out := make([]StoredFile, 0, len(data))
	for _, d := range data {
		out = append(out, StoredFile{Name: d.Name, Desc: d.Desc, Size: int64(d.Size), Date: int64(d.Date)})
	}
	return out, nil
}

// DeleteFile removes a stored object (15.3).
func (c *Client) DeleteFile(ctx context.Context, name string) error {
	const op = opFileDelete
	if err := c.checkProduct(op); err != nil {
		return err
	}
	if err := checkFileName(op, name); err != nil {
		return err
	}
	_, err := c.do(ctx, call{op: op, method: http.MethodDelete, path: "/ipc/video/file/delete",
		query: url.Values{"product_id": {c.productID}, "name": {name}}, storage: true, successCode: 200})
	return err
}
