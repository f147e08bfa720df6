package ezviz

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// chinaTime is the zone of the cloud's "2006-01-02 15:04:05" times (UTC+8; the
// document's example expireTime matches its URL's expire= Unix time in it).
var chinaTime = time.FixedZone("CST", 8*3600)

const cloudTimeLayout = "2006-01-02 15:04:05"

// flexString accepts a JSON string or number: the document's code is "200", its
// own example compares code == 200, so both spellings are taken.
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

// envelope is every answer's outer shape.
type envelope struct {
	Code flexString      `json:"code"`
	Msg  string          `json:"msg"`
	Data json.RawMessage `json:"data"`
}

// decodeEnvelope parses an answer. A refusal becomes *Error; success returns data.
func decodeEnvelope(op string, body []byte) (json.RawMessage, error) {
	var env envelope
	if err := json.Unmarshal(body, &env); err != nil {
		return nil, fmt.Errorf("ezviz %s: answer is not the documented JSON: %w", op, err)
	}
	code := cleanText(string(env.Code))
	if code == "" {
		return nil, fmt.Errorf("ezviz %s: answer has no code", op)
	}
	if code != CodeOK {
		return nil, &Error{Code: code, Msg: cleanText(env.Msg), Op: op}
	}
	return env.Data, nil
}

// tokenData is the token call's data.
type tokenData struct {
	AccessToken string     `json:"accessToken"`
	ExpireTime  flexString `json:"expireTime"` // milliseconds since the epoch
}

// decodeToken parses the token call's answer into the token and its expiry.
func decodeToken(body []byte) (Secret, time.Time, error) {
	data, err := decodeEnvelope("token", body)
	if err != nil {
		return "", time.Time{}, err
	}
	var d tokenData
	if err := json.Unmarshal(data, &d); err != nil {
		return "", time.Time{}, fmt.Errorf("ezviz token: data: %w", err)
	}
	if d.AccessToken == "" || len(d.AccessToken) > 1024 || strings.ContainsAny(d.AccessToken, "\r\n\x00") {
		return "", time.Time{}, errors.New("ezviz token: answer has no usable accessToken")
	}
	ms, err := strconv.ParseInt(string(d.ExpireTime), 10, 64)
	// Years 2000-3000 in milliseconds: anything else is garbage.
	if err != nil || ms < 946684800000 || ms > 32503680000000 {
		return "", time.Time{}, fmt.Errorf("ezviz token: expireTime %.30q is not a time in milliseconds", string(d.ExpireTime))
	}
	return Secret(d.AccessToken), time.UnixMilli(ms), nil
}

// addressData is the live/playback address call's data.
type addressData struct {
	ID         flexString `json:"id"`
	URL        string     `json:"url"`
	ExpireTime flexString `json:"expireTime"`
}

// decodeAddress parses a live or playback address answer.
func decodeAddress(op string, body []byte) (*Address, error) {
	data, err := decodeEnvelope(op, body)
	if err != nil {
		return nil, err
	}
	var d addressData
	if err := json.Unmarshal(data, &d); err != nil {
		return nil, fmt.Errorf("ezviz %s: data: %w", op, err)
	}
	if len(d.URL) > 8192 {
		return nil, fmt.Errorf("ezviz %s: url is %d bytes long", op, len(d.URL))
	}
	u, err := url.Parse(d.URL)
	if err != nil || u.Scheme == "" || u.Host == "" {
		return nil, fmt.Errorf("ezviz %s: answer has no usable url (%s)", op, Redact(d.URL))
	}
	return &Address{ID: cleanText(string(d.ID)), URL: d.URL, ExpiresAt: addressExpiry(string(d.ExpireTime), u)}, nil
}

// addressExpiry reads expireTime ("2006-01-02 15:04:05", UTC+8); failing that the
// URL's expire= Unix seconds; failing both it is zero (unknown).
func addressExpiry(s string, u *url.URL) time.Time {
	if t, err := time.ParseInLocation(cloudTimeLayout, s, chinaTime); err == nil {
		return t
	}
	if ms, err := strconv.ParseInt(s, 10, 64); err == nil && ms > 946684800000 && ms < 32503680000000 {
		return time.UnixMilli(ms)
	}
	if sec, err := strconv.ParseInt(u.Query().Get("expire"), 10, 64); err == nil && sec > 946684800 && sec < 32503680000 {
		return time.Unix(sec, 0)
	}
	return time.Time{}
}
