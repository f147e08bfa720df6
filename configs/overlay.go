package configs

import (
	"fmt"
	"time"
)

// Overlay is what a cloud or the box's API adds to the file's config: the
// channels and courses it owns, and settings it decides. The daemon keeps
// receiving whole configurations; Compose makes them.
type Overlay struct {
	// Origin names the owner ("yunlubo", "api"); it becomes each channel's
	// Origin and is named in problems.
	Origin   string
	Channels []Channel
	Schedule []Course
	// Record, when set, replaces the file's slicing and snapshot settings
	// (a 云录播 server's gather settings win over the file).
	Record *RecordSettings
}

// RecordSettings are the recording settings a server may decide.
type RecordSettings struct {
	Slice            time.Duration
	OverlapKeyframes int
	SnapshotInterval time.Duration
}

// Compose returns base with the overlays applied, and what was left out.
// base is not modified. An overlay's channel is checked like a file's and
// left out (with a problem) when invalid or when its id is taken; its
// courses are checked likewise. Defaults apply to overlay channels as to
// the file's.
func Compose(base *Config, overlays ...Overlay) (*Config, []Problem) {
	out := *base
	out.Channels = append([]Channel(nil), base.Channels...)
	out.Schedule = append([]Course(nil), base.Schedule...)
	taken := map[string]string{}
	for _, ch := range base.Channels {
		taken[ch.ID] = "the config file"
	}
	var ps problems
	for _, o := range overlays {
		if r := o.Record; r != nil {
			var rp problems
			checkDuration(&rp, o.Origin+".slice", r.Slice, 0, 30*time.Minute)
			if r.OverlapKeyframes < 0 || r.OverlapKeyframes > 3 {
				rp.add(o.Origin+".overlap_keyframes", "%d is outside 0-3", r.OverlapKeyframes)
			}
			if r.SnapshotInterval < 0 {
				rp.add(o.Origin+".snapshot_interval", "%v is negative", r.SnapshotInterval)
			}
			if len(rp) == 0 {
				out.Record.Slice, out.Record.OverlapKeyframes, out.Record.SnapshotInterval = r.Slice, r.OverlapKeyframes, r.SnapshotInterval
			}
			ps = append(ps, rp...)
		}
		for i, ch := range o.Channels {
			path := fmt.Sprintf("%s.channels[%d]", o.Origin, i)
			if owner, dup := taken[ch.ID]; dup {
				ps.add(path+".id", "%q is already a channel of %s; left out", ch.ID, owner)
				continue
			}
			if ch.Device != nil { // defaults fill it in: the overlay's stays as given
				d := *ch.Device
				ch.Device = &d
			}
			applyChannelDefaults(&ch, path, func(p string) bool { return overlaySet(ch, p, path) })
			var cp problems
			ch.validate(&cp, path)
			if len(cp) > 0 {
				ps = append(ps, cp...)
				continue
			}
			ch.Origin = o.Origin
			taken[ch.ID] = o.Origin
			out.Channels = append(out.Channels, ch)
		}
		for i, co := range o.Schedule {
			path := fmt.Sprintf("%s.schedule[%d]", o.Origin, i)
			var cp problems
			co.validate(&cp, path, &out, func(string) bool { return true })
			if len(cp) > 0 {
				ps = append(ps, cp...)
				continue
			}
			co.Origin = o.Origin
			out.Schedule = append(out.Schedule, co)
		}
	}
	return &out, ps
}

// overlaySet tells applyChannelDefaults which fields an overlay set: the
// ones that are not their zero value (an overlay is Go data, not YAML).
func overlaySet(ch Channel, p, path string) bool {
	switch p {
	case path + ".on_demand":
		return true // overlays say it
	case path + ".idle_timeout":
		return ch.IdleTimeout != 0
	case path + ".device.port":
		return ch.Device != nil && ch.Device.Port != 0
	case path + ".device.channel":
		return ch.Device != nil && ch.Device.Channel != 0
	case path + ".device.stream":
		return ch.Device != nil && ch.Device.Stream != ""
	}
	return false
}
