package onenet

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
)

// StartRecording asks the platform to record a channel (12, action=1).
func (c *Client) StartRecording(ctx context.Context, deviceID string, channelID int) error {
	return c.record(ctx, opRecordingStart, deviceID, channelID, 1)
}

// StopRecording asks the platform to stop recording a channel (12, action=0).
func (c *Client) StopRecording(ctx context.Context, deviceID string, channelID int) error {
	return c.record(ctx, opRecordingStop, deviceID, channelID, 0)
}

func (c *Client) record(ctx context.Context, op, deviceID string, channelID, action int) error {
	if err := c.checkProduct(op); err != nil {
		return err
	}
	if err := checkID(op, "device_id", deviceID); err != nil {
		return err
	}
	if err := checkChannelID(op, channelID); err != nil {
		return err
	}
	_, err := c.do(ctx, call{op: op, method: http.MethodGet, path: "/ipc/video/record/record_video", query: url.Values{
		"product_id": {c.productID}, "device_id": {deviceID}, "channel_id": {strconv.Itoa(channelID)}, "action": {strconv.Itoa(action)}}})
	return err
}
