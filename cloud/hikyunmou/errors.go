package hikyunmou

import (
	"fmt"
	"strings"
	"unicode"
)

// Codes a caller acts on. The document gives 515019; the OAuth codes are those
// of the standard token endpoint (RFC 6749 §5.2) and bearer-token refusals (RFC 6750 §3.1).
const (
	CodeOK                 = "200"
	CodeNeedsConfirm       = "515019" // the device must go through 设备确权
	CodeInvalidClient      = "invalid_client"
	CodeInvalidGrant       = "invalid_grant"
	CodeUnsupportedGrant   = "unsupported_grant_type"
	CodeInvalidToken       = "invalid_token"
	CodeUnauthorized       = "unauthorized"
	codeHTTPWithoutDetails = "http"
)

// Error is a refusal by the 云眸 cloud: an answer whose code is not "200", or an
// OAuth error. Check it with errors.As.
type Error struct {
	Op         string // the call refused
	Code       string // the vendor's code ("515019", "invalid_client", …)
	Message    string // the vendor's message
	HTTPStatus int
}

func (e *Error) Error() string {
	return fmt.Sprintf("hikyunmou %s: code %s (%s): %s", e.Op, e.Code, e.Message, Hint(e.Code))
}

// NeedsConfirm says whether the device must go through 设备确权.
func (e *Error) NeedsConfirm() bool { return e.Code == CodeNeedsConfirm }

// Hint says, for an installer, what a code means and what to do.
func Hint(code string) string {
	switch code {
	case CodeNeedsConfirm:
		return "the device must be authorized (设备确权) before it can be registered: it was activated or re-added more than 72 hours ago"
	case CodeInvalidClient, CodeUnauthorized:
		return "the client_id or client_secret is wrong: copy both again from the 云眸 open platform console (cloud.hikyunmou settings)"
	case CodeInvalidGrant, CodeUnsupportedGrant:
		return "the token request was refused: this client uses grant_type=client_credentials; check that the application allows it"
	case CodeInvalidToken:
		return "the bearer token was refused even after one renewal: check the box's clock and the application's state in the console"
	}
	return "see the 云眸 error code table (错误码表)"
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
		for cut > 0 && s[cut]&0xC0 == 0x80 {
			cut--
		}
		s = s[:cut] + "…"
	}
	return s
}
