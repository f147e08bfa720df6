package ezviz

import (
	"context"
	"fmt"
	"log/slog"
	"net/url"
	"strconv"
	"time"
)

// AddressPath serves both live and playback addresses.
const AddressPath = "/api/lapp/v2/live/address/get"

// ProtocolRTMP (3) is the one protocol the document describes, and the default.
// 1 (ezopen), 2 (hls) and 4 (flv) exist in Ezviz's public reference and are
// passed through; the emulator, written from the document, refuses them.
const ProtocolRTMP = 3

// Quality values of the document.
const (
	QualityHD = 1 // 高清
	QualitySD = 2 // 标清
)

// PlaybackSource says where recorded video comes from.
type PlaybackSource int

// Playback sources of the document's `type` field.
const (
	PlaybackLocal PlaybackSource = 2 // 本地录像 (the device's SD card)
	PlaybackCloud PlaybackSource = 3 // 云存储录像
)

// Address is a play address and when it stops working. URL carries a signature
// that lets anyone play the camera: String, GoString and LogValue redact it.
type Address struct {
	ID        string
	URL       string
	ExpiresAt time.Time // zero when the cloud gave no expiry: resolve again for every connection
}

// String is the redacted address.
func (a Address) String() string {
	return fmt.Sprintf("{ID:%s URL:%s ExpiresAt:%s}", a.ID, Redact(a.URL), a.ExpiresAt.Format(time.RFC3339))
}

// GoString is String, so %#v hides the signature too.
func (a Address) GoString() string { return "ezviz.Address" + a.String() }

// LogValue logs the redacted address.
func (a Address) LogValue() slog.Value {
	return slog.GroupValue(slog.String("id", a.ID), slog.String("url", Redact(a.URL)), slog.Time("expires_at", a.ExpiresAt))
}

// LiveRequest asks for a live address.
type LiveRequest struct {
	Serial   string
	Channel  int           // from 1
	Quality  int           // QualityHD (default) or QualitySD
	Protocol int           // default ProtocolRTMP
	Expire   time.Duration // validity asked for, whole seconds; zero leaves the cloud's default
}

// LiveAddress resolves a live stream address.
func (c *Client) LiveAddress(ctx context.Context, r LiveRequest) (*Address, error) {
	if r.Quality == 0 {
		r.Quality = QualityHD
	}
	if r.Quality != QualityHD && r.Quality != QualitySD {
		return nil, fmt.Errorf("ezviz live address: quality %d: want 1 (HD) or 2 (SD)", r.Quality)
	}
	form, err := streamForm(r.Serial, r.Channel, r.Protocol, r.Expire)
	if err != nil {
		return nil, fmt.Errorf("ezviz live address: %w", err)
	}
	form.Set("quality", strconv.Itoa(r.Quality))
	return c.address(ctx, "live address", form)
}

// PlaybackRequest asks for a recorded-video address between Start and Stop.
type PlaybackRequest struct {
	Serial      string
	Channel     int
	Source      PlaybackSource // PlaybackLocal (default) or PlaybackCloud
	Start, Stop time.Time
	Protocol    int
	Expire      time.Duration
}

// PlaybackAddress resolves a playback address.
func (c *Client) PlaybackAddress(ctx context.Context, r PlaybackRequest) (*Address, error) {
	if r.Source == 0 {
		r.Source = PlaybackLocal
	}
	if r.Source != PlaybackLocal && r.Source != PlaybackCloud {
		return nil, fmt.Errorf("ezviz playback address: source %d: want 2 (local) or 3 (cloud)", r.Source)
	}
	if r.Start.IsZero() || !r.Stop.After(r.Start) {
		return nil, fmt.Errorf("ezviz playback address: stop (%s) must be after start (%s)", r.Stop.Format(time.RFC3339), r.Start.Format(time.RFC3339))
	}
	form, err := streamForm(r.Serial, r.Channel, r.Protocol, r.Expire)
	if err != nil {
		return nil, fmt.Errorf("ezviz playback address: %w", err)
	}
	form.Set("type", strconv.Itoa(int(r.Source)))
	form.Set("startTime", r.Start.In(chinaTime).Format(cloudTimeLayout))
	form.Set("stopTime", r.Stop.In(chinaTime).Format(cloudTimeLayout))
	return c.address(ctx, "playback address", form)
}

// Resolve turns an ezviz://SERIAL/CHANNEL?quality=Q URI into a live address.
func (c *Client) Resolve(ctx context.Context, uri string) (*Address, error) {
	serial, channel, quality, err := ParseURI(uri)
	if err != nil {
		return nil, err
	}
	return c.LiveAddress(ctx, LiveRequest{Serial: serial, Channel: channel, Quality: quality})
}

func (c *Client) address(ctx context.Context, op string, form url.Values) (*Address, error) {
	var a *Address
	err := c.call(ctx, op, AddressPath, form, func(body []byte) (err error) {
		a, err = decodeAddress(op, body)
		return err
	})
	return a, err
}

// streamForm holds the fields live and playback share.
func streamForm(serial string, channel, protocol int, expire time.Duration) (url.Values, error) {
	if err := checkSerial(serial); err != nil {
		return nil, err
	}
	if channel < 1 || channel > maxChannel {
		return nil, fmt.Errorf("channel %d: want 1-%d", channel, maxChannel)
	}
	if protocol == 0 {
		protocol = ProtocolRTMP
	}
	if protocol < 1 || protocol > 4 {
		return nil, fmt.Errorf("protocol %d: want 3 (rtmp, the document's), or 1 (ezopen), 2 (hls), 4 (flv) from Ezviz's public reference", protocol)
	}
	form := url.Values{
		"deviceSerial": {serial},
		"channelNo":    {strconv.Itoa(channel)},
		"protocol":     {strconv.Itoa(protocol)},
	}
	if expire != 0 {
		sec := int64(expire / time.Second)
		if sec < MinExpire || sec > MaxExpire {
			return nil, fmt.Errorf("expire %s: want %ds to %ds", expire, MinExpire, MaxExpire)
		}
		form.Set("expireTime", strconv.FormatInt(sec, 10))
	}
	return form, nil
}

// Validity range of expireTime in seconds (30 s to 720 days, Ezviz's public reference).
const (
	MinExpire = 30
	MaxExpire = 720 * 24 * 3600
)
