package onenet

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
)

// Channel is one channel of a device (2.x).
type Channel struct {
	ID    int
	Title string // 1-64 letters and digits
	Desc  string
}

const (
	opQryChannel    = "QryChannel"
	opAddChannel    = "AddChannel"
	opModifyChannel = "ModifyChannel"
	opDelChannel    = "DelChannel"
)

// maxChannels bounds the list a device's answer may hold.
const maxChannels = 4096

// Channels lists a device's channels (2.1).
func (c *Client) Channels(ctx context.Context, deviceID string) ([]Channel, error) {
	if err := checkID(opQryChannel, "device_id", deviceID); err != nil {
		return nil, err
	}
	env, err := c.do(ctx, call{op: opQryChannel, method: http.MethodGet, path: "/ipc/video/device/QryChannel",
		query: url.Values{"device_id": {deviceID}}})
	if err != nil {
		return nil, err
	}
	var result []struct {
		ChannelID flexInt `json:"channel_id"`
		Title     string  `json:"title"`
		Desc      string  `json:"desc"`
	}
	if len(env.Result) == 0 || string(env.Result) == "null" {
		return nil, nil // a device without channels may answer without result
	}
	if err := decodeInto(opQryChannel, env.Result, &result); err != nil {
		return nil, err
	}
	if len(result) > maxChannels {
		return nil, &ProtocolError{Op: opQryChannel, HTTPStatus: 200, Reason: "too many channels"}
	}
	out := make([]Channel, 0, len(result))
	for _, r := range result {
		out = append(out, Channel{ID: int(r.ChannelID), Title: r.Title, Desc: r.Desc})
	}
	return out, nil
}

// AddChannel adds a channel to a device (2.3). A channel that exists
// already fails with an error matching ErrChannelExists (errno 16).
func (c *Client) AddChannel(ctx context.Context, deviceID string, ch Channel) error {
	return c.writeChannel(ctx, opAddChannel, "/ipc/video/device/AddChannel", deviceID, ch)
}

// ModifyChannel changes a channel's title and description (2.4). A channel
// the device does not have fails with an error matching
// ErrChannelNotFound (errno 17).
func (c *Client) ModifyChannel(ctx context.Context, deviceID string, ch Channel) error {
	return c.writeChannel(ctx, opModifyChannel, "/ipc/video/device/ModifyChannel", deviceID, ch)
}

func (c *Client) writeChannel(ctx context.Context, op, path, deviceID string, ch Channel) error {
	if err := checkID(op, "device_id", deviceID); err != nil {
		return err
	}
	if err := checkChannelID(op, ch.ID); err != nil {
		return err
	}
	if err := checkChannelTitle(op, ch.Title); err != nil {
		return err
	}
	if err := checkText(op, "desc", ch.Desc, 0, false); err != nil {
		return err
	}
	q := url.Values{"device_id": {deviceID}, "channel_id": {strconv.Itoa(ch.ID)}, "title": {ch.Title}}
	if ch.Desc != "" {
		q.Set("desc", ch.Desc)
	}
	_, err := c.do(ctx, call{op: op, method: http.MethodPost, path: path, query: q, body: bytesPayload(nil)})
	return err
}

// DeleteChannel removes a channel from a device (2.2).
func (c *Client) DeleteChannel(ctx context.Context, deviceID string, channelID int) error {
	if err := checkID(opDelChannel, "device_id", deviceID); err != nil {
		return err
	}
	if err := checkChannelID(opDelChannel, channelID); err != nil {
		return err
	}
	_, err := c.do(ctx, call{op: opDelChannel, method: http.MethodDelete, path: "/ipc/video/device/DelChannel",
		query: url.Values{"device_id": {deviceID}, "channel_id": {strconv.Itoa(channelID)}}})
	return err
}
