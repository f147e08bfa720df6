package ezviz

import (
	"context"
	"fmt"
	"net/url"
	"strconv"
)

// PTZ paths of the document.
const (
	PTZStartPath = "/api/lapp/device/ptz/start"
	PTZStopPath  = "/api/lapp/device/ptz/stop"
)

// Direction of a PTZ move. The document uses 0-3; 4-11 are Ezviz's public
// reference (diagonals, zoom, focus) and are passed through for devices that have them.
type Direction int

// Directions.
const (
	Up Direction = iota
	Down
	Left
	Right
	UpLeft
	DownLeft
	UpRight
	DownRight
	ZoomIn
	ZoomOut
	FocusNear
	FocusFar
)

// Speed of a PTZ move.
type Speed int

// Speeds (the document's example uses 1).
const (
	SpeedSlow Speed = iota
	SpeedMedium
	SpeedFast
)

// PTZStart starts moving the camera until PTZStop.
func (c *Client) PTZStart(ctx context.Context, serial string, channel int, dir Direction, speed Speed) error {
	form, err := ptzForm(serial, channel, dir)
	if err != nil {
		return fmt.Errorf("ezviz ptz start: %w", err)
	}
	if speed < SpeedSlow || speed > SpeedFast {
		return fmt.Errorf("ezviz ptz start: speed %d: want 0 (slow), 1 (medium) or 2 (fast)", speed)
	}
	form.Set("speed", strconv.Itoa(int(speed)))
	return c.call(ctx, "ptz start", PTZStartPath, form, ignoreData("ptz start"))
}

// PTZStop stops a move started in direction dir.
func (c *Client) PTZStop(ctx context.Context, serial string, channel int, dir Direction) error {
	form, err := ptzForm(serial, channel, dir)
	if err != nil {
		return fmt.Errorf("ezviz ptz stop: %w", err)
	}
	return c.call(ctx, "ptz stop", PTZStopPath, form, ignoreData("ptz stop"))
}

func ptzForm(serial string, channel int, dir Direction) (url.Values, error) {
	if err := checkSerial(serial); err != nil {
		return nil, err
	}
	if channel < 1 || channel > maxChannel {
		return nil, fmt.Errorf("channel %d: want 1-%d", channel, maxChannel)
	}
	if dir < Up || dir > FocusFar {
		return nil, fmt.Errorf("direction %d: want 0 (up), 1 (down), 2 (left), 3 (right) or 4-11", dir)
	}
	return url.Values{
		"deviceSerial": {serial},
		"channelNo":    {strconv.Itoa(channel)},
		"direction":    {strconv.Itoa(int(dir))},
	}, nil
}

func ignoreData(op string) func([]byte) error {
	return func(body []byte) error {
		_, err := decodeEnvelope(op, body)
		return err
	}
}
