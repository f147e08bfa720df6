package yunlubo

// The §3 endpoints, as they appear after /api/v1/ (case-sensitive).
const (
	EndpointVersion         = "version"           // 3.1
	EndpointAccessToken     = "access_token"      // 3.2
	EndpointListSchool      = "list_school"       // 3.3
	EndpointAddSchool       = "add_school"        // 3.4
	EndpointModSchool       = "mod_school"        // 3.5
	EndpointDelSchool       = "del_school"        // 3.6
	EndpointListSubject     = "list_subject"      // 3.7
	EndpointAddSubject      = "add_subject"       // 3.8
	EndpointModSubject      = "mod_subject"       // 3.9
	EndpointDelSubject      = "del_subject"       // 3.10
	EndpointListGrade       = "list_grade"        // 3.11
	EndpointListTeacher     = "list_teacher"      // 3.12
	EndpointAddTeacher      = "add_teacher"       // 3.13
	EndpointModTeacher      = "mod_teacher"       // 3.14
	EndpointDelTeacher      = "del_teacher"       // 3.15
	EndpointListGather      = "list_gather"       // 3.16
	EndpointModGather       = "mod_gather"        // 3.17
	EndpointListCamera      = "list_camera"       // 3.18
	EndpointAddCamera       = "add_camera"        // 3.19
	EndpointModCamera       = "mod_camera"        // 3.20
	EndpointDelCamera       = "del_camera"        // 3.21
	EndpointGetCameraStatus = "get_camera_status" // 3.22
	EndpointStartCamera     = "start_camera"      // 3.23
	EndpointStopCamera      = "stop_camera"       // 3.24
	EndpointListRecord      = "list_record"       // 3.25
	EndpointDelRecord       = "del_record"        // 3.26
	EndpointListCourse      = "list_course"       // 3.27
	EndpointAddCourse       = "add_course"        // 3.28
	EndpointModCourse       = "mod_course"        // 3.29
	EndpointDelCourse       = "del_course"        // 3.30
	EndpointPlayCamera      = "play_camera"       // 3.31
	EndpointPlayRecord      = "play_record"       // 3.32
)

// Endpoints lists every §3 endpoint in document order.
var Endpoints = []string{
	EndpointVersion, EndpointAccessToken,
	EndpointListSchool, EndpointAddSchool, EndpointModSchool, EndpointDelSchool,
	EndpointListSubject, EndpointAddSubject, EndpointModSubject, EndpointDelSubject,
	EndpointListGrade,
	EndpointListTeacher, EndpointAddTeacher, EndpointModTeacher, EndpointDelTeacher,
	EndpointListGather, EndpointModGather,
	EndpointListCamera, EndpointAddCamera, EndpointModCamera, EndpointDelCamera,
	EndpointGetCameraStatus, EndpointStartCamera, EndpointStopCamera,
	EndpointListRecord, EndpointDelRecord,
	EndpointListCourse, EndpointAddCourse, EndpointModCourse, EndpointDelCourse,
	EndpointPlayCamera, EndpointPlayRecord,
}

// NeedsToken reports whether the endpoint requires a token (all but 3.1, 3.2).
func NeedsToken(endpoint string) bool {
	return endpoint != EndpointVersion && endpoint != EndpointAccessToken
}

// IsPaged reports whether the endpoint answers pages (cur/per).
func IsPaged(endpoint string) bool {
	switch endpoint {
	case EndpointListSchool, EndpointListSubject, EndpointListGrade, EndpointListTeacher,
		EndpointListGather, EndpointListCamera, EndpointListRecord, EndpointListCourse:
		return true
	}
	return false
}

func knownEndpoint(endpoint string) bool {
	for _, e := range Endpoints {
		if e == endpoint {
			return true
		}
	}
	return false
}
