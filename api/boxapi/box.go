package boxapi

import (
	"net/http"
	"time"

	"github.com/lubo-edge/lubo/cloud/yunlubo"
	"github.com/lubo-edge/lubo/relay"
	"github.com/lubo-edge/lubo/storage"
)

// Origin says where a channel or a course comes from, which decides whether
// the box API may edit it.
type Origin string

const (
	// OriginConfig: the config file; the API does not edit it.
	OriginConfig Origin = "config"
	// OriginServer: a 云录播 server the box syncs from; the server is the
	// source of truth and the API refuses to edit it.
	OriginServer Origin = "server"
	// OriginAPI: added through this API and kept in bbolt.
	OriginAPI Origin = "api"
)

// Channel is one channel of the running box, as the daemon knows it.
type Channel struct {
	ID     string // lubo's channel id ([a-z0-9_-]); "y{camera_id}" for a server's camera
	Name   string
	Origin Origin
	// StreamProp is the 云录播 mode: 0 camera, 1 MP4 file, 2 forward.
	StreamProp int
	// StreamURL is the redacted pull address (mode 2; mode 0 may set it too).
	StreamURL string
	// StreamMP4 is the file path of mode 1.
	StreamMP4 string
	// DeviceIP and DeviceUser describe a mode 0 camera (the password is
	// never shown by this API).
	DeviceIP, DeviceUser string
	// GradeID is the channel's grade, 0 if unknown.
	GradeID int64
	// Up reports whether the channel's source is delivering now.
	Up bool
	// HasSnapshot reports whether /snapshots/{ID}.jpg exists.
	HasSnapshot bool
}

// Course is one weekly course of the box's timetable that did not come
// through this API (the API's own courses are in the store).
type Course struct {
	// ID is the timetable's id: for a server's course its course_id
	// ("123"), for a config course schedule.CourseID's text.
	ID       string
	Origin   Origin // OriginConfig or OriginServer
	Channel  string
	Weekday  time.Weekday
	Start    time.Duration // after local midnight
	Duration time.Duration
	Subject  string
	Teacher  string
}

// Directory is what the box knows of the school: the 云录播 server's lists
// when one is configured, else whatever the daemon has (possibly nothing).
// Subjects and teachers named by courses and records are added to it by
// this package with numbers of its own.
type Directory struct {
	Schools  []yunlubo.School
	Grades   []yunlubo.Grade
	Subjects []yunlubo.Subject
	Teachers []yunlubo.Teacher
}

// Box is what the API needs from the running daemon. Its methods are called
// from HTTP handlers, concurrently, and must not block for long.
type Box interface {
	// Gather is this box as a row of list_gather (gather_id, names, rates,
	// slice_val/inter_val/snap_val, status 1).
	Gather() yunlubo.Gather
	// Channels lists every channel (config, server and API ones) in the
	// order the dashboard shows them.
	Channels() []Channel
	// LiveStream is the stream live viewers of a channel attach to.
	LiveStream(id string) (*relay.Stream, bool)
	// HLS is the channel's HLS handler, serving paths relative to the
	// channel's folder ("index.m3u8", segment names), as api.Box.HLS.
	HLS(id string) (http.Handler, bool)
	// Courses is the timetable without the API's own courses.
	Courses() []Course
	// Directory is what the box knows of schools, grades, subjects, teachers.
	Directory() Directory
	// ServerConfigured reports whether a 云录播 server is configured; then
	// its channels and courses cannot be edited here.
	ServerConfigured() bool
}

// Records gives the API the records index. StoreRecords is the usual one.
type Records interface {
	// List returns finished records, newest first, and their total.
	List(offset, limit int) ([]*storage.Record, int, error)
	// BySeq returns the record whose Seq (the API's record_id) is seq, or an
	// error wrapping storage.ErrNotFound.
	BySeq(seq uint64) (*storage.Record, error)
	// Delete removes a record with its video and cover files.
	Delete(r *storage.Record) error
	// OfChannel returns every record of a channel (for del_camera).
	OfChannel(channel string) ([]*storage.Record, error)
	// Open opens a record's video file for playing.
	Open(r *storage.Record) (http.File, error)
}
