package main

import (
	"context"
	"flag"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/lubo-edge/lubo/cloud/ezviz"
	"github.com/lubo-edge/lubo/cloud/setup"
)

// ezvizMaxChannel is the highest channel number the Ezviz client accepts.
const ezvizMaxChannel = 1024

// ezvizStopTimeout bounds the PTZ stop sent after the move, even when the
// command was interrupted: a camera must not be left turning.
const ezvizStopTimeout = 15 * time.Second

func (env *cloudEnv) ezvizClient() (*ezviz.Client, error) {
	cfg, err := env.config()
	if err != nil {
		return nil, err
	}
	return setup.Ezviz(cfg.Cloud.Ezviz, env.opts)
}

func ezvizVendor() cloudVendor {
	return cloudVendor{name: "ezviz", verbs: []cloudVerb{
		{
			name:     "live-address",
			synopsis: "-serial S -channel N [-quality 1|2]",
			about:    "get a live RTMP address (quality 1 = HD, 2 = SD)",
			define:   ezvizLiveAddress,
		},
		{
			name:     "playback-address",
			synopsis: "-serial S -channel N -start TIME -stop TIME [-source local|cloud]",
			about:    "get a recorded-video address between two times (\"2006-01-02 15:04:05\" in the config's timezone, or RFC 3339)",
			define:   ezvizPlaybackAddress,
		},
		{
			name:     "ptz",
			synopsis: "-serial S -channel N -direction D [-speed slow|medium|fast] [-duration 1s]",
			about:    "move the camera in direction D for -duration, then stop it",
			define:   ezvizPTZ,
		},
	}}
}

// ezvizAddressOut is a play address; URL is masked unless -show-secrets.
type ezvizAddressOut struct {
	Serial    string     `json:"serial"`
	Channel   int        `json:"channel"`
	Quality   int        `json:"quality,omitempty"`
	Source    string     `json:"source,omitempty"`
	Start     *time.Time `json:"start,omitempty"`
	Stop      *time.Time `json:"stop,omitempty"`
	ID        string     `json:"id,omitempty"`
	URL       string     `json:"url"`
	ExpiresAt *time.Time `json:"expires_at,omitempty"`
}

func (env *cloudEnv) ezvizAddress(o ezvizAddressOut, a *ezviz.Address) ezvizAddressOut {
	o.ID = a.ID
	o.URL = env.reveal(a.URL, maskAddress)
	if !a.ExpiresAt.IsZero() {
		t := a.ExpiresAt
		o.ExpiresAt = &t
	}
	return o
}

// ezvizTarget are the flags naming a camera, shared by every verb.
type ezvizTarget struct {
	serial  *string
	channel *int
}

func defineEzvizTarget(fs *flag.FlagSet) ezvizTarget {
	return ezvizTarget{
		serial:  fs.String("serial", "", "the device serial (序列号, on its label) (required)"),
		channel: fs.Int("channel", 0, "channel number, 1 for a camera's only channel (required)"),
	}
}

func (t ezvizTarget) check() (string, int, error) {
	serial := strings.TrimSpace(*t.serial)
	if err := requireString("serial", serial); err != nil {
		return "", 0, err
	}
	if err := checkChannel(*t.channel, ezvizMaxChannel); err != nil {
		return "", 0, err
	}
	return serial, *t.channel, nil
}

func ezvizLiveAddress(fs *flag.FlagSet) cloudRunner {
	target := defineEzvizTarget(fs)
	quality := fs.Int("quality", ezviz.QualityHD, "1 (HD, 高清) or 2 (SD, 标清)")
	return func(ctx context.Context, env *cloudEnv) (any, error) {
		serial, channel, err := target.check()
		if err != nil {
			return nil, err
		}
		if *quality != ezviz.QualityHD && *quality != ezviz.QualitySD {
			return nil, usagef("-quality %d: want 1 (HD) or 2 (SD)", *quality)
		}
		c, err := env.ezvizClient()
		if err != nil {
			return nil, err
		}
		a, err := c.LiveAddress(ctx, ezviz.LiveRequest{Serial: serial, Channel: channel, Quality: *quality})
		if err != nil {
			return nil, err
		}
		return env.ezvizAddress(ezvizAddressOut{Serial: serial, Channel: channel, Quality: *quality}, a), nil
	}
}

