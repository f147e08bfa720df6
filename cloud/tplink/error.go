package tplink

import (
	"fmt"
	"strings"
	"time"
)

// Codes a caller acts on (§1.2.2.4, §1.5).
const (
	CodeSignatureMismatch = -10301 // wrong signature
	CodeRequestExpired    = -10302 // timestamp more than 5 minutes off the cloud's clock
	CodeBadAuthorization  = -10303 // header missing or malformed, or nonce reused
	CodeInvalidAK         = -10304 // AK unknown or expired (temporary AK/SK)
	CodeAKDenied          = -10305 // AK disabled / access denied
	CodeRateLimitedIP     = -10200
	CodeRateLimitedUser   = -10201
	CodeCloudBusy         = -20003
	CodeSessionNotFound   = -52202 // relay session does not exist
	CodeURLNotReady       = -80703 // relay address not ready yet: poll again
	CodeURLFailed         = -80704
	CodeStreamTokenGone   = -80731 // stream token expired or unknown
	CodePreviewLimit      = -80732 // too many concurrent previews
	CodeNoPermission      = -82401 // e.g. a temporary AK/SK asking for another one
	CodeDeviceNotInApp    = -88316
	CodeTempAKLimit       = -88317
)

// The two descriptions of -10305: §1.2.2.4 and §1.5 disagree, both stand.
const akDeniedText = "AK被禁用 (AK disabled, §1.2.2.4) / 访问被拒绝（通常是该Access key无访问该API的权限） (access denied, usually no permission for this API, §1.5)"

// Error is a refusal by the cloud: a non-zero error_code. Check it with
// errors.As and switch on Code.
type Error struct {
	Code int    // the cloud's error_code
	Msg  string // the cloud's msg, or the document's text when the cloud sent none
	Op   string // the API call, e.g. "requestStreamUrl"

	// For CodeRequestExpired: the cloud's time (zero when the answer carried
	// none) and the box's time when the answer came.
	ServerTime time.Time
	LocalTime  time.Time
}

// newError builds the typed error for code, keeping the cloud's msg.
func newError(op string, code int, msg string) *Error {
	return &Error{Code: code, Msg: strings.TrimSpace(msg), Op: op}
}

// Text is the document's description of the code, "" when it has none.
func (e *Error) Text() string { return CodeText(e.Code) }

// CodeText returns the document's description of an error code (§1.2.2.4 and
// §1.5), or "" for a code the document does not list.
func CodeText(code int) string {
	if code == CodeAKDenied {
		return akDeniedText
	}
	return codeTexts[code]
}

func (e *Error) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "tplink: %s: error_code %d", e.Op, e.Code)
	text := e.Text()
	if e.Msg != "" && e.Msg != text {
		fmt.Fprintf(&b, " %q", clip(e.Msg, 200))
	}
	if text != "" {
		fmt.Fprintf(&b, " (%s)", text)
	}
	if e.Code == CodeRequestExpired {
		b.WriteString(": ")
		b.WriteString(e.clockAdvice())
	}
	return b.String()
}

// clockAdvice says plainly that the box's clock is off and by how much.
func (e *Error) clockAdvice() string {
	if e.ServerTime.IsZero() {
		return "the box's clock is probably off by more than 5 minutes; the answer carried no server time to say by how much, check NTP"
	}
	skew := e.LocalTime.Sub(e.ServerTime).Round(time.Second)
	dir := "ahead of"
	if skew < 0 {
		dir, skew = "behind", -skew
	}
	return fmt.Sprintf("the box's clock is off: it is %s %s the cloud's (box %s, cloud %s); the cloud accepts at most 5 minutes, fix the clock (NTP)",
		skew, dir, e.LocalTime.UTC().Format(time.RFC3339), e.ServerTime.UTC().Format(time.RFC3339))
}

// Skew is how far the box's clock is ahead of the cloud's (negative: behind);
// ok is false when the answer carried no server time.
func (e *Error) Skew() (skew time.Duration, ok bool) {
	if e.ServerTime.IsZero() {
		return 0, false
	}
	return e.LocalTime.Sub(e.ServerTime), true
}

func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}
