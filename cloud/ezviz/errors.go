package ezviz

import (
	"fmt"
	"strings"
	"unicode"
)

// Codes the document (and, for the token call, Ezviz's public reference) gives.
const (
	CodeOK              = "200"
	CodeBadParameter    = "10001" // 参数错误
	CodeTokenExpired    = "10002" // accessToken异常或过期
	CodeAppKeyFrozen    = "10005" // appKey异常 (token call)
	CodeAppKeyUnknown   = "10017" // appKey不存在 (token call)
	CodeQuotaExceeded   = "10029" // 个人版接口调用超限 (PTZ example)
	CodeSecretMismatch  = "10030" // appKey和appSecret不匹配 (token call)
	CodeNoCamera        = "20001" // 摄像头不存在
	CodeNoDevice        = "20002" // 设备不存在
	CodeDeviceOffline   = "20007" // 设备离线
	CodeNotOwner        = "20018" // 该用户不拥有该设备
	CodeDataError       = "49999" // 数据异常
	CodeSystemError     = "50000" // 系统错误
	CodeNoPTZ           = "60000" // 设备不支持云台控制 (public reference)
	CodeDeviceEncrypted = "60019" // 设备已加密
)

// Error is a refusal by the Ezviz cloud: any answer whose code is not "200".
// Check it with errors.As; Code is the vendor's code, Msg its message, Op the
// call that was refused.
type Error struct {
	Code string
	Msg  string
	Op   string
}

func (e *Error) Error() string {
	return fmt.Sprintf("ezviz %s: code %s (%s): %s", e.Op, e.Code, e.Msg, Hint(e.Code))
}

// Hint says, for an installer, what a code means and what to do about it.
func Hint(code string) string {
	switch code {
	case CodeBadParameter:
		return "parameter error: check the serial, channel and quality (ezviz://SERIAL/CHANNEL?quality=1|2) and the playback times"
	case CodeTokenExpired:
		return "access token rejected or expired even after one renewal: check the box's clock and that the application is active in the Ezviz console"
	case CodeAppKeyFrozen:
		return "the appKey is frozen or abnormal: check the application's state in the Ezviz open platform console"
	case CodeAppKeyUnknown:
		return "the app_key is not known to Ezviz: copy it again from 控制台 → 我的账号 → 应用信息"
	case CodeQuotaExceeded:
		return "the personal-edition (个人版) API quota is used up: wait for the next day or upgrade to the enterprise edition"
	case CodeSecretMismatch:
		return "the app_secret does not belong to the app_key: copy both again from 控制台 → 我的账号 → 应用信息"
	case CodeNoCamera:
		return "no such channel on this device: check CHANNEL in ezviz://SERIAL/CHANNEL (a single camera is channel 1)"
	case CodeNoDevice:
		return "no device with this serial: check the serial on the device label and that it is added in 控制台 → 设备列表"
	case CodeDeviceOffline:
		return "the device is offline to the Ezviz cloud: check its power, network cable and internet access"
	case CodeNotOwner:
		return "the device is not bound to this Ezviz account: add it in 控制台 → 设备列表 with its verification code"
	case CodeDataError:
		return "Ezviz reported a data error: retry later; if it persists, open a ticket with Ezviz"
	case CodeSystemError:
		return "Ezviz system error: retry later"
	case CodeNoPTZ:
		return "the device has no pan/tilt (PTZ) support"
	case CodeDeviceEncrypted:
		return "the device's video encryption is on: turn it off in the Ezviz app (设备设置 → 视频加密)"
	}
	return "unknown Ezviz code: look it up in the Ezviz open platform error code list"
}

// cleanText keeps a vendor string printable and short before it goes into an error.
func cleanText(s string) string {
	const max = 200
	s = strings.Map(func(r rune) rune {
		if unicode.IsControl(r) || r == unicode.ReplacementChar {
			return -1
		}
		return r
	}, s)
	if len(s) > max {
		cut := max
		for cut > 0 && !utf8Start(s[cut]) {
			cut--
		}
		s = s[:cut] + "…"
	}
	return s
}

func utf8Start(b byte) bool { return b&0xC0 != 0x80 }
