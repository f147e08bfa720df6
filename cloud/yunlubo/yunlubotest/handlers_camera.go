package yunlubotest

import (
	"fmt"
	"net/url"
	"strconv"

	"github.com/lubo-edge/lubo/cloud/yunlubo"
)

// cameraObject joins the gather, school and grade names in, as list_camera does.
func (s *Server) cameraObject(v yunlubo.Camera) object {
	if g, ok := s.data.gathers.rows[v.GatherID]; ok {
		v.NameSet, v.SchoolID = g.NameSet, g.SchoolID
	}
	if sc, ok := s.data.schools.rows[v.SchoolID]; ok {
		v.SchoolName = sc.Name
	}
	if gr, ok := s.data.grades.rows[v.GradeID]; ok {
		v.GradeType, v.GradeName = gr.GradeType, gr.GradeName
	}
	o := toObject(v)
	o["device_pass"] = v.DevicePass.Reveal() // the Camera's JSON hides both
	o["stream_url"] = v.StreamURL
	if s.exampleNames {
		o["image_fds"], o["device_cmd_prot"] = o["image_fdfs"], o["device_cmd_port"]
		delete(o, "image_fdfs")
		delete(o, "device_cmd_port")
	}
	return o
}

func (s *Server) listCamera(p url.Values, _ string) (any, int) {
	return page(s.data.cameras.sorted(), s.cameraObject, p, true, object{"storage_addr": s.storage}), 0
}

func (s *Server) addCamera(p url.Values, _ string) (any, int) {
	gather, grade := id(p, "gather_id"), id(p, "grade_id")
	if _, ok := s.data.gathers.rows[gather]; !ok {
		return nil, yunlubo.CodeNoID
	}
	if _, ok := s.data.grades.rows[grade]; !ok {
		return nil, yunlubo.CodeNoID
	}
	now := s.touch()
	v := yunlubo.Camera{CameraName: p.Get("camera_name"), GatherID: gather, GradeID: grade,
		DeviceOSD: 1, DeviceShow: 1, Created: now, Updated: now}
	optInt(p, "stream_prop", &v.StreamProp)
	if v.StreamProp == yunlubo.StreamForward {
		v.StreamURL = p.Get("stream_url")
	} else {
		v.StreamMP4 = p.Get("stream_mp4")
	}
	v.CameraID = s.data.cameras.add(0, v)
	s.data.cameras.rows[v.CameraID] = v
	return okAnswer(object{"camera_id": v.CameraID, "transmit": transmitOK}), 0
}

func (s *Server) modCamera(p url.Values, _ string) (any, int) {
	v, ok := s.data.cameras.rows[id(p, "camera_id")]
	if !ok {
		return nil, yunlubo.CodeNoID
	}
	if p.Has("grade_id") {
		if _, ok := s.data.grades.rows[id(p, "grade_id")]; !ok {
			return nil, yunlubo.CodeNoID
		}
		v.GradeID = id(p, "grade_id")
	}
	optString(p, "camera_name", &v.CameraName)
	optInt(p, "stream_prop", &v.StreamProp)
	optString(p, "stream_url", &v.StreamURL)
	optString(p, "stream_mp4", &v.StreamMP4)
	optString(p, "device_ip", &v.DeviceIP)
	optString(p, "device_user", &v.DeviceUser)
	if p.Has("device_pass") {
		v.DevicePass = yunlubo.Secret(p.Get("device_pass"))
	}
	optInt(p, "device_cmd_port", &v.DeviceCmdPort)
	optInt(p, "device_mirror", &v.DeviceMirror)
	optInt(p, "device_osd", &v.DeviceOSD)
	optInt(p, "device_twice", &v.DeviceTwice)
	optInt(p, "device_show", &v.DeviceShow)
	v.Updated = s.touch()
	s.data.cameras.rows[v.CameraID] = v
	return okAnswer(object{"transmit": transmitOK}), 0
}

// delCamera deletes the cameras with their courses and records (§3.21).
func (s *Server) delCamera(p url.Values, _ string) (any, int) {
	ids, _ := yunlubo.ParseIDList(p.Get("camera_id"))
	for _, i := range ids {
		cam := yunlubo.Int(i)
		delete(s.data.cameras.rows, cam)
		for k, c := range s.data.courses.rows {
			if c.CameraID == cam {
				delete(s.data.courses.rows, k)
			}
		}
		for k, r := range s.data.records.rows {
			if r.CameraID == cam {
				delete(s.data.records.rows, k)
			}
		}
	}
	return okAnswer(nil), 0
}

func (s *Server) cameraStatus(p url.Values, _ string) (any, int) {
	v, ok := s.data.cameras.rows[id(p, "camera_id")]
	if !ok {
		return nil, yunlubo.CodeNoID
	}
	return okAnswer(object{"camera_id": v.CameraID, "status": v.Status}), 0
}

func cameraSwitch(status yunlubo.Int) handler {
	return func(s *Server, p url.Values, _ string) (any, int) {
		v, ok := s.data.cameras.rows[id(p, "camera_id")]
		if !ok {
			return nil, yunlubo.CodeNoID
		}
		v.Status = status
		s.data.cameras.rows[v.CameraID] = v
		return okAnswer(object{"transmit": transmitOK}), 0
	}
}

func (s *Server) playCamera(p url.Values, host string) (any, int) {
	v, ok := s.data.cameras.rows[id(p, "camera_id")]
	if !ok {
		return nil, yunlubo.CodeNoID
	}
	return okAnswer(object{"play_url": playURL(host, "camera", v.CameraID, p)}), 0
}

func playURL(host, kind string, id yunlubo.Int, p url.Values) string {
	w, h := 850, 550
	if v, err := strconv.Atoi(p.Get("width")); err == nil && v > 0 {
		w = v
	}
	if v, err := strconv.Atoi(p.Get("height")); err == nil && v > 0 {
		h = v
	}
	return fmt.Sprintf("http://%s/play/%s/%d?width=%d&height=%d", host, kind, id, w, h)
}

func (s *Server) listRecord(p url.Values, _ string) (any, int) {
	render := func(v yunlubo.Record) object { return asStrings(toObject(v), "file_size", "duration") }
	return page(s.data.records.sorted(), render, p, true, object{"storage_addr": s.storage}), 0
}

func (s *Server) playRecord(p url.Values, host string) (any, int) {
	v, ok := s.data.records.rows[id(p, "record_id")]
	if !ok {
		return nil, yunlubo.CodeNoID
	}
	return okAnswer(object{"play_url": playURL(host, "record", v.RecordID, p)}), 0
}
