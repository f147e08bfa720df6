package configs

import (
	"fmt"
	"time"
)

// Defaults, also stated in the field comments.
const (
	defaultDataDir          = "/var/lib/lubo"
	defaultHTTPListen       = ":8080"
	defaultRTSPListen       = ":8554"
	defaultLogLevel         = "info"
	defaultLogFormat        = "text"
	defaultHLSSegment       = 2 * time.Second
	defaultHLSWindow        = 6
	defaultTransport        = "tcp"
	defaultDevicePort       = 554
	defaultIdleTimeout      = 30 * time.Second
	defaultSlice            = 30 * time.Minute
	defaultOverlapKeyframes = 1
	defaultSnapshotInterval = 2 * time.Minute
	defaultPreRoll          = 10 * time.Second
	defaultMinFree          = "10%"
	defaultMinFreePercent   = 10
	defaultTPLinkAPI        = "https://api-smbcloud.tplinkcloud.com.cn"
	defaultEzvizAPI         = "https://open.ys7.com"
)

// applyDefaults fills in every setting the document left out. set reports
// whether a path was written; it separates "absent" from an explicit zero
// where zero means something (rtsp.listen "" is off, record.slice 0 is one
// file per course).
func applyDefaults(c *Config, set func(path string) bool) {
	if c.DataDir == "" {
		c.DataDir = defaultDataDir
	}
	if c.Log.Level == "" {
		c.Log.Level = defaultLogLevel
	}
	if c.Log.Format == "" {
		c.Log.Format = defaultLogFormat
	}
	if !set("http.listen") {
		c.HTTP.Listen = defaultHTTPListen
	}
	if !set("rtsp.listen") {
		c.RTSP.Listen = defaultRTSPListen
	}
	if !set("hls.segment") {
		c.HLS.Segment = defaultHLSSegment
	}
	if !set("hls.window") {
		c.HLS.Window = defaultHLSWindow
	}
	for i := range c.Channels {
		applyChannelDefaults(&c.Channels[i], fmt.Sprintf("channels[%d]", i), set)
	}
	r := &c.Record
	if !set("record.slice") {
		r.Slice = defaultSlice
	}
	if !set("record.overlap_keyframes") {
		r.OverlapKeyframes = defaultOverlapKeyframes
	}
	if !set("record.snapshot_interval") {
		r.SnapshotInterval = defaultSnapshotInterval
	}
	if !set("record.pre_roll") {
		r.PreRoll = defaultPreRoll
	}
	if r.MinFree == "" {
		r.MinFree = defaultMinFree
	}
	if y := c.Cloud.Yunlubo; y != nil {
		if y.SyncInterval == 0 {
			y.SyncInterval = time.Minute
		}
		if y.Vendor == "" {
			y.Vendor = VendorHikvision
		}
	}
	if o := c.Cloud.OneNET; o != nil {
		if !set("cloud.onenet.preload_lead") {
			o.PreloadLead = time.Minute
		}
		if o.Upload == nil {
			yes := true
			o.Upload = &yes
		}
	}
	if t := c.Cloud.TPLink; t != nil && t.API == "" {
		t.API = defaultTPLinkAPI
	}
	if e := c.Cloud.Ezviz; e != nil && e.API == "" {
		e.API = defaultEzvizAPI
	}
}

func applyChannelDefaults(ch *Channel, path string, set func(string) bool) {
	if ch.Name == "" {
		ch.Name = ch.ID
	}
	if ch.Transport == "" {
		ch.Transport = defaultTransport
	}
	if !set(path + ".on_demand") {
		ch.OnDemand = true
	}
	if !set(path + ".idle_timeout") {
		ch.IdleTimeout = defaultIdleTimeout
	}
	if d := ch.Device; d != nil {
		if !set(path + ".device.port") {
			d.Port = defaultDevicePort
		}
		if !set(path + ".device.channel") {
			d.Channel = 1
		}
		if d.Stream == "" {
			d.Stream = StreamMain
		}
	}
}
