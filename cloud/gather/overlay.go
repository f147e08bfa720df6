// Package gather makes this box a gather (采集端) of a 云录播 server: it
// finds the box's gather by MAC, turns the server's gather settings,
// cameras and courses into a configs.Overlay, keeps the last good one in
// the store so a box without network keeps recording what it knows, and
// says since when it has not synced.
package gather

import (
	"fmt"
	"path"
	"sort"
	"time"

	"github.com/lubo-edge/lubo/cloud/yunlubo"
	"github.com/lubo-edge/lubo/configs"
)

// Origin is the overlay's name; channels from the server have it.
const Origin = "yunlubo"

// ChannelID is the lubo channel id of a server camera.
func ChannelID(cameraID int64) string { return fmt.Sprintf("y%d", cameraID) }

// Overlay turns gather g's part of st into lubo channels, courses and
// recording settings. Cameras and courses that cannot be used are left out
// and described in problems; the rest still apply.
func Overlay(st *yunlubo.State, g yunlubo.Gather, vendor string) (configs.Overlay, []string) {
	o := configs.Overlay{Origin: Origin}
	var problems []string
	snap := time.Duration(g.SnapVal) * time.Minute
	if g.SnapVal <= 0 {
		snap = 2 * time.Minute // the document's default
	}
	o.Record = &configs.RecordSettings{
		Slice:            time.Duration(g.SliceVal) * time.Minute,
		OverlapKeyframes: int(g.InterVal),
		SnapshotInterval: snap,
	}
	subjects := map[yunlubo.Int]string{}
	for _, s := range st.Subjects {
		subjects[s.SubjectID] = s.SubjectName
	}
	teachers := map[yunlubo.Int]string{}
	for _, t := range st.Teachers {
		teachers[t.TeacherID] = t.TeacherName
	}
	// The server's order may change from one answer to the next; a stable
	// order keeps an unchanged timetable from looking changed.
	cams := st.CamerasOf(g.GatherID)
	sort.Slice(cams, func(i, j int) bool { return cams[i].CameraID < cams[j].CameraID })
	for _, cam := range cams {
		ch, err := channelOf(cam, vendor, g.AutoDVR == 1)
		if err != nil {
			problems = append(problems, fmt.Sprintf("camera %d (%s): %v; left out", cam.CameraID, cam.CameraName, err))
			continue
		}
		o.Channels = append(o.Channels, ch)
		courses := append([]yunlubo.Course(nil), st.Courses[cam.CameraID]...)
		sort.Slice(courses, func(i, j int) bool { return courses[i].CourseID < courses[j].CourseID })
		for _, co := range courses {
			c, err := courseOf(co, ch.ID, subjects, teachers)
			if err != nil {
				problems = append(problems, fmt.Sprintf("course %d of camera %d: %v; left out", co.CourseID, cam.CameraID, err))
				continue
			}
			o.Schedule = append(o.Schedule, c)
		}
	}
	return o, problems
}

func channelOf(cam yunlubo.Camera, vendor string, alwaysOn bool) (configs.Channel, error) {
	ch := configs.Channel{ID: ChannelID(int64(cam.CameraID)), Name: cam.CameraName, OnDemand: !alwaysOn}
	if ch.Name == "" {
		ch.Name = ch.ID
	}
	switch cam.StreamProp {
	case yunlubo.StreamCamera:
		if cam.DeviceIP == "" {
			return ch, fmt.Errorf("stream_prop 0 without device_ip")
		}
		pass, err := cam.Password()
		if err != nil {
			return ch, fmt.Errorf("device_pass: %v", err)
		}
		stream := configs.StreamMain
		if cam.DeviceTwice == 1 {
			stream = configs.StreamBoth // sub for live, main for recording
		}
		ch.Device = &configs.Device{Vendor: vendor, Host: cam.DeviceIP, User: cam.DeviceUser, Password: configs.Secret(pass.Reveal()), Stream: stream}
	case yunlubo.StreamMP4File:
		if !path.IsAbs(cam.StreamMP4) {
			return ch, fmt.Errorf("stream_mp4 %q is not an absolute path on this box", cam.StreamMP4)
		}
		ch.Source = "file://" + cam.StreamMP4
	case yunlubo.StreamForward:
		if cam.StreamURL == "" {
			return ch, fmt.Errorf("stream_prop 2 without stream_url")
		}
		ch.Source = cam.StreamURL
	default:
		return ch, fmt.Errorf("stream_prop %d is not 0 (camera), 1 (MP4 file) or 2 (forward)", cam.StreamProp)
	}
	return ch, nil
}

func courseOf(co yunlubo.Course, channel string, subjects, teachers map[yunlubo.Int]string) (configs.Course, error) {
	wd, ok := co.Weekday()
	if !ok {
		return configs.Course{}, fmt.Errorf("week_id %d is outside 0-6", co.WeekID)
	}
	start, ok := co.StartOfDay()
	if !ok {
		return configs.Course{}, fmt.Errorf("start_time %q has no time of day HH:MM:SS", co.StartTime)
	}
	if co.ElapseSec <= 0 || co.ElapseSec > 24*3600 {
		return configs.Course{}, fmt.Errorf("elapse_sec %d is outside 1-86400", co.ElapseSec)
	}
	s := int64(start / time.Second)
	return configs.Course{
		Channel:    channel,
		Weekday:    wd,
		Start:      fmt.Sprintf("%02d:%02d:%02d", s/3600, s/60%60, s%60),
		Duration:   co.Length(),
		Subject:    subjects[co.SubjectID],
		Teacher:    teachers[co.TeacherID],
		ExternalID: co.CourseID.String(),
	}, nil
}
