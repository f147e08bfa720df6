package hikyunmou

import (
	"errors"
	"strings"
	"testing"
	"time"
)

var answers = []struct {
	name   string
	status int
	body   string
	code   string // refusal code; "" = success, "-" = decoding error
}{
	{"ok", 200, `{"code":"200","message":"操作成功","data":{"deviceId":"d1","deviceSerial":"E1","deviceName":"n"}}`, ""},
	{"ok numeric, null data", 200, `{"code":200,"message":"ok","data":null}`, ""},
	{"needs confirm", 200, `{"code":"515019","message":"设备需要确权","data":null}`, "515019"},
	{"msg spelling", 200, `{"code":"400","msg":"参数错误"}`, "400"},
	{"oauth", 401, `{"error":"invalid_client","error_description":"Bad client credentials"}`, "invalid_client"},
	{"expired bearer", 401, `{"error":"invalid_token","error_description":"Access token expired"}`, "invalid_token"},
	{"html 401", 401, `<html>`, "http"},
	{"empty 404", 404, `{}`, "http"},
	{"html 200", 200, `<html>`, "-"},
	{"no code", 200, `{"message":"x"}`, "-"},
	{"data string", 200, `{"code":"200","data":"x"}`, "-"},
	{"code object", 200, `{"code":{}}`, "-"},
}

func TestDecodeRegistration(t *testing.T) {
	for _, tc := range answers {
		reg, err := decodeRegistration(tc.status, []byte(tc.body))
		var e *Error
		switch tc.code {
		case "":
			if err != nil || reg == nil {
				t.Errorf("%s: %v", tc.name, err)
			}
		case "-":
			if err == nil || errors.As(err, &e) {
				t.Errorf("%s: err = %v, want a decoding error", tc.name, err)
			}
		default:
			if !errors.As(err, &e) || e.Code != tc.code || e.HTTPStatus != tc.status {
				t.Errorf("%s: err = %v, want code %s", tc.name, err, tc.code)
			}
		}
	}
}

var tokenAnswers = []struct {
	status int
	body   string
	life   time.Duration // 0: refused
}{
	{200, `{"access_token":"6c5f4e3d-2b1a-4c5d-8e7f-0a1b2c3d4e5f","token_type":"bearer","expires_in":604799,"scope":"app"}`, 604799 * time.Second},
	{200, `{"access_token":"t","expires_in":"3600"}`, time.Hour},
	{200, `{"access_token":"t","token_type":"Bearer","expires_in":60}`, time.Minute},
	{401, `{"error":"invalid_client","error_description":"Bad client credentials"}`, 0},
	{400, `{"error":"unsupported_grant_type","error_description":"x"}`, 0},
	{200, `{"access_token":"t","token_type":"mac","expires_in":60}`, 0},
	{200, `{"access_token":"t","expires_in":0}`, 0},
	{200, `{"access_token":"t\r\nX: y","expires_in":60}`, 0},
	{200, `{"code":"500","message":"系统错误"}`, 0},
	{500, `{"access_token":"t","expires_in":60}`, 0},
}

func TestDecodeToken(t *testing.T) {
	for _, tc := range tokenAnswers {
		tok, life, err := decodeToken(tc.status, []byte(tc.body))
		if tc.life == 0 {
			if err == nil {
				t.Errorf("%s accepted", tc.body)
			}
			continue
		}
		if err != nil || tok == "" || life != tc.life {
			t.Errorf("%s: %s %v", tc.body, life, err)
		}
	}
}

func FuzzDecode(f *testing.F) {
	for _, tc := range answers {
		f.Add(tc.status, tc.body)
	}
	for _, tc := range tokenAnswers {
		f.Add(tc.status, tc.body)
	}
	f.Fuzz(func(t *testing.T, status int, body string) {
		if _, err := decodeRegistration(status, []byte(body)); err != nil {
			checkError(t, err)
		}
		tok, life, err := decodeToken(status, []byte(body))
		if err != nil {
			checkError(t, err)
			return
		}
		if tok == "" || life <= 0 || strings.ContainsAny(string(tok), "\r\n ") {
			t.Fatalf("accepted token %q life %s", string(tok), life)
		}
	})
}

func checkError(t *testing.T, err error) {
	t.Helper()
	if len(err.Error()) > 2000 {
		t.Fatalf("error of %d bytes", len(err.Error()))
	}
	var e *Error
	if errors.As(err, &e) && strings.ContainsAny(e.Code+e.Message, "\r\n\x00") {
		t.Fatalf("control characters in %q", err)
	}
}
