package yunlubo

import (
	"errors"
	"fmt"
)

// Codes the document gives for err_code (§3). 1005 is not used by the document.
const (
	CodeOK              = 0
	CodeInvalidUnionID  = 1001 // 无效的 unionid
	CodeAccountNotFound = 1002 // 没有找到 unionid 指定的帐号
	CodeNoAPIAccess     = 1003 // unionid 对应的帐号没有接口访问权限
	CodeNoToken         = 1004 // 没有凭证 (access_token: 生成 token 过程中发生错误)
	CodeTokenInvalid    = 1006 // 解析 token 失败
	CodeTokenExpired    = 1007 // 凭证已过期, 请重新获取
	CodeNoName          = 1008 // 没有名称, 请确认参数
	CodeNoAddr          = 1009 // 没有地址, 请确认参数
	CodeNoID            = 1010 // 没有编号, 请确认参数
	CodeBadTime         = 1011 // 输入日期格式不正确
	CodeTimeOverlap     = 1012 // 输入时间与已有时间发生重叠
	CodeCrossDay        = 1013 // 不支持跨天任务
)

var meanings = map[int]string{
	CodeOK:              "请求成功",
	CodeInvalidUnionID:  "无效的 unionid",
	CodeAccountNotFound: "没有找到 unionid 指定的帐号",
	CodeNoAPIAccess:     "unionid 对应的帐号没有接口访问权限",
	CodeNoToken:         "没有凭证, 请确认参数",
	CodeTokenInvalid:    "解析 token 失败",
	CodeTokenExpired:    "凭证已过期, 请重新获取",
	CodeNoName:          "没有名称, 请确认参数",
	CodeNoAddr:          "没有地址, 请确认参数",
	CodeNoID:            "没有编号, 请确认参数",
	CodeBadTime:         "输入日期格式不正确",
	CodeTimeOverlap:     "输入时间与已有时间发生重叠",
	CodeCrossDay:        "不支持跨天任务",
}

// tokenGenerationFailed is 1004's meaning in §3.2 (access_token) only.
const tokenGenerationFailed = "生成 token 过程中发生错误"

// Meaning is the document's text for code as answered by endpoint op ("" if
// the document defines no such code). 1004 means "生成 token 过程中发生错误"
// on access_token and "没有凭证" everywhere else, as the document has it.
func Meaning(op string, code int) string {
	if code == CodeNoToken && op == EndpointAccessToken {
		return tokenGenerationFailed
	}
	return meanings[code]
}

// Error is a refusal the server expressed with a non-zero err_code.
type Error struct {
	Op   string // the endpoint, e.g. "list_camera"
	Code int    // err_code
	Msg  string // err_msg as the server sent it (clipped, credentials removed)
}

func (e *Error) Error() string {
	m := e.Meaning()
	if m == "" {
		m = "undocumented code"
	}
	return fmt.Sprintf("yunlubo: %s: err_code %d (%s): %s", e.Op, e.Code, m, e.Msg)
}

// Meaning is the document's text for the code on this endpoint.
func (e *Error) Meaning() string { return Meaning(e.Op, e.Code) }

// TokenRejected reports whether the server refused the token itself
// (1006 unparsable, 1007 expired): a fresh token may succeed.
func (e *Error) TokenRejected() bool {
	return e.Code == CodeTokenInvalid || e.Code == CodeTokenExpired
}

// IsCode reports whether err is (or wraps) an *Error with the given code.
func IsCode(err error, code int) bool {
	var e *Error
	return errors.As(err, &e) && e.Code == code
}

// ErrTooManyPages is returned by the walking helpers when a server keeps
// announcing more pages than Options.MaxPages.
var ErrTooManyPages = errors.New("yunlubo: too many pages")