func ezvizPlaybackAddress(fs *flag.FlagSet) cloudRunner {
	target := defineEzvizTarget(fs)
	start := fs.String("start", "", "start of the recording, \"2006-01-02 15:04:05\" (config timezone) or RFC 3339 (required)")
	stop := fs.String("stop", "", "end of the recording, same forms (required)")
	source := fs.String("source", "local", "local (the device's SD card) or cloud (云存储)")
	return func(ctx context.Context, env *cloudEnv) (any, error) {
		serial, channel, err := target.check()
		if err != nil {
			return nil, err
		}
		var src ezviz.PlaybackSource
		switch *source {
		case "local":
			src = ezviz.PlaybackLocal
		case "cloud":
			src = ezviz.PlaybackCloud
		default:
			return nil, usagef("-source %q: want local or cloud", *source)
		}
		loc, err := env.location()
		if err != nil {
			return nil, err
		}
		from, err := parseCloudTime("start", *start, loc)
		if err != nil {
			return nil, err
		}
		to, err := parseCloudTime("stop", *stop, loc)
		if err != nil {
			return nil, err
		}
		if !to.After(from) {
			return nil, usagef("-stop %s must be after -start %s", to.Format(time.RFC3339), from.Format(time.RFC3339))
		}
		c, err := env.ezvizClient()
		if err != nil {
			return nil, err
		}
		a, err := c.PlaybackAddress(ctx, ezviz.PlaybackRequest{Serial: serial, Channel: channel, Source: src, Start: from, Stop: to})
		if err != nil {
			return nil, err
		}
		return env.ezvizAddress(ezvizAddressOut{Serial: serial, Channel: channel, Source: *source, Start: &from, Stop: &to}, a), nil
	}
}

// parseCloudTime reads a -start/-stop value: "2006-01-02 15:04:05" or
// "2006-01-02T15:04:05" in loc, or RFC 3339 with its own offset.
func parseCloudTime(flagName, s string, loc *time.Location) (time.Time, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return time.Time{}, usagef("-%s is required", flagName)
	}
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t, nil
	}
	for _, layout := range []string{time.DateTime, "2006-01-02T15:04:05"} {
		if t, err := time.ParseInLocation(layout, s, loc); err == nil {
			return t, nil
		}
	}
	return time.Time{}, usagef("-%s %q: want \"2006-01-02 15:04:05\" (in %s) or RFC 3339 like 2006-01-02T15:04:05+08:00", flagName, s, loc)
}

// ezvizDirections are the names -direction accepts, in the client's order.
var ezvizDirections = []string{"up", "down", "left", "right", "up-left", "down-left", "up-right", "down-right", "zoom-in", "zoom-out", "focus-near", "focus-far"}

var ezvizSpeeds = []string{"slow", "medium", "fast"}

// parseNamed reads a name from names, or its index as a number.
func parseNamed(flagName, s string, names []string) (int, error) {
	s = strings.ToLower(strings.TrimSpace(s))
	for i, n := range names {
		if s == n || s == strings.ReplaceAll(n, "-", "") {
			return i, nil
		}
	}
	if n, err := strconv.Atoi(s); err == nil && n >= 0 && n < len(names) {
		return n, nil
	}
	if s == "" {
		return 0, usagef("-%s is required: want one of %s (or 0-%d)", flagName, strings.Join(names, ", "), len(names)-1)
	}
	return 0, usagef("-%s %q: want one of %s (or 0-%d)", flagName, s, strings.Join(names, ", "), len(names)-1)
}

type ezvizPTZOut struct {
	Serial    string `json:"serial"`
	Channel   int    `json:"channel"`
	Direction string `json:"direction"`
	Speed     string `json:"speed"`
	MovedFor  string `json:"moved_for"`
	Stopped   bool   `json:"stopped"`
}

func ezvizPTZ(fs *flag.FlagSet) cloudRunner {
	target := defineEzvizTarget(fs)
	direction := fs.String("direction", "", "up, down, left, right (the document's 0-3), or up-left, down-left, up-right, down-right, zoom-in, zoom-out, focus-near, focus-far (4-11) (required)")
	speed := fs.String("speed", "medium", "slow, medium or fast (0-2)")
	duration := fs.Duration("duration", time.Second, "how long to move before stopping, 100ms to 1m")
	return func(ctx context.Context, env *cloudEnv) (any, error) {
		serial, channel, err := target.check()
		if err != nil {
			return nil, err
		}
		dir, err := parseNamed("direction", *direction, ezvizDirections)
		if err != nil {
			return nil, err
		}
		sp, err := parseNamed("speed", *speed, ezvizSpeeds)
		if err != nil {
			return nil, err
		}
		if *duration < 100*time.Millisecond || *duration > time.Minute {
			return nil, usagef("-duration %s: want 100ms to 1m", *duration)
		}
		c, err := env.ezvizClient()
		if err != nil {
			return nil, err
		}
		env.progressf("moving %s channel %d %s at %s speed for %s…", serial, channel, ezvizDirections[dir], ezvizSpeeds[sp], *duration)
		if err := c.PTZStart(ctx, serial, channel, ezviz.Direction(dir), ezviz.Speed(sp)); err != nil {
			return nil, err
		}
		waitErr := env.sleep(ctx, *duration)
		// Stop even when interrupted: a camera must not keep turning.
		stopCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), ezvizStopTimeout)
		defer cancel()
		if err := c.PTZStop(stopCtx, serial, channel, ezviz.Direction(dir)); err != nil {
			return nil, fmt.Errorf("the camera may still be moving: %w", err)
		}
		if waitErr != nil {
			return nil, fmt.Errorf("interrupted; the move was stopped: %w", waitErr)
		}
		env.progressf("stopped")
		return ezvizPTZOut{Serial: serial, Channel: channel, Direction: ezvizDirections[dir], Speed: ezvizSpeeds[sp], MovedFor: duration.String(), Stopped: true}, nil
	}
}
