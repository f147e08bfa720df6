package yunlubotest

import (
	"net/url"
	"strconv"
	"strings"

	"github.com/lubo-edge/lubo/cloud/yunlubo"
)

// handler answers a request whose token and parameters passed the checks;
// it runs under s.mu and returns an answer or a non-zero err_code.
type handler func(s *Server, p url.Values, host string) (any, int)

var handlers map[string]handler

func init() {
	handlers = map[string]handler{
		yunlubo.EndpointVersion:         (*Server).version,
		yunlubo.EndpointAccessToken:     (*Server).accessToken,
		yunlubo.EndpointListSchool:      (*Server).listSchool,
		yunlubo.EndpointAddSchool:       (*Server).addSchool,
		yunlubo.EndpointModSchool:       (*Server).modSchool,
		yunlubo.EndpointDelSchool:       delRows(func(t *tables) deleter { return t.schools }, "school_id"),
		yunlubo.EndpointListSubject:     (*Server).listSubject,
		yunlubo.EndpointAddSubject:      (*Server).addSubject,
		yunlubo.EndpointModSubject:      (*Server).modSubject,
		yunlubo.EndpointDelSubject:      delRows(func(t *tables) deleter { return t.subjects }, "subject_id"),
		yunlubo.EndpointListGrade:       (*Server).listGrade,
		yunlubo.EndpointListTeacher:     (*Server).listTeacher,
		yunlubo.EndpointAddTeacher:      (*Server).addTeacher,
		yunlubo.EndpointModTeacher:      (*Server).modTeacher,
		yunlubo.EndpointDelTeacher:      delRows(func(t *tables) deleter { return t.teachers }, "teacher_id"),
		yunlubo.EndpointListGather:      (*Server).listGather,
		yunlubo.EndpointModGather:       (*Server).modGather,
		yunlubo.EndpointListCamera:      (*Server).listCamera,
		yunlubo.EndpointAddCamera:       (*Server).addCamera,
		yunlubo.EndpointModCamera:       (*Server).modCamera,
		yunlubo.EndpointDelCamera:       (*Server).delCamera,
		yunlubo.EndpointGetCameraStatus: (*Server).cameraStatus,
		yunlubo.EndpointStartCamera:     cameraSwitch(1),
		yunlubo.EndpointStopCamera:      cameraSwitch(0),
		yunlubo.EndpointListRecord:      (*Server).listRecord,
		yunlubo.EndpointDelRecord:       delRows(func(t *tables) deleter { return t.records }, "record_id"),
		yunlubo.EndpointListCourse:      (*Server).listCourse,
		yunlubo.EndpointAddCourse:       saveCourse(false),
		yunlubo.EndpointModCourse:       saveCourse(true),
		yunlubo.EndpointDelCourse:       (*Server).delCourse,
		yunlubo.EndpointPlayCamera:      (*Server).playCamera,
		yunlubo.EndpointPlayRecord:      (*Server).playRecord,
	}
}

// transmitOK stands for the relay server's answer, whose format the
// document does not give.
var transmitOK = object{"err_code": 0, "err_msg": "OK"}

func (s *Server) version(url.Values, string) (any, int) {
	return object{"API": "v1", "Name": "云录播", "Version": "1.1.0", "Server": "Linux 2.6 x86_64"}, 0
}

// accessToken: a malformed unionid is 1001, an unknown one 1002, an account
// without API access 1003 (1004 only through FailCode).
func (s *Server) accessToken(p url.Values, _ string) (any, int) {
	uid := p.Get("unionid")
	if !unionidPattern.MatchString(uid) {
		return nil, yunlubo.CodeInvalidUnionID
	}
	access, known := s.accounts[uid]
	switch {
	case !known:
		return nil, yunlubo.CodeAccountNotFound
	case !access:
		return nil, yunlubo.CodeNoAPIAccess
	}
	tok := newToken()
	s.tokens[tok] = s.now.Add(TokenLifetime)
	s.issued++
	return okAnswer(object{"token": tok, "expires": int(TokenLifetime.Seconds())}), 0
}

func id(p url.Values, k string) yunlubo.Int {
	v, _ := yunlubo.ParseID(p.Get(k))
	return yunlubo.Int(v)
}

// optInt reads an optional integer; a missing or malformed one leaves *dst
// unchanged (the document gives no code for it).
func optInt(p url.Values, k string, dst *yunlubo.Int) {
	if v, err := strconv.ParseInt(strings.TrimSpace(p.Get(k)), 10, 64); err == nil && p.Has(k) {
		*dst = yunlubo.Int(v)
	}
}

func optString(p url.Values, k string, dst *string) {
	if p.Has(k) {
		*dst = p.Get(k)
	}
}

func (s *Server) touch() string { return s.now.Format(stampLayout) }
