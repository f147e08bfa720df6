package yunlubo

import (
	"encoding/json"
	"strings"
	"time"
)

// Version is the answer of §3.1 (the only one without err_code).
type Version struct {
	API     string `json:"API"`
	Name    string `json:"Name"`
	Version string `json:"Version"`
	Server  string `json:"Server"`
}

// Status is the err_code/err_msg pair every other answer carries.
type Status struct {
	ErrCode Int    `json:"err_code"`
	ErrMsg  string `json:"err_msg"`
}

// School is one row of list_school (§3.3).
type School struct {
	SchoolID Int    `json:"school_id"`
	Name     string `json:"name"`
	Addr     string `json:"addr"`
	Phone    string `json:"phone"`
	Created  string `json:"created"`
	Updated  string `json:"updated"`
}

// Subject is one row of list_subject (§3.7).
type Subject struct {
	SubjectID   Int    `json:"subject_id"`
	SubjectName string `json:"subject_name"`
	Created     string `json:"created"`
	Updated     string `json:"updated"`
}

// Grade is one row of list_grade (§3.11).
type Grade struct {
	GradeID   Int    `json:"grade_id"`
	GradeType string `json:"grade_type"`
	GradeName string `json:"grade_name"`
	Created   string `json:"created"`
	Updated   string `json:"updated"`
}

// Teacher is one row of list_teacher (§3.12).
type Teacher struct {
	TeacherID   Int    `json:"teacher_id"`
	TeacherName string `json:"teacher_name"`
	SexName     string `json:"sex_name"`   // 男|女
	TitleName   string `json:"title_name"` // e.g. 一级教师
	TitleID     Int    `json:"title_id"`   // 0 正高级 1 高级 2 一级 3 二级 4 三级
	DetailInfo  string `json:"detail_info"`
	Created     string `json:"created"`
	Updated     string `json:"updated"`
}

// Gather is one row of list_gather (§3.16): a recording box (采集端).
type Gather struct {
	GatherID Int    `json:"gather_id"`
	SchoolID Int    `json:"school_id"`
	MacAddr  string `json:"mac_addr"`
	IPAddr   string `json:"ip_addr"`
	NamePC   string `json:"name_pc"`
	NameSet  string `json:"name_set"`
	OSName   string `json:"os_name"`
	MainRate Int    `json:"main_rate"` // Kbps, main stream (recording) in dual-stream mode
	SubRate  Int    `json:"sub_rate"`  // Kbps, sub stream (live)
	AutoDVR  Int    `json:"auto_dvr"`  // reconnect channels automatically, default 0
	AutoFDS  Int    `json:"auto_fds"`  // reconnect the storage server automatically, default 1
	SliceVal Int    `json:"slice_val"` // slice length in minutes [0,30], 0 = no slicing
	InterVal Int    `json:"inter_val"` // slice overlap in keyframes [0,3]
	SnapVal  Int    `json:"snap_val"`  // snapshot interval in minutes, default 2
	Status   Int    `json:"status"`    // 0 offline, 1 online
	Created  string `json:"created"`
	Updated  string `json:"updated"`
}

// Stream modes of a camera (stream_prop).
const (
	StreamCamera  = 0 // an IPC reached by device_ip/user/pass
	StreamMP4File = 1 // an MP4 file on the gather (stream_mp4)
	StreamForward = 2 // an rtsp:// or rtmp:// address (stream_url)
)

// Record is one row of list_record (§3.25).
type Record struct {
	RecordID    Int    `json:"record_id"`
	GatherID    Int    `json:"gather_id"`
	CameraID    Int    `json:"camera_id"`
	CameraName  string `json:"camera_name"`
	GradeID     Int    `json:"grade_id"`
	GradeType   string `json:"grade_type"`
	GradeName   string `json:"grade_name"`
	SubjectID   Int    `json:"subject_id"`
	SubjectName string `json:"subject_name"`
	TeacherID   Int    `json:"teacher_id"`
	TeacherName string `json:"teacher_name"`
	TitleName   string `json:"title_name"`
	FileFDFS    string `json:"file_fdfs"`  // storage_addr + file_fdfs = the video URL
	ImageFDFS   string `json:"image_fdfs"` // storage_addr + image_fdfs = the cover URL
	FileSize    Int    `json:"file_size"`  // bytes
	Duration    Int    `json:"duration"`   // seconds
	Disptime    string `json:"disptime"`   // 00:00:00
	Clicks      Int    `json:"clicks"`
	Created     string `json:"created"`
	Updated     string `json:"updated"`
}

// UnmarshalJSON reads image_fdfs, or image_fds as the examples spell it.
func (r *Record) UnmarshalJSON(b []byte) error {
	type plain Record
	var v struct {
		plain
		ImageFDS string `json:"image_fds"`
	}
	if err := json.Unmarshal(b, &v); err != nil {
		return err
	}
	*r = Record(v.plain)
	if r.ImageFDFS == "" {
		r.ImageFDFS = v.ImageFDS
	}
	return nil
}

// FileURL is the full video address (storage_addr + file_fdfs).
func (r Record) FileURL(storageAddr string) string { return JoinStorage(storageAddr, r.FileFDFS) }

// ImageURL is the full cover address (storage_addr + image_fdfs).
func (r Record) ImageURL(storageAddr string) string { return JoinStorage(storageAddr, r.ImageFDFS) }

// Course is one row of list_course (§3.27): a weekly recording task.
type Course struct {
	CourseID  Int    `json:"course_id"`
	CameraID  Int    `json:"camera_id"`
	SubjectID Int    `json:"subject_id"`
	TeacherID Int    `json:"teacher_id"`
	RepeatID  Int    `json:"repeat_id"`  // default 2: every week
	WeekID    Int    `json:"week_id"`    // 0 Sunday … 6 Saturday
	ElapseSec Int    `json:"elapse_sec"` // seconds
	StartTime string `json:"start_time"` // "2017-05-10 12:12:12": only the time counts
	EndTime   string `json:"end_time"`
	Created   string `json:"created"`
	Updated   string `json:"updated"`
}

// Weekday is week_id as a time.Weekday (both count Sunday as 0); ok is false
// outside 0-6.
func (c Course) Weekday() (time.Weekday, bool) {
	return time.Weekday(c.WeekID), c.WeekID >= 0 && c.WeekID <= 6
}

// StartOfDay is the start time of day (the date part of start_time is
// meaningless, §3.27); ok is false if start_time has no valid HH:MM:SS.
func (c Course) StartOfDay() (time.Duration, bool) {
	s := strings.TrimSpace(c.StartTime)
	if i := strings.LastIndexByte(s, ' '); i >= 0 {
		s = s[i+1:]
	}
	sec, ok := ParseClock(s)
	return time.Duration(sec) * time.Second, ok
}

// Length is elapse_sec as a duration.
func (c Course) Length() time.Duration { return time.Duration(c.ElapseSec) * time.Second }

// JoinStorage joins storage_addr and a *_fdfs path with exactly one slash.
func JoinStorage(storageAddr, path string) string {
	if path == "" {
		return ""
	}
	if storageAddr == "" {
		return path
	}
	return strings.TrimRight(storageAddr, "/") + "/" + strings.TrimLeft(path, "/")
}
