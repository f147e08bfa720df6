package yunlubo

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"strings"
)

// Camera is one row of list_camera (§3.18): a channel of a gather.
type Camera struct {
	CameraID      Int    `json:"camera_id"`
	CameraName    string `json:"camera_name"`
	ImageID       Int    `json:"image_id"`
	ImageFDFS     string `json:"image_fdfs"` // storage_addr + image_fdfs = snapshot URL
	GatherID      Int    `json:"gather_id"`
	NameSet       string `json:"name_set"`
	SchoolID      Int    `json:"school_id"`
	SchoolName    string `json:"school_name"`
	GradeID       Int    `json:"grade_id"`
	GradeType     string `json:"grade_type"`
	GradeName     string `json:"grade_name"`
	StreamProp    Int    `json:"stream_prop"` // StreamCamera, StreamMP4File or StreamForward
	StreamURL     string `json:"stream_url"`  // stream_prop 2: rtsp:// or rtmp://
	StreamMP4     string `json:"stream_mp4"`  // stream_prop 1: full path on the gather
	DeviceIP      string `json:"device_ip"`
	DeviceUser    string `json:"device_user"`
	DevicePass    Secret `json:"device_pass"` // base64 as sent; see Password
	DeviceCmdPort Int    `json:"device_cmd_port"`
	DeviceMirror  Int    `json:"device_mirror"` // default 0
	DeviceOSD     Int    `json:"device_osd"`    // default 1
	DeviceTwice   Int    `json:"device_twice"`  // dual stream, default 0
	DeviceShow    Int    `json:"device_show"`   // preview, default 1
	Status        Int    `json:"status"`        // -1 reset, 0 offline, 1 online
	Clicks        Int    `json:"clicks"`
	Created       string `json:"created"`
	Updated       string `json:"updated"`
}

// UnmarshalJSON reads the field list's names and, where the document's
// example spells them otherwise, image_fds and device_cmd_prot too.
func (c *Camera) UnmarshalJSON(b []byte) error {
	type plain Camera
	var v struct {
		plain
		ImageFDS      string `json:"image_fds"`
		DeviceCmdProt Int    `json:"device_cmd_prot"`
	}
	if err := json.Unmarshal(b, &v); err != nil {
		return err
	}
	*c = Camera(v.plain)
	if c.ImageFDFS == "" {
		c.ImageFDFS = v.ImageFDS
	}
	if c.DeviceCmdPort == 0 {
		c.DeviceCmdPort = v.DeviceCmdProt
	}
	return nil
}

// MarshalJSON writes the field list's names with the credentials hidden
// (device_pass "******", the user information of stream_url removed), so a
// Camera can be logged as JSON. Code that must send them writes them itself.
func (c Camera) MarshalJSON() ([]byte, error) {
	type plain Camera
	v := plain(c)
	v.StreamURL = RedactURL(c.StreamURL)
	return json.Marshal(v)
}

// ErrBadPassword says device_pass is not base64.
var ErrBadPassword = errors.New("yunlubo: device_pass is not base64")

// Password decodes device_pass (base64 in the document; padded or not).
func (c Camera) Password() (Secret, error) {
	return DecodePassword(c.DevicePass)
}

// DecodePassword decodes a base64 device_pass.
func DecodePassword(s Secret) (Secret, error) {
	raw := strings.TrimSpace(s.Reveal())
	for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.RawStdEncoding,
		base64.URLEncoding, base64.RawURLEncoding} {
		if b, err := enc.DecodeString(raw); err == nil {
			return Secret(b), nil
		}
	}
	return "", ErrBadPassword
}

// EncodePassword is the base64 form device_pass is sent in.
func EncodePassword(s Secret) string {
	return base64.StdEncoding.EncodeToString([]byte(s.Reveal()))
}

// SnapshotURL is the full snapshot address (storage_addr + image_fdfs).
func (c Camera) SnapshotURL(storageAddr string) string {
	return JoinStorage(storageAddr, c.ImageFDFS)
}

// String describes the camera without its password or stream credentials.
func (c Camera) String() string {
	return fmt.Sprintf("yunlubo.Camera{camera_id:%d camera_name:%q gather_id:%d stream_prop:%d stream_url:%q stream_mp4:%q device_ip:%q device_user:%q device_pass:%s}",
		c.CameraID, c.CameraName, c.GatherID, c.StreamProp, RedactURL(c.StreamURL), c.StreamMP4,
		c.DeviceIP, c.DeviceUser, redacted)
}

// GoString is String, so %#v cannot print the credentials either.
func (c Camera) GoString() string { return c.String() }

// LogValue logs the camera without its credentials.
func (c Camera) LogValue() slog.Value {
	return slog.GroupValue(
		slog.Int64("camera_id", int64(c.CameraID)),
		slog.String("camera_name", c.CameraName),
		slog.Int64("stream_prop", int64(c.StreamProp)),
		slog.String("stream_url", RedactURL(c.StreamURL)),
		slog.String("device_ip", c.DeviceIP),
	)
}

// RedactURL hides the user information and the token/unionid query values
// of an address, for logs and errors.
func RedactURL(s string) string {
	u, err := url.Parse(s)
	if err != nil {
		if s == "" {
			return ""
		}
		return redacted
	}
	if u.User != nil {
		u.User = url.User(redacted)
	}
	if u.RawQuery != "" {
		q := u.Query()
		for _, k := range []string{"token", "unionid"} {
			if q.Has(k) {
				q.Set(k, redacted)
			}
		}
		u.RawQuery = q.Encode()
	}
	s = u.String()
	return strings.ReplaceAll(s, url.QueryEscape(redacted), redacted)
}
