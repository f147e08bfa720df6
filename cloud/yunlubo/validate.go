package yunlubo

import (
	"net/url"
	"strconv"
	"strings"
)

// LastSecondOfDay is 23:59:59: a course ending after it is a cross-day task
// (§3.28 备注 2), which the server refuses with 1013.
const LastSecondOfDay = 24*3600 - 1

// ValidateParams checks an endpoint's parameters (token excepted: checking it
// needs the server's state) and answers the documented err_code as an *Error,
// or nil. Where the document marks a parameter 【必填】 without giving a code,
// the choice is written beside the check.
func ValidateParams(endpoint string, p url.Values) error {
	v := validator{op: endpoint, p: p}
	switch endpoint {
	case EndpointAccessToken:
		v.text("unionid", CodeInvalidUnionID)
	case EndpointAddSchool:
		v.text("name", CodeNoName)
		v.text("addr", CodeNoAddr)
	case EndpointModSchool:
		v.id("school_id")
		v.text("name", CodeNoName)
		v.text("addr", CodeNoAddr)
	case EndpointDelSchool:
		v.ids("school_id")
	case EndpointAddSubject:
		v.text("subject_name", CodeNoName)
	case EndpointModSubject:
		v.id("subject_id")
		v.text("subject_name", CodeNoName)
	case EndpointDelSubject:
		v.ids("subject_id")
	case EndpointAddTeacher:
		// 1008 is the only parameter code of §3.13: used for every 【必填】 field.
		v.text("teacher_name", CodeNoName)
		v.text("sex_name", CodeNoName)
		v.text("title_name", CodeNoName)
		v.number("title_id", CodeNoName)
	case EndpointModTeacher:
		v.id("teacher_id")
		v.textIfPresent("teacher_name", CodeNoName)
		v.numberIfPresent("title_id", CodeNoName)
	case EndpointDelTeacher:
		v.ids("teacher_id")
	case EndpointModGather:
		v.id("gather_id")
		v.idIfPresent("school_id")
	case EndpointAddCamera:
		v.text("camera_name", CodeNoName)
		v.id("gather_id")
		v.id("grade_id")
		// Only 1 (MP4 file) and 2 (forward) may be added; the document gives no
		// code for another mode, lubo answers 1010.
		switch strings.TrimSpace(p.Get("stream_prop")) {
		case "1":
			v.text("stream_mp4", CodeNoName)
		case "2":
			v.streamURL("stream_url")
		default:
			v.fail(CodeNoID)
		}
	case EndpointModCamera:
		// camera_name is 【必填】 but the document's own example omits it, and
		// §3.20 lists no 1008: it is optional here.
		v.id("camera_id")
		v.idIfPresent("grade_id")
		if s, ok := p["stream_prop"]; ok && len(s) > 0 {
			if x := strings.TrimSpace(s[0]); x != "0" && x != "1" && x != "2" {
				v.fail(CodeNoID)
			}
		}
	case EndpointDelCamera:
		v.ids("camera_id")
	case EndpointGetCameraStatus, EndpointStartCamera, EndpointStopCamera, EndpointPlayCamera,
		EndpointListCourse: // list_course without camera_id: 1010 (seeds README)
		v.id("camera_id")
	case EndpointDelRecord:
		v.ids("record_id")
	case EndpointPlayRecord:
		v.id("record_id")
	case EndpointAddCourse:
		v.id("camera_id")
		v.id("subject_id")
		v.id("teacher_id")
		v.schedule()
	case EndpointModCourse:
		v.id("course_id")
		v.id("camera_id")
		v.id("subject_id")
		v.id("teacher_id")
		v.schedule()
	case EndpointDelCourse:
		v.ids("course_id")
	}
	if v.err != nil {
		return v.err
	}
	return nil
}

// validator keeps the first failure, so checks read as a list.
type validator struct {
	op  string
	p   url.Values
	err *Error
}

func (v *validator) fail(code int) {
	if v.err == nil {
		v.err = &Error{Op: v.op, Code: code, Msg: Meaning(v.op, code)}
	}
}

func (v *validator) get(k string) string { return strings.TrimSpace(v.p.Get(k)) }

func (v *validator) present(k string) bool { return len(v.p[k]) > 0 }

func (v *validator) text(k string, code int) {
	if v.get(k) == "" {
		v.fail(code)
	}
}

func (v *validator) textIfPresent(k string, code int) {
	if v.present(k) {
		v.text(k, code)
	}
}

func (v *validator) number(k string, code int) {
	if _, err := strconv.Atoi(v.get(k)); err != nil {
		v.fail(code)
	}
}

func (v *validator) numberIfPresent(k string, code int) {
	if v.present(k) {
		v.number(k, code)
	}
}

func (v *validator) id(k string) {
	if _, ok := ParseID(v.get(k)); !ok {
		v.fail(CodeNoID)
	}
}

func (v *validator) idIfPresent(k string) {
	if v.present(k) {
		v.id(k)
	}
}

func (v *validator) ids(k string) {
	if _, ok := ParseIDList(v.get(k)); !ok {
		v.fail(CodeNoID)
	}
}

// streamURL: 流转发 supports rtsp:// and rtmp:// only; a missing or other
// address is answered 1008 (the only text code of §3.19).
func (v *validator) streamURL(k string) {
	s := strings.ToLower(v.get(k))
	if !strings.HasPrefix(s, "rtsp://") && !strings.HasPrefix(s, "rtmp://") {
		v.fail(CodeNoName)
	}
}

// schedule checks week_id, elapse_sec and start_time of add/mod_course:
// a malformed one is 1011, an end after 23:59:59 is 1013.
func (v *validator) schedule() {
	week, err := strconv.Atoi(v.get("week_id"))
	if err != nil || week < 0 || week > 6 {
		v.fail(CodeBadTime)
		return
	}
	elapse, err := strconv.Atoi(v.get("elapse_sec"))
	if err != nil || elapse <= 0 {
		v.fail(CodeBadTime)
		return
	}
	start, ok := ParseClock(v.get("start_time"))
	if !ok {
		v.fail(CodeBadTime)
		return
	}
	if elapse > LastSecondOfDay-start {
		v.fail(CodeCrossDay)
	}
}
