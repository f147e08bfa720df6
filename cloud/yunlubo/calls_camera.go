package yunlubo

import (
	"context"
	"encoding/json"
	"net/url"
	"strconv"
)

// ListCameras is one page of §3.18 (with storage_addr).
func (c *Client) ListCameras(ctx context.Context, cur, per int) (*Page[Camera], error) {
	return listPage[Camera](ctx, c, EndpointListCamera, nil, cur, per)
}

// AllCameras walks every page of §3.18; storageAddr is the last non-empty
// storage_addr seen.
func (c *Client) AllCameras(ctx context.Context) (cams []Camera, storageAddr string, err error) {
	return walk[Camera](ctx, c, EndpointListCamera, nil)
}

// CameraInput is what add_camera sends: only StreamMP4File (with StreamMP4)
// and StreamForward (with StreamURL) channels can be added (§3.19).
type CameraInput struct {
	CameraName string
	GatherID   Int
	GradeID    Int
	StreamProp int
	StreamURL  string
	StreamMP4  string
}

// CameraAdded is the answer of add_camera.
type CameraAdded struct {
	CameraID Int             `json:"camera_id"`
	Transmit json.RawMessage `json:"transmit"` // the relay server's answer, format undocumented
}

// AddCamera is §3.19.
func (c *Client) AddCamera(ctx context.Context, in CameraInput) (*CameraAdded, error) {
	v := url.Values{
		"camera_name": {in.CameraName},
		"gather_id":   {in.GatherID.String()},
		"grade_id":    {in.GradeID.String()},
		"stream_prop": {strconv.Itoa(in.StreamProp)},
		"stream_url":  {in.StreamURL},
		"stream_mp4":  {in.StreamMP4},
	}
	var ans CameraAdded
	if err := c.call(ctx, EndpointAddCamera, v, &ans); err != nil {
		return nil, err
	}
	return &ans, nil
}

// CameraChange lists the fields mod_camera changes (nil: unchanged).
// DevicePass is the plain password; it is sent base64-encoded.
type CameraChange struct {
	CameraName    *string
	GradeID       *Int
	StreamProp    *int
	StreamURL     *string
	StreamMP4     *string
	DeviceIP      *string
	DeviceUser    *string
	DevicePass    *Secret
	DeviceCmdPort *int
	DeviceMirror  *int
	DeviceOSD     *int
	DeviceTwice   *int
	DeviceShow    *int
}

// ModCamera is §3.20; it returns the transmit result.
func (c *Client) ModCamera(ctx context.Context, id Int, ch CameraChange) (json.RawMessage, error) {
	v := idValue("camera_id", id)
	setString(v, "camera_name", ch.CameraName)
	if ch.GradeID != nil {
		v.Set("grade_id", ch.GradeID.String())
	}
	setInt(v, "stream_prop", ch.StreamProp)
	setString(v, "stream_url", ch.StreamURL)
	setString(v, "stream_mp4", ch.StreamMP4)
	setString(v, "device_ip", ch.DeviceIP)
	setString(v, "device_user", ch.DeviceUser)
	if ch.DevicePass != nil {
		v.Set("device_pass", EncodePassword(*ch.DevicePass))
	}
	setInt(v, "device_cmd_port", ch.DeviceCmdPort)
	setInt(v, "device_mirror", ch.DeviceMirror)
	setInt(v, "device_osd", ch.DeviceOSD)
	setInt(v, "device_twice", ch.DeviceTwice)
	setInt(v, "device_show", ch.DeviceShow)
	return c.transmitCall(ctx, EndpointModCamera, v)
}

// DelCameras is §3.21 (the server deletes the cameras' records, courses,
// snapshots and videos too).
func (c *Client) DelCameras(ctx context.Context, ids ...Int) error {
	v, err := idList("camera_id", ids)
	if err != nil {
		return err
	}
	return c.call(ctx, EndpointDelCamera, v, nil)
}

// CameraStatus is §3.22: 0 offline, 1 online.
func (c *Client) CameraStatus(ctx context.Context, id Int) (Int, error) {
	var ans struct {
		Status Int `json:"status"`
	}
	err := c.call(ctx, EndpointGetCameraStatus, idValue("camera_id", id), &ans)
	return ans.Status, err
}

// StartCamera is §3.23; it returns the transmit result.
func (c *Client) StartCamera(ctx context.Context, id Int) (json.RawMessage, error) {
	return c.transmitCall(ctx, EndpointStartCamera, idValue("camera_id", id))
}

// StopCamera is §3.24; it returns the transmit result.
func (c *Client) StopCamera(ctx context.Context, id Int) (json.RawMessage, error) {
	return c.transmitCall(ctx, EndpointStopCamera, idValue("camera_id", id))
}

// PlayCamera is §3.31: the play_url of an on-demand live page (width and
// height <= 0: the server's 850x550).
func (c *Client) PlayCamera(ctx context.Context, id Int, width, height int) (string, error) {
	return c.playCall(ctx, EndpointPlayCamera, idValue("camera_id", id), width, height)
}

func (c *Client) transmitCall(ctx context.Context, op string, v url.Values) (json.RawMessage, error) {
	var ans struct {
		Transmit json.RawMessage `json:"transmit"`
	}
	err := c.call(ctx, op, v, &ans)
	return ans.Transmit, err
}

func (c *Client) playCall(ctx context.Context, op string, v url.Values, width, height int) (string, error) {
	if width > 0 {
		v.Set("width", strconv.Itoa(width))
	}
	if height > 0 {
		v.Set("height", strconv.Itoa(height))
	}
	var ans struct {
		PlayURL string `json:"play_url"`
	}
	err := c.call(ctx, op, v, &ans)
	return ans.PlayURL, err
}
