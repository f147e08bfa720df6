package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"strings"
	"time"

	"github.com/lubo-edge/lubo/cloud/setup"
	"github.com/lubo-edge/lubo/cloud/tplink"
)

func (env *cloudEnv) tplinkClient() (*tplink.Client, error) {
	cfg, err := env.config()
	if err != nil {
		return nil, err
	}
	return setup.TPLink(cfg.Cloud.TPLink, env.opts)
}

func tplinkVendor() cloudVendor {
	return cloudVendor{name: "tplink", verbs: []cloudVerb{
		{
			name:     "devices",
			synopsis: "[-children]",
			about:    "list every device of the TUMS application (all pages); -children lists NVR channels as devices too",
			define:   tplinkDevices,
		},
		{
			name:     "stream-url",
			synopsis: "-qrcode Q -channel N [-type video|sdvod]",
			about:    "resolve a channel to its relay address (waits while the cloud answers -80703 \"not ready\")",
			define:   tplinkStreamURL,
		},
	}}
}

// tplinkDeviceOut is one device as `lubo cloud tplink devices` prints it.
type tplinkDeviceOut struct {
	QRCode       string `json:"qrcode,omitempty"`
	Name         string `json:"name"`
	Type         string `json:"type"`
	Model        string `json:"model,omitempty"`
	Status       string `json:"status"` // online, offline, or status(N) for a value the document does not list
	IP           string `json:"ip,omitempty"`
	MAC          string `json:"mac,omitempty"`
	ParentQRCode string `json:"parent_qrcode,omitempty"`
	ParentMAC    string `json:"parent_mac,omitempty"`
	Channel      int    `json:"channel,omitempty"`
	Region       string `json:"region,omitempty"`
	Source       string `json:"source,omitempty"` // the lubo channel source, tplink://QRCODE/CHANNEL; none for an NVR itself
}

type tplinkDevicesOut struct {
	Count   int               `json:"count"`
	Devices []tplinkDeviceOut `json:"devices"`
}

func tplinkDevices(fs *flag.FlagSet) cloudRunner {
	children := fs.Bool("children", false, "also list NVR channels as devices of their own")
	return func(ctx context.Context, env *cloudEnv) (any, error) {
		c, err := env.tplinkClient()
		if err != nil {
			return nil, err
		}
		env.progressf("listing the devices of the TUMS application, page by page…")
		ds, err := c.ListDevices(ctx, tplink.ListOptions{IncludeChildren: *children})
		if err != nil {
			return nil, env.tplinkError(err)
		}
		out := tplinkDevicesOut{Count: len(ds), Devices: make([]tplinkDeviceOut, 0, len(ds))}
		for _, d := range ds {
			out.Devices = append(out.Devices, tplinkDevice(d))
		}
		env.progressf("%d device(s)", len(ds))
		return out, nil
	}
}

func tplinkDevice(d tplink.Device) tplinkDeviceOut {
	o := tplinkDeviceOut{
		QRCode: d.QRCode, Name: d.Name, Type: d.Type, Model: d.Model, Status: tplinkStatus(d.Status),
		IP: d.IP, MAC: d.MAC, ParentQRCode: d.ParentQRCode, ParentMAC: d.ParentMAC,
		Channel: d.ChannelID, Region: d.RegionName,
	}
	switch {
	case d.ParentQRCode != "" && d.ChannelID > 0:
		o.Source = fmt.Sprintf("%s://%s/%d", tplink.URIScheme, d.ParentQRCode, d.ChannelID)
	case d.QRCode != "" && d.ParentQRCode == "" && !strings.Contains(d.Type, "VIDEORECORDER"):
		o.Source = fmt.Sprintf("%s://%s/1", tplink.URIScheme, d.QRCode)
	}
	return o
}

func tplinkStatus(s int) string {
	switch s {
	case tplink.StatusOnline:
		return "online"
	case tplink.StatusOffline:
		return "offline"
	}
	return fmt.Sprintf("status(%d)", s)
}

// tplinkStreamOut is a resolved relay address. URL, Cookie and Token are
// masked unless -show-secrets.
type tplinkStreamOut struct {
	QRCode       string     `json:"qrcode"`
	Channel      int        `json:"channel"`
	Type         string     `json:"type"`
	URL          string     `json:"url"`
	Cookie       string     `json:"cookie"`
	Token        string     `json:"token"`
	RelayVersion string     `json:"relay_version,omitempty"`
	ClientUUID   string     `json:"client_uuid,omitempty"`
	Expires      *time.Time `json:"expires,omitempty"`
}

func tplinkStreamURL(fs *flag.FlagSet) cloudRunner {
	qrcode := fs.String("qrcode", "", "the device's 17-character code (after \"TP*\" on its label; an NVR's for its channels) (required)")
	channel := fs.Int("channel", 0, "1 for a camera bound directly, else the NVR channel (required)")
	streamType := fs.String("type", tplink.StreamVideo, "video (live) or sdvod (playback from the device's storage)")
	return func(ctx context.Context, env *cloudEnv) (any, error) {
		code := strings.ToUpper(strings.TrimSpace(*qrcode))
		if err := requireString("qrcode", code); err != nil {
			return nil, err
		}
		if len(code) != tplink.QRCodeLength {
			return nil, usagef("-qrcode %q: want the %d characters after \"TP*\" on the device label", code, tplink.QRCodeLength)
		}
		if err := checkChannel(*channel, 65535); err != nil {
			return nil, err
		}
		if *streamType != tplink.StreamVideo && *streamType != tplink.StreamPlayback {
			return nil, usagef("-type %q: want video or sdvod", *streamType)
		}
		c, err := env.tplinkClient()
		if err != nil {
			return nil, err
		}
		env.progressf("resolving %s channel %d (%s): asking for the stream, then polling the relay until it is ready (up to %s)…",
			code, *channel, *streamType, tplink.DefaultPollTimeout)
		s, err := c.ResolveStream(ctx, tplink.StreamRequest{QRCode: code, Channel: *channel, StreamType: *streamType})
		if err != nil {
			return nil, env.tplinkError(err)
		}
		env.progressf("relay address ready")
		out := tplinkStreamOut{
			QRCode: code, Channel: *channel, Type: *streamType,
			URL:          env.reveal(s.URL, maskAddress),
			Cookie:       env.secret(s.Cookie.Reveal()),
			Token:        env.secret(s.Token.Reveal()),
			RelayVersion: s.RelayVersion,
			ClientUUID:   s.ClientUUID,
		}
		if !s.Expires.IsZero() {
			out.Expires = &s.Expires
		}
		return out, nil
	}
}

// tplinkError adds what the installer does next to the refusals whose cure
// is in their hands.
func (env *cloudEnv) tplinkError(err error) error {
	var e *tplink.Error
	if !errors.As(err, &e) {
		return err
	}
	switch e.Code {
	case tplink.CodeSignatureMismatch, tplink.CodeInvalidAK, tplink.CodeAKDenied:
		return fmt.Errorf("%w; check cloud.tplink.ak and cloud.tplink.sk in %s against the application's AK/SK in TUMS", err, env.path)
	case -88311: // 接口目标不是设备型应用 (§1.5)
		return fmt.Errorf("%w; the AK/SK belong to a project application (项目型应用), which lubo's config cannot select yet", err)
	case tplink.CodeDeviceNotInApp:
		return fmt.Errorf("%w; add the device to the application in TUMS, or check -qrcode", err)
	case tplink.CodePreviewLimit:
		return fmt.Errorf("%w; close other live views of this device and try again", err)
	}
	return err
}
