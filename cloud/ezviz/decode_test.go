package ezviz

import (
	"errors"
	"strings"
	"testing"
	"time"
	"unicode/utf8"
)

// answers drive TestDecode and seed the fuzz targets.
var answers = []struct {
	name    string
	body    string
	code    string // refusal code, "" for success or a plain error
	wantErr bool
	url     string
	expires time.Time
}{
	{
		name: "document live example",
		body: `{ "msg": "Operation succeeded", "code": "200", "data": { "id": "247116619786670080", "url": "rtmp://rtmp01open.ys7.com:1935/v3/openlive/203751922_1_2?expire=1605275593&id=247116619786670080&t=60ac6e4fd97e71e3e2fcceb792b042d8023cb73b6bd39c6ca769605a7d65dd2e&ev=100", "expireTime": "2020-11-13 21:53:13" } }`,
		url:  "rtmp://rtmp01open.ys7.com:1935/v3/openlive/203751922_1_2?expire=1605275593&id=247116619786670080&t=60ac6e4fd97e71e3e2fcceb792b042d8023cb73b6bd39c6ca769605a7d65dd2e&ev=100",
		// The example's expireTime and its expire= agree when read as UTC+8.
		expires: time.Unix(1605275593, 0),
	},
	{
		name:    "document playback example",
		body:    `{ "msg": "Operation succeeded", "code": "200", "data": { "id": "244844909163069440", "url": "rtmp://rtmp01open.ys7.com:1935/v3/openpb/203751922_1_1?begin=20201116110105&end=20201116110223&expire=1604647605&id=244844909163069440&rec=local&t=c2b0a5ed5a7c49ae61976155c83c434a619286a0e6650c98c0bb58962ea161f3&ev=100", "expireTime": "2020-11-06 15:26:45" } }`,
		url:     "rtmp://rtmp01open.ys7.com:1935/v3/openpb/203751922_1_1?begin=20201116110105&end=20201116110223&expire=1604647605&id=244844909163069440&rec=local&t=c2b0a5ed5a7c49ae61976155c83c434a619286a0e6650c98c0bb58962ea161f3&ev=100",
		expires: time.Unix(1604647605, 0),
	},
	{
		name:    "numeric code, expiry only in the url",
		body:    `{"code":200,"data":{"id":7,"url":"rtmp://h/v3/x?expire=1605275593"}}`,
		url:     "rtmp://h/v3/x?expire=1605275593",
		expires: time.Unix(1605275593, 0),
	},
	{
		name: "no expiry at all",
		body: `{"code":"200","data":{"url":"rtmp://h/v3/x"}}`,
		url:  "rtmp://h/v3/x",
	},
	{name: "offline", body: `{"msg":"设备离线","code":"20007"}`, code: "20007"},
	{name: "numeric refusal", body: `{"msg":"x","code":10002}`, code: "10002"},
	{name: "not json", body: `<html>`, wantErr: true},
	{name: "no code", body: `{"msg":"x"}`, wantErr: true},
	{name: "code object", body: `{"code":{}}`, wantErr: true},
	{name: "empty url", body: `{"code":"200","data":{"url":""}}`, wantErr: true},
	{name: "relative url", body: `{"code":"200","data":{"url":"/live"}}`, wantErr: true},
	{name: "data string", body: `{"code":"200","data":"x"}`, wantErr: true},
}

func TestDecodeAddress(t *testing.T) {
	for _, tc := range answers {
		t.Run(tc.name, func(t *testing.T) {
			a, err := decodeAddress("live address", []byte(tc.body))
			var e *Error
			switch {
			case tc.code != "":
				if !errors.As(err, &e) || e.Code != tc.code || e.Op != "live address" {
					t.Fatalf("err = %v, want code %s", err, tc.code)
				}
			case tc.wantErr:
				if err == nil || errors.As(err, &e) {
					t.Fatalf("err = %v, want a decoding error", err)
				}
			default:
				if err != nil {
					t.Fatal(err)
				}
				if a.URL != tc.url || !a.ExpiresAt.Equal(tc.expires) {
					t.Fatalf("got %s %s, want %s", a.URL, a.ExpiresAt, tc.expires)
				}
			}
		})
	}
}

var tokenAnswers = []struct {
	body    string
	ok      bool
	expires time.Time
}{
	{`{"msg":"Operation succeeded!","code":"200","data":{"accessToken":"at.7jrcjmna8qnqg8d3dgnzs87m4v2dme3l-32enpqgusd-1jvdfe4-uxo15ik0s","expireTime":1470810222045}}`, true, time.UnixMilli(1470810222045)},
	{`{"code":"200","data":{"accessToken":"at.x","expireTime":"1470810222045"}}`, true, time.UnixMilli(1470810222045)},
	{`{"code":"10030","msg":"appKey和appSecret不匹配"}`, false, time.Time{}},
	{`{"code":"200","data":{"accessToken":"at.x","expireTime":-1}}`, false, time.Time{}},
	{`{"code":"200","data":{"accessToken":"at.x\n","expireTime":1470810222045}}`, false, time.Time{}},
	{`{"code":"200","data":{"expireTime":1470810222045}}`, false, time.Time{}},
	{`{"code":"200"}`, false, time.Time{}},
}

func TestDecodeToken(t *testing.T) {
	for _, tc := range tokenAnswers {
		tok, exp, err := decodeToken([]byte(tc.body))
		if (err == nil) != tc.ok {
			t.Errorf("%s: err = %v", tc.body, err)
			continue
		}
		if tc.ok && (tok == "" || !exp.Equal(tc.expires)) {
			t.Errorf("%s: %s", tc.body, exp)
		}
		if err != nil && strings.Contains(err.Error(), "at.x") {
			t.Errorf("token in error %v", err)
		}
	}
}

func FuzzDecodeAnswers(f *testing.F) {
	for _, tc := range answers {
		f.Add(tc.body)
	}
	for _, tc := range tokenAnswers {
		f.Add(tc.body)
	}
	f.Fuzz(func(t *testing.T, body string) {
		a, err := decodeAddress("live address", []byte(body))
		if err == nil {
			if a.URL == "" {
				t.Fatal("success without url")
			}
			if s := a.String(); !utf8.ValidString(s) && utf8.ValidString(body) {
				t.Fatalf("invalid string %q", s)
			}
		} else {
			checkErrorText(t, err)
		}
		tok, _, err := decodeToken([]byte(body))
		if err == nil && tok == "" {
			t.Fatal("success without token")
		}
		if err != nil {
			checkErrorText(t, err)
			if tok != "" && strings.Contains(err.Error(), string(tok)) {
				t.Fatal("token in error")
			}
		}
	})
}

func checkErrorText(t *testing.T, err error) {
	t.Helper()
	if len(err.Error()) > 2000 {
		t.Fatalf("error of %d bytes", len(err.Error()))
	}
	var e *Error
	if errors.As(err, &e) && strings.ContainsAny(e.Code+e.Msg, "\n\r\x00") {
		t.Fatalf("control characters in %q", err)
	}
}

func TestSecretPrintsNothing(t *testing.T) {
	s := Secret("hunter2")
	b, _ := s.MarshalText()
	for _, got := range []string{s.String(), s.GoString(), s.LogValue().String(), string(b)} {
		if got != "******" {
			t.Errorf("got %q", got)
		}
	}
	if s.Reveal() != "hunter2" {
		t.Error("Reveal")
	}
}
