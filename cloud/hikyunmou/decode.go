package hikyunmou

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// flexString accepts a JSON string or number (codes and ids come as either).
type flexString string

func (f *flexString) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	if len(b) > 0 && b[0] == '"' {
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
		*f = flexString(s)
		return nil
	}
	if bytes.Equal(b, []byte("null")) {
		*f = ""
		return nil
	}
	var n json.Number
	if err := json.Unmarshal(b, &n); err != nil {
		return fmt.Errorf("want a string or a number, got %.20q", b)
	}
	*f = flexString(n.String())
	return nil
}

// envelope is the API's answer shape: {"code","message","data"}. An OAuth-style
// refusal ({"error","error_description"}) may come instead.
type envelope struct {
	Code             flexString      `json:"code"`
	Message          string          `json:"message"`
	Msg              string          `json:"msg"`
	Data             json.RawMessage `json:"data"`
	OAuthError       string          `json:"error"`
	ErrorDescription string          `json:"error_description"`
}

// decodeEnvelope turns an answer into its data, or a *Error, or a decoding error.
func decodeEnvelope(op string, status int, body []byte) (json.RawMessage, error) {
	var env envelope
	if err := json.Unmarshal(body, &env); err != nil {
		if status != 200 {
			return nil, &Error{Op: op, Code: codeHTTPWithoutDetails, Message: fmt.Sprintf("HTTP %d", status), HTTPStatus: status}
		}
		return nil, fmt.Errorf("hikyunmou %s: answer is not the documented JSON: %w", op, err)
	}
	if env.OAuthError != "" {
		return nil, &Error{Op: op, Code: cleanText(env.OAuthError), Message: cleanText(env.ErrorDescription), HTTPStatus: status}
	}
	code := cleanText(string(env.Code))
	msg := env.Message
	if msg == "" {
		msg = env.Msg
	}
	switch {
	case code == CodeOK:
		return env.Data, nil
	case code != "":
		return nil, &Error{Op: op, Code: code, Message: cleanText(msg), HTTPStatus: status}
	case status != 200:
		return nil, &Error{Op: op, Code: codeHTTPWithoutDetails, Message: fmt.Sprintf("HTTP %d", status), HTTPStatus: status}
	}
	return nil, fmt.Errorf("hikyunmou %s: answer has no code", op)
}

// tokenAnswer is the OAuth token endpoint's success answer.
type tokenAnswer struct {
	AccessToken string     `json:"access_token"`
	TokenType   string     `json:"token_type"`
	ExpiresIn   flexString `json:"expires_in"`
}

// decodeToken parses the token endpoint's answer into the token and its lifetime.
func decodeToken(status int, body []byte) (Secret, time.Duration, error) {
	var t tokenAnswer
	if err := json.Unmarshal(body, &t); err != nil || t.AccessToken == "" || status != 200 {
		// Not a token: a refusal in either shape, or garbage.
		if _, derr := decodeEnvelope("token", status, body); derr != nil {
			return "", 0, derr
		}
		return "", 0, errors.New("hikyunmou token: answer has no access_token")
	}
	if len(t.AccessToken) > 4096 || strings.ContainsAny(t.AccessToken, "\r\n\x00 ") {
		return "", 0, errors.New("hikyunmou token: access_token is not usable in a header")
	}
	if t.TokenType != "" && !strings.EqualFold(t.TokenType, "bearer") {
		return "", 0, fmt.Errorf("hikyunmou token: token_type %q, want bearer", cleanText(t.TokenType))
	}
	sec, err := strconv.ParseInt(string(t.ExpiresIn), 10, 64)
	if err != nil || sec <= 0 || sec > 10*365*24*3600 {
		return "", 0, fmt.Errorf("hikyunmou token: expires_in %.20q is not a number of seconds", string(t.ExpiresIn))
	}
	return Secret(t.AccessToken), time.Duration(sec) * time.Second, nil
}

// Registration is what the cloud says about a registered device.
type Registration struct {
	DeviceID     string
	DeviceSerial string
	DeviceName   string
}

type registrationData struct {
	DeviceID     flexString `json:"deviceId"`
	DeviceSerial flexString `json:"deviceSerial"`
	DeviceName   flexString `json:"deviceName"`
}

// decodeRegistration parses the register call's answer.
func decodeRegistration(status int, body []byte) (*Registration, error) {
	data, err := decodeEnvelope("register device", status, body)
	if err != nil {
		return nil, err
	}
	var d registrationData
	if len(bytes.TrimSpace(data)) > 0 && !bytes.Equal(bytes.TrimSpace(data), []byte("null")) {
		if err := json.Unmarshal(data, &d); err != nil {
			return nil, fmt.Errorf("hikyunmou register device: data: %w", err)
		}
	}
	return &Registration{DeviceID: cleanText(string(d.DeviceID)), DeviceSerial: cleanText(string(d.DeviceSerial)), DeviceName: cleanText(string(d.DeviceName))}, nil
}
