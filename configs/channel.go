package configs

import (
	"fmt"
	"net"
	"net/url"
	"strconv"
	"time"
)

// Channel is one camera or stream: where it comes from and how it lives.
type Channel struct {
	// ID names the channel in URLs and file names: 1 to 64 of [a-z0-9_-],
	// unique. Required.
	ID string `yaml:"id"`

	// Name is the display name. Default: the ID.
	Name string `yaml:"name"`

	// Source is the URL of the main stream, which feeds recording:
	// rtsp://, rtsps://, rtmp://, http(s):// (HTTP-FLV), file:///abs/path.mp4
	// or file:relative/path.mp4 (a local file played as a loop).
	// Set either Source or Device.
	Source string `yaml:"source"`

	// SubSource is the optional URL of a second, smaller stream; when set
	// it feeds live viewers while Source feeds recording. Default "".
	SubSource string `yaml:"sub_source"`

	// Transport is the RTSP transport: tcp, udp or auto. Default "tcp".
	Transport string `yaml:"transport"`

	// Device describes a Hikvision or Dahua camera/NVR channel whose RTSP
	// URLs lubo builds itself; an alternative to Source. Default: nil.
	Device *Device `yaml:"device"`

	// OnDemand starts the source only while someone reads it and stops it
	// IdleTimeout after the last reader leaves. Default true.
	OnDemand bool `yaml:"on_demand"`

	// IdleTimeout is how long an on-demand source keeps running without
	// readers, at least 1s. Default 30s.
	IdleTimeout time.Duration `yaml:"idle_timeout"`

	// Origin says where the channel comes from: "" for the config file,
	// else the Overlay that added it ("yunlubo", "api"). Not in YAML.
	Origin string `yaml:"-"`

	// Push lists RTMP ingests (rtmp://host[:port]/app/stream) this channel
	// is pushed to for as long as it runs, with its AAC sound; a change
	// applies without restarting the camera. Default: none.
	Push []string `yaml:"push"`
}

// Device is a camera or NVR channel addressed by vendor, host and channel
// number instead of a URL.
type Device struct {
	// Vendor is hikvision or dahua. Required.
	Vendor string `yaml:"vendor"`
	// Host is the device's IP address or host name. Required.
	Host string `yaml:"host"`
	// Port is the RTSP port. Default 554.
	Port int `yaml:"port"`
	// User is the login name. Default "" (no credentials).
	User string `yaml:"user"`
	// Password is the login password. Default "".
	Password Secret `yaml:"password"`
	// Channel is the device's channel number, from 1. Default 1.
	Channel int `yaml:"channel"`
	// Stream selects main, sub or both (main feeds recording, sub feeds
	// live viewers). Default "main".
	Stream string `yaml:"stream"`
}

// Device vendors.
const (
	VendorHikvision = "hikvision"
	VendorDahua     = "dahua"
)

// Device stream choices.
const (
	StreamMain = "main"
	StreamSub  = "sub"
	StreamBoth = "both"
)

// MainURL returns the URL of the stream that feeds recording: Source, or
// the URL built from Device.
func (ch *Channel) MainURL() string {
	if ch.Source != "" || ch.Device == nil {
		return ch.Source
	}
	return ch.Device.URL(ch.Device.Stream == StreamSub)
}

// SubURL returns the URL of the stream that feeds live viewers when it
// differs from the main one: SubSource, or the device's sub stream when
// Device.Stream is both. It is "" for a single-stream channel.
func (ch *Channel) SubURL() string {
	if ch.SubSource != "" {
		return ch.SubSource
	}
	if ch.Source == "" && ch.Device != nil && ch.Device.Stream == StreamBoth {
		return ch.Device.URL(true)
	}
	return ""
}

// URL builds the device's RTSP URL for its main or sub stream, with user
// and password escaped into the userinfo:
//
//	hikvision: rtsp://USER:PASS@HOST:PORT/Streaming/Channels/{N}01 (sub {N}02)
//	dahua:     rtsp://USER:PASS@HOST:PORT/cam/realmonitor?channel=N&subtype=0 (sub 1)
//
// It returns "" for an unknown vendor.
func (d *Device) URL(sub bool) string {
	u := url.URL{Scheme: "rtsp"}
	port := d.Port
	if port == 0 {
		port = defaultDevicePort
	}
	u.Host = net.JoinHostPort(d.Host, strconv.Itoa(port))
	switch {
	case d.User != "" && d.Password != "":
		u.User = url.UserPassword(d.User, string(d.Password))
	case d.User != "":
		u.User = url.User(d.User)
	}
	n := d.Channel
	if n == 0 {
		n = 1
	}
	switch d.Vendor {
	case VendorHikvision:
		stream := 1
		if sub {
			stream = 2
		}
		u.Path = fmt.Sprintf("/Streaming/Channels/%d%02d", n, stream)
	case VendorDahua:
		subtype := 0
		if sub {
			subtype = 1
		}
		u.Path = "/cam/realmonitor"
		u.RawQuery = fmt.Sprintf("channel=%d&subtype=%d", n, subtype)
	default:
		return ""
	}
	return u.String()
}
