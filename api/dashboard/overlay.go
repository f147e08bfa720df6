package dashboard

import (
	"fmt"

	"github.com/lubo-edge/lubo/configs"
	"github.com/lubo-edge/lubo/storage"
)

// Origin is the overlay of the channels and courses added in the dashboard.
const Origin = "dashboard"

// Overlay reads the dashboard's channels and courses from db as the
// overlay the box composes into the running config.
func Overlay(db *storage.DB) (configs.Overlay, error) {
	o := configs.Overlay{Origin: Origin}
	chans, err := db.DashChannels()
	if err != nil {
		return o, err
	}
	for _, c := range chans {
		o.Channels = append(o.Channels, channelConfig(c))
	}
	courses, err := db.DashCourses()
	if err != nil {
		return o, err
	}
	for _, c := range courses {
		o.Schedule = append(o.Schedule, courseConfig(c))
	}
	return o, nil
}

func channelConfig(c storage.DashChannel) configs.Channel {
	ch := configs.Channel{ID: c.ID, Name: c.Name, Source: c.Source, OnDemand: c.OnDemand}
	if d := c.Device; d != nil {
		ch.Device = &configs.Device{Vendor: d.Vendor, Host: d.Host, Port: d.Port, User: d.User,
			Password: configs.Secret(d.Password.Reveal()), Channel: d.Channel, Stream: d.Stream}
	}
	return ch
}

func courseConfig(c storage.DashCourse) configs.Course {
	return configs.Course{Channel: c.Channel, Weekday: c.Weekday, Start: c.Start, Duration: c.Duration,
		Subject: c.Subject, Teacher: c.Teacher, ExternalID: c.ID}
}

// checkChannel judges a channel as the config file's channels are judged
// (id, source scheme, device fields), with the problems' paths made
// relative to the channel ("source", "device.host").
func checkChannel(c storage.DashChannel) []Problem {
	o := configs.Overlay{Origin: Origin, Channels: []configs.Channel{channelConfig(c)}}
	_, ps := configs.Compose(&configs.Config{}, o)
	prefix := fmt.Sprintf("%s.channels[0]", Origin)
	out := make([]Problem, 0, len(ps))
	for _, p := range ps {
		field := p.Path
		if len(field) >= len(prefix) && field[:len(prefix)] == prefix {
			field = field[len(prefix):]
			if len(field) > 0 && field[0] == '.' {
				field = field[1:]
			}
		}
		out = append(out, Problem{Field: field, Msg: p.Msg})
	}
	return out
}
