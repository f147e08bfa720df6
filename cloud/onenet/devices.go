package onenet

import (
	"context"
	"net/http"
	"net/url"
	"strings"
)

// Device is what CreateDevice sends (1.1). Title is required.
type Device struct {
	Title    string // at most 64 characters
	Desc     string
	Private  bool
	AuthInfo string // unique in the product; the platform makes one when empty
}

// CreateDevice adds a device to the product and returns its id (1.1). It
// needs the master key.
func (c *Client) CreateDevice(ctx context.Context, d Device) (string, error) {
	const op = "CreateDevice"
	if err := checkText(op, "title", d.Title, MaxDeviceTitle, true); err != nil {
		return "", err
	}
	if err := checkText(op, "desc", d.Desc, 0, false); err != nil {
		return "", err
	}
	if err := checkText(op, "auth_info", d.AuthInfo, 0, false); err != nil {
		return "", err
	}
	body := map[string]any{"title": d.Title, "protocol": "RTMP", "private": d.Private}
	if d.Desc != "" {
		body["desc"] = d.Desc
	}
	if d.AuthInfo != "" {
		body["auth_info"] = d.AuthInfo
	}
	p, err := jsonPayload(body)
	if err != nil {
		return "", err
	}
	// Not resent after a cut connection: a device may have been made. With
	// AuthInfo set, calling again answers "auth_info exists" instead of
	// making a second device.
	env, err := c.do(ctx, call{op: op, method: http.MethodPost, path: "/devices", body: p, contentType: "application/json", once: true})
	if err != nil {
		return "", err
	}
	var data struct {
		DeviceID flexID `json:"device_id"`
	}
	if err := decodeInto(op, env.Data, &data); err != nil {
		return "", err
	}
	if checkID(op, "device_id", string(data.DeviceID)) != nil {
		return "", &ProtocolError{Op: op, HTTPStatus: 200, Reason: "no device_id of digits"}
	}
	return string(data.DeviceID), nil
}

// Registration is what a register code buys: a device and a key that acts
// on that device only.
type Registration struct {
	DeviceID string
	Key      Secret
}

// RegisterSpec identifies a box registering with a register code (1.2):
// exactly one of SN and MAC.
type RegisterSpec struct {
	SN    string // at most 512 characters
	MAC   string // at most 512 characters
	Title string // optional, at most 32 characters
	Area  int    // optional area number; 0 = not sent
}

// Register creates (or, for an SN/MAC the platform already knows, finds)
// a device with a register code (1.2). No api-key is sent; use
// c.WithKey(reg.Key) for the device's own calls.
func (c *Client) Register(ctx context.Context, registerCode Secret, s RegisterSpec) (Registration, error) {
	const op = "Register"
	if registerCode == "" {
		return Registration{}, fieldBad(op, "register_code", "is empty", "required")
	}
	if (s.SN == "") == (s.MAC == "") {
		return Registration{}, fieldBad(op, "sn/mac", "are both empty or both set", "exactly one of sn and mac")
	}
	if err := checkText(op, "sn", s.SN, MaxRegisterSNMAC, false); err != nil {
		return Registration{}, err
	}
	if err := checkText(op, "mac", s.MAC, MaxRegisterSNMAC, false); err != nil {
		return Registration{}, err
	}
	if err := checkText(op, "title", s.Title, MaxRegisterTitle, false); err != nil {
		return Registration{}, err
	}
	body := map[string]any{}
	if s.SN != "" {
		body["sn"] = s.SN
	} else {
		body["mac"] = s.MAC
	}
	if s.Title != "" {
		body["title"] = s.Title
	}
	if s.Area != 0 {
		body["area"] = s.Area
	}
	p, err := jsonPayload(body)
	if err != nil {
		return Registration{}, err
	}
	env, err := c.do(ctx, call{op: op, method: http.MethodPost, path: "/register_de",
		query: url.Values{"register_code": {string(registerCode)}}, body: p, contentType: "application/json", noKey: true})
	if err != nil {
		return Registration{}, err
	}
	var data struct {
		Key      string `json:"key"`
		DeviceID flexID `json:"device_id"`
	}
	if err := decodeInto(op, env.Data, &data); err != nil {
		return Registration{}, err
	}
	if data.Key == "" || checkID(op, "device_id", string(data.DeviceID)) != nil || len(data.Key) > 256 || strings.ContainsAny(data.Key, "\r\n") {
		return Registration{}, &ProtocolError{Op: op, HTTPStatus: 200, Reason: "no usable key or device_id"}
	}
	return Registration{DeviceID: string(data.DeviceID), Key: Secret(data.Key)}, nil
}

// DeviceStatus is one device's online state (8).
type DeviceStatus struct {
	ID     string
	Online bool
}

// DeviceStatuses asks which of the given devices are online (8): 1-30 ids,
// at most 500 characters joined by commas.
func (c *Client) DeviceStatuses(ctx context.Context, ids ...string) ([]DeviceStatus, error) {
	const op = "QryDevStatus"
	if len(ids) == 0 || len(ids) > MaxStatusIDs {
		return nil, fieldLen(op, "devIds", len(ids), MaxStatusIDs, "1-30 device ids")
	}
	for _, id := range ids {
		if err := checkID(op, "devIds", id); err != nil {
			return nil, err
		}
	}
	joined := strings.Join(ids, ",")
	if len(joined) > MaxStatusIDsLen {
		return nil, fieldLen(op, "devIds", len(joined), MaxStatusIDsLen, "characters, ids joined by commas")
	}
	env, err := c.do(ctx, call{op: op, method: http.MethodGet, path: "/ipc/video/device/QryDevStatus", query: url.Values{"devIds": {joined}}})
	if err != nil {
		return nil, err
	}
	var result struct {
		Devices []struct {
			ID     flexID   `json:"id"`
			Online flexBool `json:"online"`
		} `json:"devices"`
	}
	if err := decodeInto(op, env.Result, &result); err != nil {
		return nil, err
	}
	if len(result.Devices) > MaxStatusIDs {
		return nil, &ProtocolError{Op: op, HTTPStatus: 200, Reason: "more devices than asked for"}
	}
	out := make([]DeviceStatus, 0, len(result.Devices))
	for _, d := range result.Devices {
		out = append(out, DeviceStatus{ID: string(d.ID), Online: bool(d.Online)})
	}
	return out, nil
}
