// Package configs is lubo's configuration: the YAML schema with its defaults,
// validation that reports every problem at once, the documented example
// (lubo.yaml), the embedded demo default (demo.yaml) and hot reload.
//
// Defaults and validation live in one place, [Parse]: each exported field's
// comment states its default, and a zero value in a struct built in code is
// not silently replaced by one.
package configs

import (
	"log/slog"
	"time"

	// The timezone setting names IANA zones; small boxes often ship without
	// /usr/share/zoneinfo, so the zone database is built in.
	_ "time/tzdata"
)

// Config is the whole configuration of one lubo box.
type Config struct {
	// DataDir holds recordings, snapshots, HLS segments and the database.
	// Relative paths are relative to the working directory.
	// Default "/var/lib/lubo".
	DataDir string `yaml:"data_dir"`

	// Timezone is the IANA zone the schedule and recording file names use,
	// e.g. "Asia/Shanghai". Default "" (the system's local zone).
	Timezone string `yaml:"timezone"`

	// Log sets the level and format of the log.
	Log Log `yaml:"log"`

	// HTTP is the one HTTP listener (live FLV, HLS, API, dashboard, metrics).
	HTTP HTTP `yaml:"http"`

	// RTSP is the RTSP re-serve listener.
	RTSP RTSP `yaml:"rtsp"`

	// RTMP is the optional RTMP listener for ingest and playback.
	RTMP RTMP `yaml:"rtmp"`

	// HLS sets segmenting of the live HLS output.
	HLS HLS `yaml:"hls"`

	// Channels are the cameras and streams this box relays and records.
	// Default: none (a 云录播 server, when configured, may supply them).
	Channels []Channel `yaml:"channels"`

	// Record sets how recordings are sliced, snapshotted and kept.
	Record Record `yaml:"record"`

	// Schedule is the local weekly timetable of courses to record.
	// Default: none.
	Schedule []Course `yaml:"schedule"`

	// Cloud holds the optional vendor cloud sections.
	Cloud Cloud `yaml:"cloud"`

	// API enables this box's own 云录播 /api/v1. Default: nil (off).
	API *API `yaml:"api"`

	// Auth turns on sign-in for the dashboard and the media paths.
	// Default: nil (open, as the demo runs).
	Auth *Auth `yaml:"auth"`
}

// Log sets the level and format of the log.
type Log struct {
	// Level is one of debug, info, warn, error. Default "info".
	Level string `yaml:"level"`
	// Format is text or json. Default "text".
	Format string `yaml:"format"`
}

// HTTP is the HTTP listener.
type HTTP struct {
	// Listen is the host:port to listen on. Default ":8080".
	Listen string `yaml:"listen"`
	// TLS serves HTTPS with this certificate and key. Default: nil (HTTP).
	TLS *TLS `yaml:"tls"`
}

// TLS is a certificate and its private key, both PEM files.
type TLS struct {
	Cert string `yaml:"cert"`
	Key  string `yaml:"key"`
}

// RTSP is the RTSP re-serve listener.
type RTSP struct {
	// Listen is the host:port to listen on; "" turns RTSP serving off.
	// Default ":8554".
	Listen string `yaml:"listen"`
}

// RTMP is the RTMP listener.
type RTMP struct {
	// Listen is the host:port to listen on; "" turns it off. Default "" (off).
	Listen string `yaml:"listen"`
}

// HLS sets segmenting of the live HLS output.
type HLS struct {
	// Segment is the target segment duration, 500ms to 10s; segments are
	// cut at the first keyframe after it. Default 2s.
	Segment time.Duration `yaml:"segment"`
	// Window is how many segments the live playlist lists, 3 to 20.
	// Default 6.
	Window int `yaml:"window"`
	// Variant is the segment format: "ts" (MPEG-TS), "fmp4" (fragmented
	// MP4), or "" (auto: fMP4 for H.265 channels, TS otherwise).
	// Default "".
	Variant string `yaml:"variant"`
}

// ChannelByID returns the channel with the given id, or nil.
func (c *Config) ChannelByID(id string) *Channel {
	for i := range c.Channels {
		if c.Channels[i].ID == id {
			return &c.Channels[i]
		}
	}
	return nil
}

// Location returns the zone of Timezone, or time.Local when it is empty or
// does not load (Parse has reported the latter as a problem).
func (c *Config) Location() *time.Location {
	if c.Timezone == "" {
		return time.Local
	}
	loc, err := time.LoadLocation(c.Timezone)
	if err != nil {
		return time.Local
	}
	return loc
}

// SlogLevel returns Level as a slog.Level; unknown levels are info.
func (l Log) SlogLevel() slog.Level {
	switch l.Level {
	case "debug":
		return slog.LevelDebug
	case "warn":
		return slog.LevelWarn
	case "error":
		return slog.LevelError
	}
	return slog.LevelInfo
}
