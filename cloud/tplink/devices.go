package tplink

import (
	"context"
	"fmt"
)

const (
	pathDevicesDeviceApp  = "/tums/open/deviceManager/v1/getDeviceListInDeviceApplication"
	pathDevicesProjectApp = "/tums/open/deviceManager/v1/getDeviceListInProjectApplication"
	pathChannelList       = "/tums/open/deviceManager/v1/getChannelDeviceList"
)

// Device is one entry of the device list (§1.4.3.10, §1.4.3.11).
type Device struct {
	QRCode       string `json:"qrCode"` // 17-character device code; absent on some network devices
	Name         string `json:"deviceName"`
	Type         string `json:"deviceType"` // e.g. SURVEILLANCECAMERA, NETWORKVIDEORECORDER
	Status       int    `json:"deviceStatus"`
	OpenType     int    `json:"openType"`
	OpenStatus   int    `json:"openStatus"`
	Model        string `json:"deviceModel"`
	IP           string `json:"ip"`
	MAC          string `json:"mac"`
	RegionName   string `json:"regionName,omitempty"` // project applications only
	RegionID     string `json:"regionId,omitempty"`   // project applications only
	ParentMAC    string `json:"parentMac,omitempty"`
	ParentQRCode string `json:"parentQrCode,omitempty"`
	ChannelID    int    `json:"channelId,omitempty"`
}

// Device status values (table 1.4.3.1-2).
const (
	StatusOffline = 0
	StatusOnline  = 1
)

// ListOptions filters the device list.
type ListOptions struct {
	// IncludeChildren asks for NVR channels as devices of their own.
	IncludeChildren bool
	// DeviceTypes limits the list to these types (table 1.4.3.1-1).
	DeviceTypes []string
}

type deviceFilter struct {
	HasChild       *int     `json:"hasChild,omitempty"`
	DeviceTypeList []string `json:"deviceTypeList,omitempty"`
}

type deviceListRequest struct {
	Start     int           `json:"start"`
	Limit     int           `json:"limit"`
	FilterAnd *deviceFilter `json:"filterAnd,omitempty"`
}

type deviceListResult struct {
	Total flexInt       `json:"total"`
	List  []deviceEntry `json:"list"`
}

// deviceEntry decodes one device with lenient numbers.
type deviceEntry struct {
	Device
	Status     flexInt `json:"deviceStatus"`
	OpenType   flexInt `json:"openType"`
	OpenStatus flexInt `json:"openStatus"`
	ChannelID  flexInt `json:"channelId"`
}

func (e deviceEntry) device() Device {
	d := e.Device
	d.Status, d.OpenType, d.OpenStatus, d.ChannelID = e.Status.v, e.OpenType.v, e.OpenStatus.v, e.ChannelID.v
	return d
}

// ListDevices returns every device of the application, page by page, until
// the cloud's total is reached or a page comes back empty; it gives up with
// an error after MaxPages pages.
//
// hasChild is encoded as each section prints it: §1.4.3.10 (device
// application) says 1 = with children, §1.4.3.11 (project application) says
// 0 = with children, 1 = without.
func (c *Client) ListDevices(ctx context.Context, opts ListOptions) ([]Device, error) {
	op, path := "getDeviceListInDeviceApplication", pathDevicesDeviceApp
	withChildren, without := 1, 0
	if c.cfg.Application == ProjectApplication {
		op, path = "getDeviceListInProjectApplication", pathDevicesProjectApp
		withChildren, without = 0, 1
	}
	hasChild := without
	if opts.IncludeChildren {
		hasChild = withChildren
	}
	filter := &deviceFilter{HasChild: &hasChild, DeviceTypeList: opts.DeviceTypes}

	var all []Device
	for page := 0; ; page++ {
		if page >= c.cfg.MaxPages {
			return nil, fmt.Errorf("tplink: %s: still more devices after %d pages of %d; giving up (MaxPages)", op, c.cfg.MaxPages, c.cfg.PageSize)
		}
		req := deviceListRequest{Start: len(all), Limit: c.cfg.PageSize, FilterAnd: filter}
		raw, err := c.post(ctx, op, path, req)
		if err != nil {
			return nil, err
		}
		var res deviceListResult
		if err := decodeResult(op, raw, &res); err != nil {
			return nil, err
		}
		if len(res.List) > c.cfg.PageSize {
			return nil, fmt.Errorf("tplink: %s: page has %d devices, more than the %d asked for", op, len(res.List), c.cfg.PageSize)
		}
		for _, e := range res.List {
			all = append(all, e.device())
		}
		if len(res.List) == 0 || len(all) >= res.Total.v {
			return all, nil
		}
	}
}

// Channel is one NVR channel (§1.4.3.13).
type Channel struct {
	QRCode     string `json:"qrCode,omitempty"` // in the example, not in the field list
	Name       string `json:"deviceName"`
	Type       string `json:"deviceType"`
	Status     int    `json:"deviceStatus"`
	Model      string `json:"deviceModel"`
	OpenStatus int    `json:"openStatus"`
	IP         string `json:"ip"`
	MAC        string `json:"mac"`
	Channel    int    `json:"channel"`
}

// ChannelList is the answer of getChannelDeviceList.
type ChannelList struct {
	ChannelNum          int
	ConnectedChannelNum int
	Channels            []Channel
}

type channelEntry struct {
	Channel
	Status     flexInt `json:"deviceStatus"`
	OpenStatus flexInt `json:"openStatus"`
	Number     flexInt `json:"channel"`
}

// maxChannels caps the channel list of one NVR (the largest TP-LINK NVRs
// have 128 channels; this leaves room and stops a hostile answer).
const maxChannels = 1024

// ListChannels lists the channels of the NVR with this 17-character code.
// §1.4.3.13 is not paged: the whole list comes in one answer.
func (c *Client) ListChannels(ctx context.Context, nvrQRCode string) (ChannelList, error) {
	const op = "getChannelDeviceList"
	if nvrQRCode == "" {
		return ChannelList{}, fmt.Errorf("tplink: %s: qrCode is empty", op)
	}
	raw, err := c.post(ctx, op, pathChannelList, struct {
		QRCode string `json:"qrCode"`
	}{nvrQRCode})
	if err != nil {
		return ChannelList{}, err
	}
	var res struct {
		ChannelNum          flexInt        `json:"channelNum"`
		ConnectedChannelNum flexInt        `json:"connectedChannelNum"`
		ChannelList         []channelEntry `json:"channelList"`
	}
	if err := decodeResult(op, raw, &res); err != nil {
		return ChannelList{}, err
	}
	if len(res.ChannelList) > maxChannels {
		return ChannelList{}, fmt.Errorf("tplink: %s: %d channels, more than the %d accepted", op, len(res.ChannelList), maxChannels)
	}
	out := ChannelList{ChannelNum: res.ChannelNum.v, ConnectedChannelNum: res.ConnectedChannelNum.v}
	for _, e := range res.ChannelList {
		ch := e.Channel
		ch.Status, ch.OpenStatus, ch.Channel = e.Status.v, e.OpenStatus.v, e.Number.v
		out.Channels = append(out.Channels, ch)
	}
	return out, nil
}
